#!/usr/bin/env bash
# The deployable build, tried for real: npm run build, then the compiled server (plain node, no TypeScript
# loader) starts on the demo config with a fresh data folder, accepts an HL7 message with AA over MLLP
# (which runs in the compiled ingest worker thread), answers /api/health, signs the demo analyst in (the
# password thread) and stops on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
mllp=${SMOKE_MLLP_PORT:-22675}
http=${SMOKE_HTTP_PORT:-28180}
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT

npm run -s build
# Nothing under dist/ may reach for tsx except the worker boot's branch for a clone's .ts entry.
if grep -rlE --include='*.js' "(from|import\()\s*'tsx" dist | grep -q .; then
  echo "dist/ imports tsx: the build must run without a TypeScript loader"; exit 1
fi

SWITCHBOARD_LISTENERS_MLLP_PORT=$mllp SWITCHBOARD_LISTENERS_MLLP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$http \
  SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_LOG_LEVEL=warn \
  node bin/switchboard-dist.js start --config config --data "$work/data" > >(tee "$work/server.log") 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$http/api/health" >/dev/null && break; sleep 0.1; done

ack=$(node bin/switchboard-dist.js send-hl7 test/fixtures/hl7/adt-a01-cr.hl7 --port "$mllp")
echo "$ack" | head -1
echo "$ack" | grep -q ': AA ' || { echo "expected AA from the compiled server"; exit 1; }
health=$(curl -sf "http://127.0.0.1:$http/api/health")
echo "$health" | grep -q '"status":"ok"' || { echo "health: $health"; exit 1; }
echo "health ok"
# A sign-in checks the password on the compiled password thread (src/kit/password-worker.mjs).
session=$(curl -s -XPOST "http://127.0.0.1:$http/api/session" -H 'content-type: application/json' \
  -d '{"username":"analyst","password":"demo"}')
echo "$session" | grep -q '"token"' || { echo "sign-in: $session"; exit 1; }
echo "sign-in ok"
# The static pages are copied, not compiled: the clinician page and the analyst console must both be there.
for page in / /console; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http$page")
  [ "$code" = 200 ] || { echo "GET $page from the compiled server: $code"; exit 1; }
done
echo "pages ok"

kill -TERM "$pid"
wait "$pid"
pid=
echo "compiled build: started, acknowledged AA, healthy, stopped on SIGTERM"
# A stop that had the ingest thread's last word hands the journal over whole; one that ran out of grace says so.
if grep -q 'did not finish within the grace' "$work/server.log"; then
  echo "the stop waited out its grace instead of handing the journal over"; exit 1
fi

