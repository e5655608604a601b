#!/bin/bash
# fuzz-chains.sh BINARY: `cathammer fuzz --front` through each front (front.sh) to the recording
# origin for DURATION (default 10m) each, PARALLEL fronts at a time (default 3), seeds from the
# framing categories; findings (minimized chain corpus cases) under $CHAINS_FUZZ/chain-<front>/chain/,
# reports (report.json, junit.xml, index.html, summary.md) in $CHAINS_FUZZ/reports-<front>/,
# logs beside them. FRONTS="nginx haproxy" fuzzes a few.
set -u
binary=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${CHAINS_FUZZ:-$root/reports/runs/chains-fuzz-$(date -u +%Y%m%d-%H%M%S)}
fronts=${FRONTS:-nginx haproxy apache2 varnish squid h2o nghttpx caddy trafficserver}
duration=${DURATION:-10m}
parallel=${PARALLEL:-3}
seed=${SEED:-17}
mkdir -p "$out"
fuzz_one() {
  "$binary" fuzz --front "'$here/front.sh' $1 {port} {origin}" --front-name "$1" --duration "$duration" --seed "$seed" \
    --category desync --category transfer-encoding --category content-length --category chunked \
    --timeout 1 --extra-wait 0.3 --minimize-budget 60 --findings "$out" --out "$out/reports-$1" > "$out/$1.log" 2>&1
  echo "== $1: $(grep -E '^[0-9]+ cases' "$out/$1.log")"
}
running=0
for front in $fronts; do
  fuzz_one "$front" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait
echo "findings and logs in $out"
