#!/usr/bin/env bash
# HTTP/2 fuzzing (`fuzz --protocol h2`, h2c with prior knowledge) of the reference server and then
# nginx (http2), h2o and node's http2 module, one at a time, with the same seed; findings go to
# fuzz/findings/h2-<peer>/ (FINDINGS overrides), reports to reports/runs/fuzz-h2-<peer>-seed<SEED>/.
# Called by `make fuzz-peers-h2`.
# Usage: fuzz-peers-h2.sh CATHAMMER_BINARY [SECONDS_PER_PEER] [REFERENCE_SECONDS] [SEED]
# Environment: PEERS (short names, default "nginx h2o node").
set -euo pipefail
binary=$1
seconds=${2:-600}
reference_seconds=${3:-1800}
seed=${4:-1}
findings=${FINDINGS:-fuzz/findings}
peers=${PEERS:-nginx h2o node}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/cathammer-fuzz-peers-h2.XXXXXX)
backend_pid=
cleanup() { [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null; rm -rf "$work"; true; }
trap cleanup EXIT
cd "$root"
chmod 755 "$work"

fuzz() { # name, seconds, extra options
  echo "== $1 ($2 s) $(date -u +%H:%M:%S)"
  "$binary" fuzz --protocol h2 --name "$1" --duration "${2}s" --seed "$seed" --jobs 2 --fail-on none --quiet \
    --findings "$findings" --out "reports/runs/fuzz-h2-$1-seed$seed" "${@:3}" || true
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
prefix() { # name config: a private folder with PREFIX and BACKEND filled in
  mkdir -p "$work/$1"
  sed "s|PREFIX|$work/$1|g; s|BACKEND|$backend|g" "$2" > "$work/$1/$(basename "$2").in"
  echo "$work/$1"
}
backend=$(free_port)
python3 "$here/echo_backend.py" "$backend" &
backend_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$backend") 2>/dev/null && break; sleep 0.1; done

if [ "$reference_seconds" -gt 0 ]; then fuzz reference "$reference_seconds"; fi
for peer in $peers; do
  case $peer in
    nginx) d=$(prefix nginx "$here/nginx-h2.conf")
      fuzz nginx "$seconds" --spawn "sed 's|PORT|{port}|' '$d/nginx-h2.conf.in' > '$d/nginx-h2.conf' && exec nginx -p '$d' -c '$d/nginx-h2.conf'" ;;
    h2o) d=$(prefix h2o "$here/h2o.conf")
      fuzz h2o "$seconds" --spawn "sed 's|PORT|{port}|' '$d/h2o.conf.in' > '$d/h2o.conf' && exec h2o -c '$d/h2o.conf'" ;;
    node) fuzz node "$seconds" --spawn "exec node '$here/node-h2-server.js' {port}" ;;
    haproxy) d=$(prefix haproxy "$here/haproxy-h2.cfg")
      fuzz haproxy "$seconds" --spawn "sed 's|PORT|{port}|' '$d/haproxy-h2.cfg.in' > '$d/haproxy-h2.cfg' && exec haproxy -f '$d/haproxy-h2.cfg'" ;;
    *) echo "unknown peer $peer" >&2 ;;
  esac
done
echo "== done $(date -u +%H:%M:%S)"
