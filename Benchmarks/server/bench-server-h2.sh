#!/usr/bin/env bash
# HTTP/2 server benchmark: h2load (nghttp2-client) against `cathammer serve -p 2`, nginx (2 workers,
# `http2` listeners) and h2o (2 threads, an mruby handler), all answering the same 47-byte JSON body,
# in one run: h2c with prior knowledge and h2 over TLS (ALPN, the same ECDSA P-256 certificate),
# BENCH_H2_CONNECTIONS connections of `-m 100` streams each for BENCH_H2_SECONDS (h2load -D) after a
# 2-second warm-up run. h2load does not reconnect after a GOAWAY, so every server's streams-per-
# connection limit is raised past what a run can use: cathammer's --http2-max-streams-per-connection
# to its maximum (2^30, every stream id a client has), nginx's keepalive_requests; h2o has none.
# (Before that flag existed the run was a count, 10,000 requests per connection, which at these rates
# was over in well under a second.)
# Prints requests/s, p99 latency (from h2load's per-request log) and the server's CPU time per
# request (utime+stime of its processes from /proc), then the ratios against nginx and h2o.
# Usage: bench-server-h2.sh [CATHAMMER_BINARY]
#   env: BENCH_H2_CONNECTIONS (8), BENCH_H2_STREAMS (100), BENCH_H2_SECONDS (10)
set -euo pipefail
connections=${BENCH_H2_CONNECTIONS:-8}
seconds=${BENCH_H2_SECONDS:-10}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "BENCH_H2_SECONDS: a whole number of seconds, not '$seconds'" >&2; exit 2; }
streams=${BENCH_H2_STREAMS:-100}
binary=${1:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/cathammer}
source "$(dirname "$0")/common.sh"

make_certificate
start_cathammer --http2-max-streams-per-connection 1073741824

nginx_port=$(free_port)
nginx_tls_port=$(free_port)
write_nginx_conf "$nginx_port" 2 4096 "keepalive_requests 100000000;
  ssl_certificate $work/tls.pem; ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.2 TLSv1.3;" "http2" "$nginx_tls_port"
# write_nginx_conf's TLS listener is `ssl` alone: this one speaks h2 there too.
sed -i "s|listen 127.0.0.1:$nginx_tls_port backlog=1024 ssl;|listen 127.0.0.1:$nginx_tls_port backlog=1024 ssl http2;|" \
  "$work/nginx/nginx.conf"
start_nginx

h2o_port=$(free_port)
h2o_tls_port=$(free_port)
mkdir -p "$work/h2o"
cat > "$work/h2o/h2o.conf" <<CONF
error-log: $work/h2o/error.log
num-threads: 2
max-connections: 4096
http2-max-concurrent-requests-per-connection: 100
listen:
  host: 127.0.0.1
  port: $h2o_port
listen:
  host: 127.0.0.1
  port: $h2o_tls_port
  ssl:
    certificate-file: $work/tls.pem
    key-file: $work/tls.key
    minimum-version: TLSv1.2
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /:
        mruby.handler: |
          Proc.new do |env|
            [200, {"content-type" => "application/json"}, ['$body' + "\n"]]
          end
CONF
h2o -c "$work/h2o/h2o.conf" > "$work/h2o/out" 2>&1 &
started+=($!)
h2o_pid=$!

for port in "$cat_port" "$cat_tls_port" "$nginx_port" "$nginx_tls_port" "$h2o_port" "$h2o_tls_port"; do wait_for_port "$port"; done
sleep 0.5

results="$work/results"
: > "$results"
run() { # name pid port path mode
  local name=$1 pid=$2 port=$3 path=$4 mode=$5 scheme=http
  case "$mode" in *TLS*) scheme=https ;; esac
  local processes before after url="$scheme://127.0.0.1:$port$path"
  processes=$(family "$pid")
  # Warm up, then measure; h2load's log has one line per request: start, status, microseconds.
  h2load -t1 -c"$connections" -m"$streams" -D 2 "$url" > /dev/null
  before=$(cpu_seconds $processes)
  h2load -t1 -c"$connections" -m"$streams" -D "$seconds" --log-file="$work/h2load.log" "$url" > "$work/h2load.out"
  after=$(cpu_seconds $processes)
  python3 - "$name" "$mode" "$before" "$after" "$work/h2load.out" "$work/h2load.log" >> "$results" <<'PY'
import re, sys
name, mode, before, after, out, log = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
text = open(out).read()
rate = float(re.search(r"finished in [\d.]+(?:us|ms|s), ([\d.]+) req/s", text).group(1))
done = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", text)
succeeded, failed, errored = int(done.group(4)), int(done.group(5)), int(done.group(6))
protocol = re.search(r"Application protocol: (\S+)", text)
durations = sorted(int(line.split()[2]) for line in open(log) if len(line.split()) >= 3)
p99 = durations[min(len(durations) - 1, int(len(durations) * 0.99))] / 1000 if durations else 0
total = int(done.group(3))
cpu = (after - before) / total * 1e6 if total else 0
# h2load counts a stream that ended in error as failed and as errored: failed alone is the count.
print(f"{name}\t{mode}\t{rate:.0f}\t{p99:.2f}\t{cpu:.1f}\t{total}\t{failed}\t{protocol.group(1) if protocol else '?'}")
PY
}

for mode in "h2c" "h2 TLS"; do
  case "$mode" in *TLS*) ports=("$cat_tls_port" "$nginx_tls_port" "$h2o_tls_port") ;; *) ports=("$cat_port" "$nginx_port" "$h2o_port") ;; esac
  run cathammer "$cat_pid" "${ports[0]}" /cats/1 "$mode"
  run nginx "$nginx_pid" "${ports[1]}" / "$mode"
  run h2o "$h2o_pid" "${ports[2]}" / "$mode"
done

python3 - "$results" "$seconds" "$connections" "$streams" "$(nginx -v 2>&1 | sed 's|.*/||')" "$(h2o --version | head -1 | awk '{print $3}')" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print(f"## HTTP/2 server benchmark: h2load -t1 -c{sys.argv[3]} -m{sys.argv[4]} -D {sys.argv[2]}, 2 workers each "
      f"(nginx {sys.argv[5]}, h2o {sys.argv[6]} with 2 threads), same 47-byte JSON body\n")
print("| server | mode | protocol | requests/s | p99 ms | server CPU µs/request | requests | failed |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for name, mode, rate, p99, cpu, total, failed, protocol in rows:
    print(f"| {name} | {mode} | {protocol} | {int(rate):,} | {p99} | {cpu} | {int(total):,} | {failed} |")
print("\n| mode | req/s cathammer / nginx | req/s cathammer / h2o | CPU per request cathammer / nginx | CPU per request cathammer / h2o |")
print("|---|---:|---:|---:|---:|")
by = {(r[0], r[1]): r for r in rows}
def ratio(a, b):
    return f"{float(a) / float(b):.2f}×" if float(b) else "n/a"
for mode in ["h2c", "h2 TLS"]:
    c, n, h = by[("cathammer", mode)], by[("nginx", mode)], by[("h2o", mode)]
    print(f"| {mode} | {ratio(c[2], n[2])} | {ratio(c[2], h[2])} | {ratio(c[4], n[4])} | {ratio(c[4], h[4])} |")
PY
