#!/usr/bin/env bash
# Throws schemathesis' generated requests (valid and invalid) at every operation of
# /api/openapi.json on a freshly started Switchboard, and fails on any 5xx answer, any status
# or body the document does not describe, or a wrong content type. Not part of CI: it needs
# PyPI and takes minutes. Run from anywhere:
#
#   scripts/schemathesis.sh                       # 50 cases per operation (the default)
#   MAX_EXAMPLES=500 SEED=1125 scripts/schemathesis.sh   # longer, and reproducible
#   POSTGRES=postgres://postgres@127.0.0.1:5432 scripts/schemathesis.sh
#                                                 # on a fresh PostgreSQL database instead
#
# It builds switchboard (debug), starts it on a temporary SQLite database with the demo data
# and a known administrator password, signs in for an api_access_token, finds the demo API
# inbox and makes a contact of it (the Client API's credentials), then runs schemathesis.
# The server's log is kept beside the report when the run fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAX_EXAMPLES="${MAX_EXAMPLES:-50}"
SEED="${SEED:-}"
VENV="${SCHEMATHESIS_VENV:-$ROOT/target/schemathesis-venv}"
WORK="$(mktemp -d)"
ADMIN_EMAIL="schemathesis@example.com"
ADMIN_PASSWORD="schemathesis-$(date +%s)-pass"

POSTGRES="${POSTGRES:-}"
DATABASE="sqlite://$WORK/switchboard.db"
pg_database=""

server_pid=""
cleanup() {
    cd "$ROOT" # the runs happen in $WORK, which may be gone by now
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ -n "$pg_database" ]]; then
        psql -q "$POSTGRES/postgres" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" || true
    fi
}
trap cleanup EXIT

# 1. schemathesis in its own virtualenv (Debian's python3 needs python3-venv for that).
if [[ ! -x "$VENV/bin/schemathesis" ]]; then
    if ! python3 -m venv "$VENV"; then
        if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            apt-get install -y python3-venv
            python3 -m venv "$VENV"
        else
            echo "python3 -m venv failed: install python3-venv" >&2
            exit 1
        fi
    fi
    "$VENV/bin/pip" install --quiet "schemathesis>=4,<5"
fi
PY="$VENV/bin/python"

# 2. Switchboard on a fresh database; port 0 picks a free port, which it prints.
if [[ -n "$POSTGRES" ]]; then
    pg_database="switchboard_schemathesis_$$"
    psql -q "$POSTGRES/postgres" -c "CREATE DATABASE $pg_database"
    DATABASE="$POSTGRES/$pg_database"
fi
cargo build --quiet --manifest-path "$ROOT/Cargo.toml" -p switchboard
SWITCHBOARD_ADMIN_EMAIL="$ADMIN_EMAIL" SWITCHBOARD_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$ROOT/target/debug/switchboard" --addr 127.0.0.1:0 --demo-app-addr 127.0.0.1:0 \
    --database-url "$DATABASE" >"$WORK/server.log" 2>&1 &
server_pid=$!
base=""
for _ in $(seq 1 100); do
    base="$(grep -oE 'listening on http://[0-9.:]+' "$WORK/server.log" | head -1 | cut -d' ' -f3 || true)"
    [[ -n "$base" ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n "$base" ]] || { echo "switchboard did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "switchboard at $base (log: $WORK/server.log)"

# 3. The credentials the generated requests use.
json() { "$PY" -c "import json,sys; print(eval(sys.argv[1], {'d': json.load(sys.stdin)}))" "$1"; }
profile="$(curl -sf -H 'content-type: application/json' \
    -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "$base/auth/sign_in")"
token="$(json "d['data']['access_token']" <<<"$profile")"
account_id="$(json "d['data']['account_id']" <<<"$profile")"
inboxes="$(curl -sf -H "api_access_token: $token" "$base/api/v1/accounts/$account_id/inboxes")"
inbox_identifier="$(json "d['payload'][0]['inbox_identifier']" <<<"$inboxes")"
contact="$(curl -sf -H 'content-type: application/json' -d '{"name":"Schemathesis"}' \
    "$base/public/api/v1/inboxes/$inbox_identifier/contacts")"
source_id="$(json "d['source_id']" <<<"$contact")"

# Values random generation would never guess (the demo account, its API inbox, a contact of
# it, the first conversations' numbers, dashboard apps' ?include=control) are used most of
# the time, so generated requests reach the handlers rather than stopping at 401 or 404; the
# rest of the time the parameter is generated, so odd values in those places are tried too.
cat >"$WORK/schemathesis.toml" <<TOML
[dictionaries]
account = { values = [$account_id] }
inbox = { values = ["$inbox_identifier"] }
contact = { values = ["$source_id"] }
conversation = { values = [1, 2, 3] }
include = { values = ["control"] }

[parameters]
"path.account_id" = { dictionary = "account", probability = 0.9 }
"path.inbox_identifier" = { dictionary = "inbox", probability = 0.8 }
"path.source_id" = { dictionary = "contact", probability = 0.8 }
"path.display_id" = { dictionary = "conversation", probability = 0.5 }
"path.conversation_id" = { dictionary = "conversation", probability = 0.5 }
"query.include" = { dictionary = "include", probability = 0.5 }

# The administrator's token, as the document's api_access_token header scheme.
[auth.openapi.api_access_token]
api_key = "$token"
TOML

# 4. Two runs: first everything that cannot lock the token out, then the deletions and the
# agent updates (a generated id may well be the administrator's own, or the demo inbox's, after
# which every later request would stop at 401 or 404 and test nothing). One worker: with two,
# schemathesis' coverage phase has crashed on a Python-internal error (not in the API).
# Exits non-zero on any failed check.
args=(--config-file "$WORK/schemathesis.toml" run "$base/api/openapi.json"
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
    --max-examples "$MAX_EXAMPLES" --workers "${WORKERS:-1}" --request-timeout 30)
[[ -n "$SEED" ]] && args+=(--seed "$SEED")
destructive='^(DELETE |PATCH /api/v1/accounts/\{account_id\}/agents/)'
status=0
cd "$WORK" # schemathesis keeps a .schemathesis/ cache in the working directory
"$VENV/bin/schemathesis" "${args[@]}" --exclude-name-regex "$destructive" \
    --report junit --report-dir "$WORK/report-1" || status=$?
"$VENV/bin/schemathesis" "${args[@]}" --include-name-regex "$destructive" \
    --report junit --report-dir "$WORK/report-2" || status=$?
if grep -q "panicked" "$WORK/server.log"; then
    echo "the server panicked: see $WORK/server.log" >&2
    status=1
fi
if [[ "$status" != 0 ]]; then
    trap - EXIT
    cleanup
    echo "failed; server log and report kept in $WORK" >&2
else
    rm -rf "$WORK"
fi
exit "$status"
