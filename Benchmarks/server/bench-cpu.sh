#!/usr/bin/env bash
# CPU per request as instruction counts: `cathammer serve -p 1` and nginx (`worker_processes 1`, the
# same `return 200` body and ECDSA P-256 certificate as bench-server.sh) under
# `valgrind --tool=callgrind`, which counts the instructions a process executes whatever else the
# machine is doing. Three modes, each a new connection per request (cpu_client.py):
#   plain    cleartext, `Connection: close`                                 (issue 11: ≤ 1.0× nginx)
#   full     TLS, a full handshake each time (TLS 1.3, ECDSA P-256)         (issue 13: ≤ 1.0× nginx)
#   resumed  TLS, each connection resuming with the last session ticket    (issue 13: ≤ 1.0× nginx)
# Only the worker counts (its own callgrind file; the master is traced too but not counted). Every
# server run starts fresh, serves WARMUP requests of each mode (lazy initialization, first-use caches),
# then one mode's REQUESTS, then stops gracefully; the worker's instructions when it exits, minus an
# idle baseline, divided by REQUESTS, are its cost per request. The baseline is a run with the warm-up
# alone; a second baseline that also sits idle for IDLE seconds gives the instructions an idle worker
# spends per second (timers), which are subtracted for the time each mode's requests took.
# Usage: bench-cpu.sh [CATHAMMER_BINARY]
# env: CPU_REQUESTS (200), CPU_WARMUP (20), CPU_IDLE_SECONDS (10), CPU_KEEP=DIR (keep the callgrind
# files there, for callgrind_annotate), CPU_SERVERS ("cathammer nginx").
set -euo pipefail
requests=${CPU_REQUESTS:-200}
warmup=${CPU_WARMUP:-20}
idle_seconds=${CPU_IDLE_SECONDS:-10}
servers=${CPU_SERVERS:-cathammer nginx}
here=$(cd "$(dirname "$0")" && pwd)
binary=${1:-$(cd "$here/../.." && pwd)/.build/release/cathammer}
source "$here/common.sh"
command -v valgrind > /dev/null || { echo "bench-cpu.sh needs valgrind (apt-get install valgrind)" >&2; exit 2; }
[ -x "$binary" ] || { echo "bench-cpu.sh: no cathammer binary at $binary" >&2; exit 2; }
# Valgrind 3.19 cannot read the DWARF 5 that Swift's clang writes and gives up on the binary: a copy
# without debug information keeps its symbol table, which names the functions for callgrind_annotate.
stripped="$work/cathammer"
objcopy --strip-debug "$binary" "$stripped"

# nginx's worker runs as nobody and writes its own callgrind file.
chmod 755 "$work"
out=${CPU_KEEP:-$work/callgrind}
mkdir -p "$out"
chmod 1777 "$out"
make_certificate
results="$work/results"
: > "$results"

listening() { ss -Htln "sport = :$1" | grep -q LISTEN; }

# start_server NAME PLAIN_PORT TLS_PORT: the server under callgrind, in the background; sets server_pid.
start_server() {
  local name=$1 plain=$2 secure=$3
  local valgrind=(valgrind --tool=callgrind --trace-children=yes --vgdb=no --callgrind-out-file="$out/$name.%p")
  case "$name" in
    cathammer)
      # A fixed hash seed: Swift's per-process random seed would move the cost of dictionary
      # look-ups from run to run, and the count is a difference of two runs.
      SWIFT_DETERMINISTIC_HASHING=1 "${valgrind[@]}" "$stripped" serve --http "127.0.0.1:$plain" --https "127.0.0.1:$secure" \
        --tls-cert "$work/tls.pem" --tls-key "$work/tls.key" -p 1 > "$work/$name.out" 2> "$work/$name.err" & ;;
    nginx)
      write_nginx_conf "$plain" 1 1024 "ssl_certificate $work/tls.pem; ssl_certificate_key $work/tls.key;
  ssl_protocols TLSv1.2 TLSv1.3;" "" "$secure"
      "${valgrind[@]}" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" > "$work/$name.out" 2> "$work/$name.err" & ;;
  esac
  server_pid=$!
  started+=("$server_pid")
  # Readiness without connecting (a probe connection would be work for the worker): the listeners
  # exist, then the first warm-up request waits in the backlog until the worker takes it.
  for _ in $(seq 600); do
    listening "$plain" && listening "$secure" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not listen on $plain and $secure; its stderr:" >&2
  tail -20 "$work/$name.err" >&2
  exit 1
}

# client MODE PORT PATH COUNT: prints the client's JSON line.
client() { python3 "$here/cpu_client.py" "$1" "$2" "$3" "$4" "$work/tls.pem"; }

# one_run NAME MODE|baseline|idle: a fresh server, the warm-up, then the mode's requests (or nothing,
# or IDLE seconds of silence); appends "name run worker_instructions client_json" to the results.
one_run() {
  local name=$1 run=$2 plain secure path report='{}'
  plain=$(free_port)
  secure=$(free_port)
  path=/; [ "$name" = cathammer ] && path=/cats/1
  start_server "$name" "$plain" "$secure"
  client plain "$plain" "$path" "$warmup" > /dev/null
  client full "$secure" "$path" "$warmup" > /dev/null
  client resumed "$secure" "$path" "$warmup" > /dev/null
  local workers
  workers=$(echo $(cat "/proc/$server_pid/task/$server_pid/children"))
  [ "$(wc -w <<< "$workers")" = 1 ] || { echo "$name: expected one worker, found: $workers" >&2; exit 1; }
  case "$run" in
    baseline) ;;
    idle) sleep "$idle_seconds" ;;
    plain) report=$(client plain "$plain" "$path" "$requests") ;;
    full|resumed) report=$(client "$run" "$secure" "$path" "$requests") ;;
  esac
  [ "$(echo $(cat "/proc/$server_pid/task/$server_pid/children"))" = "$workers" ] \
    || { echo "$name: the worker changed during the run" >&2; exit 1; }
  case "$name" in cathammer) kill -TERM "$server_pid" ;; nginx) kill -QUIT "$server_pid" ;; esac
  for _ in $(seq 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$server_pid" 2>/dev/null || true
  local file="$out/$name.$workers" total
  total=$(awk '/^totals:/ {print $2}' "$file" 2>/dev/null || true)
  [ -n "$total" ] || { echo "$name: no callgrind totals for worker $workers in $file" >&2; exit 1; }
  echo "$name $run $total $report" >> "$results"
  echo "  $name $run: worker $workers, $total instructions $report"
}

echo "## Instructions per request (callgrind), $requests requests per mode after $warmup of each, one worker each"
for name in $servers; do
  for run in baseline idle plain full resumed; do one_run "$name" "$run"; done
done

python3 - "$results" "$requests" "$idle_seconds" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    name, run, total, report = line.rstrip("\n").split(" ", 3)
    rows[(name, run)] = (int(total), json.loads(report))
requests, idle_seconds = int(sys.argv[2]), float(sys.argv[3])
servers = sorted({name for name, _ in rows}, key=lambda n: n != "cathammer")
per_request, idle_rate = {}, {}
for name in servers:
    baseline = rows[(name, "baseline")][0]
    idle_rate[name] = max(0.0, (rows[(name, "idle")][0] - baseline) / idle_seconds)
    for mode in ("plain", "full", "resumed"):
        total, report = rows[(name, mode)]
        per_request[(name, mode)] = (total - baseline - idle_rate[name] * report["seconds"]) / requests
print()
print("| server | idle instructions/s | " + " | ".join(f"{m} instr/request" for m in ("plain", "full", "resumed")) + " | TLS | resumed |")
print("|---|---:|---:|---:|---:|---|---:|")
for name in servers:
    full, resumed = rows[(name, "full")][1], rows[(name, "resumed")][1]
    print(f"| {name} | {idle_rate[name]:,.0f} | " + " | ".join(f"{per_request[(name, m)]:,.0f}" for m in ("plain", "full", "resumed"))
          + f" | {full['version']} {full['cipher']} | {resumed['resumed']}/{resumed['requests']} |")
if {"cathammer", "nginx"} <= set(servers):
    print("\n| mode | cathammer / nginx instructions per request | goal |")
    print("|---|---:|---:|")
    labels = {"plain": "cleartext, new connection per request", "full": "TLS full handshake per request",
              "resumed": "TLS resumed handshake per request"}
    for mode in ("plain", "full", "resumed"):
        ratio = per_request[("cathammer", mode)] / per_request[("nginx", mode)]
        print(f"| {labels[mode]} | {ratio:.3f}× | ≤ 1.0× |")
for name in servers:
    resumed = rows[(name, "resumed")][1]
    if resumed["resumed"] != resumed["requests"]:
        print(f"\nWARNING: {name} resumed {resumed['resumed']} of {resumed['requests']} handshakes")
PY
