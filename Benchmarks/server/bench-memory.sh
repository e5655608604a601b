#!/usr/bin/env bash
# Idle-connection memory: N keep-alive connections (one GET each, then silence) against
# `cathammer serve -p 1` and nginx (1 worker) in the same run, in cleartext and over TLS (the same
# ECDSA P-256 certificate, TLS 1.3). Prints the growth of the worker's private dirty memory
# (/proc/PID/smaps_rollup) per idle connection, and the ratios.
# Usage: bench-memory.sh [CATHAMMER_BINARY]   env: BENCH_IDLE_COUNTS ("1000 10000"), BENCH_TLS (1; 0 skips TLS)
set -euo pipefail
counts=${BENCH_IDLE_COUNTS:-1000 10000}
binary=${1:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/cathammer}
# Both servers and the client hold one descriptor per connection: raise the soft limit as far as
# the hard one allows, and refuse counts that cannot fit.
ulimit -n "$(ulimit -Hn)"
for count in $counts; do
  if [ $((count + 200)) -gt "$(ulimit -n)" ]; then
    echo "bench-memory: $count connections need more descriptors than the limit $(ulimit -n)" >&2
    exit 2
  fi
done

source "$(dirname "$0")/common.sh"

# The one worker of a master, from /proc.
worker_of() {
  for _ in $(seq 100); do
    local child
    child=$(cat "/proc/$1/task/$1/children" 2>/dev/null | awk '{print $1}')
    [ -n "$child" ] && { echo "$child"; return 0; }
    sleep 0.1
  done
  echo "no worker under $1" >&2
  return 1
}

results="$work/results"
: > "$results"

measure() { # name port worker-pid count tls(0|1)
  python3 - "$@" >> "$results" <<'PY'
import socket, ssl, sys, time
name, port, worker, count, tls = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
def private_dirty():
    with open(f"/proc/{worker}/smaps_rollup") as f:
        return sum(int(line.split()[1]) * 1024 for line in f if line.startswith("Private_Dirty:"))
request = b"GET /cats/1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-memory\r\nAccept: */*\r\n\r\n"
def one_get():
    s = socket.create_connection(("127.0.0.1", port), 5)
    if tls:
        s = context.wrap_socket(s)
    s.sendall(request)
    reply = b""
    while not reply.endswith(b"}\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit(f"{name}: connection closed before the response")
        reply += chunk
    if not reply.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"{name}: unexpected response {reply[:40]!r}")
    return s
# Warm the worker (buffers, pools, first allocations) so the baseline holds them already.
warm = [one_get() for _ in range(50)]
for s in warm: s.close()
time.sleep(1)
before = private_dirty()
idle = [one_get() for _ in range(count)]
time.sleep(1)
after = private_dirty()
for s in idle: s.close()
print(f"{name}\t{count}\t{before}\t{after}\t{(after - before) / count:.0f}")
PY
}

tls_legs="0"
if [ "${BENCH_TLS:-1}" = 1 ]; then
  make_certificate
  tls_legs="0 1"
fi
for tls in $tls_legs; do
for count in $counts; do
  cat_port=$(free_port)
  cat_listen=(--http "127.0.0.1:$cat_port")
  nginx_tls=("" "")
  label=""
  if [ "$tls" = 1 ]; then
    cat_listen=(--https "127.0.0.1:$cat_port" --tls-cert "$work/tls.pem" --tls-key "$work/tls.key")
    nginx_tls=("ssl_certificate $work/tls.pem; ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.2 TLSv1.3;" ssl)
    label=" (TLS)"
  fi
  "$binary" serve "${cat_listen[@]}" -p 1 --max-connections $((count + 100)) \
    --keepalive-timeout 600 > "$work/cathammer.out" 2> "$work/cathammer.err" &
  cat_pid=$!
  started+=($cat_pid)
  wait_for_port "$cat_port"
  measure "cathammer$label" "$cat_port" "$(worker_of "$cat_pid")" "$count" "$tls"
  kill -TERM "$cat_pid"; wait "$cat_pid" 2>/dev/null || true

  nginx_port=$(free_port)
  write_nginx_conf "$nginx_port" 1 $((count + 100)) "keepalive_timeout 600s; ${nginx_tls[0]}" "${nginx_tls[1]}"
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  started+=($nginx_pid)
  wait_for_port "$nginx_port"
  measure "nginx$label" "$nginx_port" "$(worker_of "$nginx_pid")" "$count" "$tls"
  kill -TERM "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
done
done

python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print("## Idle keep-alive connections: growth of one worker's private dirty memory\n")
print("| server | idle connections | before KiB | after KiB | bytes per idle connection |")
print("|---|---:|---:|---:|---:|")
for name, count, before, after, per in rows:
    print(f"| {name} | {int(count):,} | {int(before) // 1024:,} | {int(after) // 1024:,} | {per} |")
print("\n| idle connections | bytes per connection, cathammer / nginx |")
print("|---:|---:|")
by = {(r[0], r[1]): float(r[4]) for r in rows}
for label in ["", " (TLS)"]:
    for count in sorted({r[1] for r in rows if ("cathammer" + label, r[1]) in by}, key=int):
        c, n = by[("cathammer" + label, count)], by[("nginx" + label, count)]
        print(f"| {int(count):,}{label} | {c / n if n > 0 else float('inf'):.2f}× |")
PY
