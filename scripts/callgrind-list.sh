#!/usr/bin/env bash
# Instructions per conversation-list request under callgrind.
# usage: scripts/callgrind-list.sh target/release/switchboard OUTDIR
# (docs/PERFORMANCE.md, "Where the list's CPU goes"; needs valgrind and curl)
set -euo pipefail
bin=$1; out=$2
rm -rf "$out"; mkdir -p "$out"
export DATABASE_URL="sqlite://$out/db.sqlite"
export SWITCHBOARD_ADMIN_PASSWORD='callgrind-Pa55word-long'
export SWITCHBOARD_ADDR=127.0.0.1:3917
"$bin" migrate >/dev/null
SWITCHBOARD_DEMO_APP_ADDR=127.0.0.1:3918 "$bin" serve >/dev/null 2>&1 & pid=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:3917/health >/dev/null && break; sleep 0.2; done
kill $pid; wait $pid 2>/dev/null || true
"$bin" seed --conversations 20000 --messages-per-conversation 5 >/dev/null
cd "$out"
valgrind --tool=callgrind --callgrind-out-file=cg.out "$bin" serve --no-demo >serve.log 2>&1 & pid=$!
for _ in $(seq 300); do curl -sf http://127.0.0.1:3917/health >/dev/null && break; sleep 0.5; done
token=$(curl -sf -H 'content-type: application/json' -d "{\"email\":\"admin@example.com\",\"password\":\"$SWITCHBOARD_ADMIN_PASSWORD\"}" http://127.0.0.1:3917/auth/sign_in | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
url=http://127.0.0.1:3917/api/v1/accounts/1/conversations
for _ in $(seq 5); do curl -sf -H "api_access_token: $token" $url >/dev/null; done
callgrind_control -d >/dev/null
for _ in $(seq 100); do curl -sf -H "api_access_token: $token" $url >/dev/null; done
callgrind_control -d >/dev/null
for _ in $(seq 100); do curl -sf http://127.0.0.1:3917/health >/dev/null; done
callgrind_control -d >/dev/null
kill $pid; wait $pid 2>/dev/null || true
ls
for f in cg.out.2 cg.out.3; do
  total=$(callgrind_annotate "$f" 2>/dev/null | grep -m1 "PROGRAM TOTALS" | awk '{gsub(",","",$1); print $1}')
  echo "$f: $total instructions, $((total / 100)) per request"
done
