#!/usr/bin/env bash
# Idle-connection memory: N keep-alive connections (one GET each, then silence) against
# `cathammer serve -p 1` and nginx (1 worker) in the same run. Prints the growth of the worker's
# private dirty memory (/proc/PID/smaps_rollup) per idle connection, and the ratio.
# Usage: bench-memory.sh [CATHAMMER_BINARY]   env: BENCH_IDLE_COUNTS ("1000 10000")
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

measure() { # name port worker-pid count
  python3 - "$@" >> "$results" <<'PY'
import socket, sys, time
name, port, worker, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def private_dirty():
    with open(f"/proc/{worker}/smaps_rollup") as f:
        return sum(int(line.split()[1]) * 1024 for line in f if line.startswith("Private_Dirty:"))
request = b"GET /cats/1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-memory\r\nAccept: */*\r\n\r\n"
def one_get():
    s = socket.create_connection(("127.0.0.1", port), 5)
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

for count in $counts; do
  cat_port=$(free_port)
  "$binary" serve --http "127.0.0.1:$cat_port" -p 1 --max-connections $((count + 100)) \
    --keepalive-timeout 600 > "$work/cathammer.out" 2> "$work/cathammer.err" &
  cat_pid=$!
  started+=($cat_pid)
  wait_for_port "$cat_port"
  measure cathammer "$cat_port" "$(worker_of "$cat_pid")" "$count"
  kill -TERM "$cat_pid"; wait "$cat_pid" 2>/dev/null || true

  nginx_port=$(free_port)
  write_nginx_conf "$nginx_port" 1 $((count + 100)) "keepalive_timeout 600s;"
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  started+=($nginx_pid)
  wait_for_port "$nginx_port"
  measure nginx "$nginx_port" "$(worker_of "$nginx_pid")" "$count"
  kill -TERM "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
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
for count in sorted({r[1] for r in rows}, key=int):
    c, n = by[("cathammer", count)], by[("nginx", count)]
    print(f"| {int(count):,} | {c / n if n > 0 else float('inf'):.2f}× |")
PY
