#!/usr/bin/env bash
# Instructions per message created (POST …/messages, a private note, no socket open) under
# callgrind: the request and what follows it in the same process (the relay, the hub, the
# webhook recorder).
# usage: scripts/callgrind-messages.sh target/release/switchboard OUTDIR
# (docs/PERFORMANCE.md, "Issue 12: what a message costs"; needs valgrind, curl and python3)
set -euo pipefail
bin=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
export DATABASE_URL="sqlite://$out/db.sqlite"
export SWITCHBOARD_ADMIN_PASSWORD='callgrind-Pa55word-long'
export SWITCHBOARD_ADDR=127.0.0.1:3917
"$bin" migrate >/dev/null
"$bin" seed --conversations 20000 --messages-per-conversation 5 >/dev/null
cd "$out"
valgrind --tool=callgrind --callgrind-out-file=cg.out "$bin" serve --no-demo >serve.log 2>&1 & pid=$!
for _ in $(seq 300); do curl -sf http://127.0.0.1:3917/health >/dev/null && break; sleep 0.5; done
token=$(curl -sf -H 'content-type: application/json' \
  -d "{\"email\":\"admin@example.com\",\"password\":\"$SWITCHBOARD_ADMIN_PASSWORD\"}" \
  http://127.0.0.1:3917/auth/sign_in | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
post() {
  curl -sf -o /dev/null -H "api_access_token: $token" -H 'content-type: application/json' \
    -d '{"content":"callgrind note","private":true}' \
    "http://127.0.0.1:3917/api/v1/accounts/1/conversations/$1/messages"
}
for i in $(seq 1 5); do post "$i"; done
# The relay, hub and recorder finish the last message's work before the dump.
sleep 2; callgrind_control -d >/dev/null
for i in $(seq 10 109); do post "$i"; done
sleep 2; callgrind_control -d >/dev/null
kill $pid; wait $pid 2>/dev/null || true
total=$(callgrind_annotate cg.out.2 2>/dev/null | grep -m1 "PROGRAM TOTALS" | awk '{gsub(",","",$1); print $1}')
echo "cg.out.2: $total instructions, $((total / 100)) per message"
