#!/usr/bin/env bash
# Server benchmark: wrk against `cathammer serve -p 2` and against nginx (2 workers, `return 200`
# with the same body as /cats/1) in the same run; keep-alive and a new connection per request, in
# cleartext and over TLS (the same ECDSA P-256 certificate; wrk resumes each new connection with the
# newest TLS 1.3 ticket it was given, so "TLS new connection" is mostly resumed handshakes).
# Prints requests/s, p99 latency and the server's CPU time per request (utime+stime from /proc).
# Usage: bench-server.sh [CATHAMMER_BINARY]   env: BENCH_SECONDS (10), BENCH_CONNECTIONS (64),
# BENCH_MODES (comma-separated, default all four: "keep-alive,new connection,TLS keep-alive,TLS new
# connection"), BENCH_ROUNDS (1): with several rounds the two servers take turns going first and each
# figure is the median of its rounds, so a noisy moment on a shared machine moves one round only.
set -euo pipefail
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
rounds=${BENCH_ROUNDS:-1}
IFS=, read -r -a modes <<< "${BENCH_MODES:-keep-alive,new connection,TLS keep-alive,TLS new connection}"
for mode in "${modes[@]}"; do
  case "$mode" in "keep-alive"|"new connection"|"TLS keep-alive"|"TLS new connection") ;;
    *) echo "bench-server.sh: BENCH_MODES: unknown mode '$mode'" >&2; exit 2 ;; esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "bench-server.sh: BENCH_ROUNDS must be a positive count, not '$rounds'" >&2; exit 2 ;; esac
binary=${1:-$(cd "$(dirname "$0")/../.." && pwd)/.build/release/cathammer}
source "$(dirname "$0")/common.sh"

make_certificate
# shellcheck disable=SC2086 # BENCH_SERVE_FLAGS is a list of flags
start_cathammer ${BENCH_SERVE_FLAGS:-}

nginx_port=$(free_port)
nginx_tls_port=$(free_port)
write_nginx_conf "$nginx_port" 2 4096 "keepalive_requests 100000000; ssl_certificate $work/tls.pem;
  ssl_certificate_key $work/tls.key; ssl_protocols TLSv1.2 TLSv1.3;" "" "$nginx_tls_port"
start_nginx

wait_for_port "$cat_port"
wait_for_port "$cat_tls_port"
wait_for_port "$nginx_port"
wait_for_port "$nginx_tls_port"
sleep 0.5

results="$work/results"
: > "$results"
run() { # name pid port path mode
  local name=$1 pid=$2 port=$3 path=$4 mode=$5 header=() scheme=http
  case "$mode" in *"new connection") header=(-H "Connection: close") ;; esac
  case "$mode" in TLS*) scheme=https ;; esac
  local processes before after output
  processes=$(family "$pid")
  # Warm up, then measure.
  wrk -t1 -c"$connections" -d2s "${header[@]}" "$scheme://127.0.0.1:$port$path" > /dev/null
  before=$(cpu_seconds $processes)
  output=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "${header[@]}" "$scheme://127.0.0.1:$port$path")
  after=$(cpu_seconds $processes)
  python3 - "$name" "$mode" "$before" "$after" >> "$results" <<PY
import re, sys
name, mode, before, after = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
text = """$output"""
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups()
p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
errors = re.search(r"Socket errors: (.*)", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
cpu = (after - before) / total * 1e6 if total else 0
print(f"{name}\t{mode}\t{rate:.0f}\t{p99:.2f}\t{cpu:.1f}\t{total}\t{errors.group(1) if errors else '-'}\t{non2xx.group(1) if non2xx else 0}")
PY
}

for round in $(seq "$rounds"); do
  for mode in "${modes[@]}"; do
    case "$mode" in TLS*) cat_target=$cat_tls_port nginx_target=$nginx_tls_port ;;
      *) cat_target=$cat_port nginx_target=$nginx_port ;; esac
    if [ $((round % 2)) -eq 1 ]; then
      run cathammer "$cat_pid" "$cat_target" /cats/1 "$mode"
      run nginx "$nginx_pid" "$nginx_target" / "$mode"
    else
      run nginx "$nginx_pid" "$nginx_target" / "$mode"
      run cathammer "$cat_pid" "$cat_target" /cats/1 "$mode"
    fi
  done
done

python3 - "$results" "$seconds" "$connections" "$rounds" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
rounds = int(sys.argv[4])
print(f"## Server benchmark: wrk -t1 -c{sys.argv[3]} -d{sys.argv[2]}s, 2 workers each, same 47-byte JSON body\n")
print("| server | mode | requests/s | p99 ms | server CPU µs/request | requests | socket errors | non-2xx |")
print("|---|---|---:|---:|---:|---:|---|---:|")
for name, mode, rate, p99, cpu, total, errors, non2xx in rows:
    print(f"| {name} | {mode} | {int(rate):,} | {p99} | {cpu} | {int(total):,} | {errors} | {non2xx} |")
median = " (median of %d rounds)" % rounds if rounds > 1 else ""
print(f"\n| mode | req/s cathammer / nginx{median} | CPU per request cathammer / nginx{median} |")
print("|---|---:|---:|")
modes = list(dict.fromkeys(r[1] for r in rows))
for mode in modes:
    def middle(server, column):
        return statistics.median(float(r[column]) for r in rows if r[0] == server and r[1] == mode)
    rate = middle("cathammer", 2) / middle("nginx", 2)
    cpu = middle("cathammer", 4) / middle("nginx", 4) if middle("nginx", 4) else 0
    print(f"| {mode} | {rate:.2f}× | {cpu:.2f}× |")
PY
