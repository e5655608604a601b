#!/usr/bin/env bash
# Reload checks under load against the reference server, nginx and gunicorn, side by side in
# reports/reload.md (each run's own reports stay in reports/runs/). Called by `make reload-peers`.
# Usage: run-reload.sh CATHAMMER_BINARY [RELOADS_SCALE]
#   RELOADS_SCALE (default 1) multiplies the reload counts, e.g. 0.2 for a quick look.
set -euo pipefail
binary=$1
scale=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peers="$root/reports/peers"
work=$(mktemp -d /tmp/cathammer-reload.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$root"
runs="reports/runs/$(date -u +%Y%m%d-%H%M%S)-reload-peers"
mkdir -p "$runs"
n() { python3 -c "import math,sys; print(max(1, math.ceil($1 * $scale)))"; }

check() { # label, out-name, reload-check arguments...
  echo "== $1"
  "$binary" reload-check --quiet --name "$1" --out "$runs/$2" "${@:3}" | grep -v '^  ' || true
}

load=(--concurrency 16 --duration 120s)
check "cathammer serve: SIGHUP" ref-hup --reload hup --reloads "$(n 60)" --reload-every 200ms "${load[@]}"
check "cathammer serve: SIGUSR2 re-exec" ref-reexec --reload reexec --reloads "$(n 25)" --reload-every 200ms "${load[@]}"
check "cathammer serve: max-requests 10" ref-max-requests --reload max-requests --max-requests 10 --reloads "$(n 100)" "${load[@]}"
check "cathammer serve: master FIFO r" ref-fifo --reload fifo --reloads "$(n 20)" --reload-every 200ms "${load[@]}"
check "cathammer serve: worker count N±1" ref-worker-count --reload worker-count --reloads "$(n 20)" --reload-every 200ms "${load[@]}"
check "cathammer serve: new workers fail to boot" ref-bad-config --reload bad-config --reloads "$(n 20)" --reload-every 200ms "${load[@]}"
check "cathammer serve: SIGKILL a worker (control)" ref-kill-worker --reload kill-worker --reloads "$(n 10)" --reload-every 500ms "${load[@]}"
# HTTP/2 load (--mix h2: 4 connections of 8 streams, GETs and POSTs): h2c with prior knowledge, then
# h2 over TLS (ALPN) with a throwaway certificate. Refused streams (REFUSED_STREAM, above a GOAWAY's
# last-stream-id) are their own class, refused_stream.
h2=(--mix h2 --concurrency 32 --h2-streams 8 --duration 120s)
check "cathammer serve: SIGHUP, HTTP/2 h2c" ref-h2c-hup --reload hup --reloads "$(n 50)" --reload-every 200ms "${h2[@]}"
check "cathammer serve: SIGUSR2 re-exec, HTTP/2 h2c" ref-h2c-reexec --reload reexec --reloads "$(n 20)" --reload-every 200ms "${h2[@]}"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
tls=(--tls --ca "$work/cert.pem" --server-arg="--tls-cert=$work/cert.pem" --server-arg="--tls-key=$work/key.pem")
check "cathammer serve: SIGHUP, HTTP/2 over TLS" ref-h2-tls-hup --reload hup --reloads "$(n 50)" --reload-every 200ms "${h2[@]}" "${tls[@]}"
check "cathammer serve: SIGUSR2 re-exec, HTTP/2 over TLS" ref-h2-tls-reexec --reload reexec --reloads "$(n 20)" --reload-every 200ms "${h2[@]}" "${tls[@]}"
check "close listener + rebind, SIGKILL workers (control)" bad-server \
  --spawn "exec python3 '$here/bad-reload-server.py' {port} 2 0.1" --reload-signal HUP --reloads "$(n 10)" --reload-every 500ms "${load[@]}"

mkdir -p "$work/nginx"
sed "s|PREFIX|$work/nginx|g" "$peers/nginx.conf" > "$work/nginx/nginx.conf.in"
nginx_cmd="nginx -p '$work/nginx' -c '$work/nginx/nginx.conf'"
check "nginx $(nginx -v 2>&1 | sed 's|.*/||'): nginx -s reload" nginx-reload \
  --spawn "sed 's|PORT|{port}|' '$work/nginx/nginx.conf.in' > '$work/nginx/nginx.conf' && exec $nginx_cmd" \
  --reload-cmd "$nginx_cmd -s reload" --reloads "$(n 60)" --reload-every 200ms --reload-window 200ms "${load[@]}"

check "gunicorn $(python3 -m gunicorn --version | awk '{print $NF}' | tr -d ')') gthread: SIGHUP" gunicorn-hup \
  --spawn "cd '$peers' && exec python3 -m gunicorn -w 2 -k gthread --threads 16 -b 127.0.0.1:{port} gunicorn_app:app" \
  --reload-signal HUP --reloads "$(n 30)" --reload-every 500ms --reload-window 500ms "${load[@]}"

python3 "$here/reload-table.py" "$runs" > "$root/reports/reload.md"
echo "wrote reports/reload.md (runs in $runs)"
