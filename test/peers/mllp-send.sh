#!/usr/bin/env bash
# An independent peer: Debian's python3-hl7 `mllp_send` sends real sample messages to a running Switchboard
# (demo config, fresh data folder) and every reply must be MSA AA — or AR for the deliberately malformed ones.
# Uses ../shared/samples/hl7 when present (CI), else the project's own fixtures.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v mllp_send >/dev/null || { echo "mllp_send missing: apt-get install python3-hl7"; exit 1; }

samples=../shared/samples/hl7
[ -d "$samples" ] || samples=test/fixtures/hl7
work=$(mktemp -d)
port=${MLLP_PEER_PORT:-22575}
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

SWITCHBOARD_LISTENERS_MLLP_PORT=$port SWITCHBOARD_LISTENERS_MLLP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=0 \
  SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_LOG_LEVEL=warn \
  node bin/switchboard.js start --config config --data "$work/data" &
pid=$!
for _ in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

checked=0 failed=0
for f in "$samples"/*; do
  case "$f" in *.hl7|*.txt|*.bin) ;; *) continue ;; esac
  # Frame every message of the file (VT ... FS CR) the way mllp_send expects its input.
  node --import tsx -e '
    import { readFileSync, writeFileSync } from "node:fs";
    import { splitMessages } from "./src/delivery/mllp/client.ts";
    import { frameMllp } from "./src/protocols/hl7/mllp.ts";
    const msgs = splitMessages(readFileSync(process.argv[1]));
    writeFileSync(process.argv[2], Buffer.concat(msgs.map((m) => frameMllp(m))));
    // A message with no control id (MSH-10) or no encoding characters must be refused (AR); others accepted.
    const bad = msgs.filter((m) => { const t = m.toString("latin1"); const f = t[3]; const msh = t.split("\r")[0].split(f);
      return !/^[^A-Za-z0-9\r]{2,5}$/.test(msh[1] ?? "") || !(msh[9] ?? "").trim(); }).length;
    console.log(`${msgs.length - bad} ${bad}`);
  ' "$f" "$work/framed" > "$work/count"
  read -r good bad < "$work/count"
  out=$(mllp_send -p "$port" -f "$work/framed" 127.0.0.1 | tr '\r' '\n')
  accepted=$(printf '%s\n' "$out" | grep -cE '^MSA.(AA|CA)' || true)
  refused=$(printf '%s\n' "$out" | grep -cE '^MSA.AR' || true)
  if [ "$accepted" -eq "$good" ] && [ "$refused" -eq "$bad" ] && [ $((good + bad)) -gt 0 ]; then
    echo "ok   $(basename "$f"): $good accepted (MSA AA/CA), $bad refused (MSA AR)"
  else
    echo "FAIL $(basename "$f"): expected $good accepted and $bad refused, got $accepted and $refused"
    printf '%s\n' "$out" | grep MSA || true
    failed=$((failed + 1))
  fi
  checked=$((checked + 1))
done
echo "mllp_send peer: $((checked - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
