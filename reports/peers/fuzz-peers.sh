#!/usr/bin/env bash
# Fuzzes the reference server and the peers one after another (one at a time: the fuzzer and the
# server share the machine) with the same seed; findings go to fuzz/findings/<peer>/, reports to
# reports/runs/. Called by `make fuzz-peers`.
# Usage: fuzz-peers.sh CATHAMMER_BINARY [SECONDS_PER_PEER] [REFERENCE_SECONDS] [SEED]
set -euo pipefail
binary=$1
seconds=${2:-600}
reference_seconds=${3:-1800}
seed=${4:-1}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/cathammer-fuzz-peers.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"

fuzz() { # name, seconds, extra options
  echo "== $1 ($2 s) $(date -u +%H:%M:%S)"
  "$binary" fuzz --name "$1" --duration "${2}s" --seed "$seed" --jobs 2 --fail-on none --out "reports/runs/fuzz-$1-seed$seed" "${@:3}" \
    | grep -v '^new ' || true
}

mkdir -p "$work/nginx-prefix"
sed "s|PREFIX|$work/nginx-prefix|g" "$here/nginx.conf" > "$work/nginx-prefix/nginx.conf.in"
if [ "$reference_seconds" -gt 0 ]; then fuzz reference "$reference_seconds"; fi
fuzz nginx "$seconds" --spawn \
  "sed 's|PORT|{port}|' '$work/nginx-prefix/nginx.conf.in' > '$work/nginx-prefix/nginx.conf' && exec nginx -p '$work/nginx-prefix' -c '$work/nginx-prefix/nginx.conf'"
fuzz gunicorn "$seconds" --spawn \
  "cd '$here' && exec python3 -m gunicorn -w 2 -k gthread --threads 16 -b 127.0.0.1:{port} gunicorn_app:app"
fuzz node "$seconds" --spawn "exec node '$here/node-server.js' {port}"
echo "== done $(date -u +%H:%M:%S)"
