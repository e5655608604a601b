#!/usr/bin/env bash
# Idle-connection memory: N keep-alive connections (one GET each, then silence) against
# `cathammer serve -p 1` and nginx (1 worker) in the same run, in cleartext and over TLS (the same
# ECDSA P-256 certificate, TLS 1.3), over HTTP/1.1 and over HTTP/2 (h2c with prior knowledge, h2 by
# ALPN; python-h2 as the client; nginx with `http2` listeners). Prints the growth of the worker's
# private dirty memory (/proc/PID/smaps_rollup) per idle connection, and the ratios.
# Usage: bench-memory.sh [CATHAMMER_BINARY]
#   env: BENCH_IDLE_COUNTS ("1000 10000"), BENCH_TLS (1; 0 skips TLS), BENCH_PROTOCOLS ("h1 h2")
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

measure() { # name port worker-pid count tls(0|1) protocol(h1|h2)
  python3 - "$@" >> "$results" <<'PY'
import socket, ssl, sys, time
name, port, worker, count, tls = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5] == "1"
http2 = sys.argv[6] == "h2"
context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
if http2:
    import h2.config, h2.connection, h2.events
    context.set_alpn_protocols(["h2"])
def private_dirty():
    with open(f"/proc/{worker}/smaps_rollup") as f:
        return sum(int(line.split()[1]) * 1024 for line in f if line.startswith("Private_Dirty:"))
request = b"GET /cats/1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench-memory\r\nAccept: */*\r\n\r\n"
def one_get_h2():
    """Preface, SETTINGS, one GET on stream 1, its whole answer; the connection stays open."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    if tls:
        s = context.wrap_socket(s)
        if s.selected_alpn_protocol() != "h2":
            raise SystemExit(f"{name}: ALPN chose {s.selected_alpn_protocol()!r}, not h2")
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    connection.initiate_connection()
    connection.send_headers(1, [(":method", "GET"), (":scheme", "https" if tls else "http"), (":authority", "bench"),
                                (":path", "/cats/1"), ("user-agent", "bench-memory"), ("accept", "*/*")], end_stream=True)
    s.sendall(connection.data_to_send())
    status, ended = None, False
    while not ended:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit(f"{name}: connection closed before the response")
        for event in connection.receive_data(chunk):
            if isinstance(event, h2.events.ResponseReceived):
                status = dict(event.headers).get(":status")
            elif isinstance(event, h2.events.StreamEnded):
                ended = True
        pending = connection.data_to_send()
        if pending:
            s.sendall(pending)
    if status != "200":
        raise SystemExit(f"{name}: unexpected status {status!r}")
    return (s, connection)
def one_get():
    if http2:
        return one_get_h2()
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
def close(held):
    (held[0] if isinstance(held, tuple) else held).close()
warm = [one_get() for _ in range(50)]
for held in warm: close(held)
time.sleep(1)
before = private_dirty()
idle = [one_get() for _ in range(count)]
time.sleep(1)
after = private_dirty()
for held in idle: close(held)
print(f"{name}\t{count}\t{before}\t{after}\t{(after - before) / count:.0f}")
PY
}

tls_legs="0"
if [ "${BENCH_TLS:-1}" = 1 ]; then
  make_certificate
  tls_legs="0 1"
fi
for protocol in ${BENCH_PROTOCOLS:-h1 h2}; do
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
  if [ "$protocol" = h2 ]; then
    # nginx speaks h2 on a listener marked http2: prior knowledge in cleartext, ALPN over TLS.
    nginx_tls[1]="${nginx_tls[1]} http2"
    label=" h2$label"
  fi
  "$binary" serve "${cat_listen[@]}" -p 1 --max-connections $((count + 100)) \
    --keepalive-timeout 600 > "$work/cathammer.out" 2> "$work/cathammer.err" &
  cat_pid=$!
  started+=($cat_pid)
  wait_for_port "$cat_port"
  measure "cathammer$label" "$cat_port" "$(worker_of "$cat_pid")" "$count" "$tls" "$protocol"
  kill -TERM "$cat_pid"; wait "$cat_pid" 2>/dev/null || true

  nginx_port=$(free_port)
  write_nginx_conf "$nginx_port" 1 $((count + 100)) "keepalive_timeout 600s; ${nginx_tls[0]}" "${nginx_tls[1]}"
  start_nginx
  wait_for_port "$nginx_port"
  measure "nginx$label" "$nginx_port" "$(worker_of "$nginx_pid")" "$count" "$tls" "$protocol"
  kill -TERM "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true
done
done
done

python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print("## Idle keep-alive connections (HTTP/1.1 and HTTP/2): growth of one worker's private dirty memory\n")
print("| server | idle connections | before KiB | after KiB | bytes per idle connection |")
print("|---|---:|---:|---:|---:|")
for name, count, before, after, per in rows:
    print(f"| {name} | {int(count):,} | {int(before) // 1024:,} | {int(after) // 1024:,} | {per} |")
print("\n| idle connections | bytes per connection, cathammer / nginx |")
print("|---:|---:|")
by = {(r[0], r[1]): float(r[4]) for r in rows}
for label in ["", " (TLS)", " h2", " h2 (TLS)"]:
    for count in sorted({r[1] for r in rows if ("cathammer" + label, r[1]) in by}, key=int):
        c, n = by[("cathammer" + label, count)], by[("nginx" + label, count)]
        print(f"| {int(count):,}{label} | {c / n if n > 0 else float('inf'):.2f}× |")
PY
