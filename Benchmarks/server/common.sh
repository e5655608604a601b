# Shared by the server benchmarks: ports, readiness, cleanup of what the script started, and the
# nginx peer's configuration (the same `return 200` body as cathammer's /cats/1).
# shellcheck shell=bash
work=$(mktemp -d /tmp/cathammer-bench.XXXXXX)
started=()
body='{"id":1,"name":"Tom","color":"grey","lives":9}'

cleanup() {
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${started[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# An ECDSA P-256 certificate for the TLS legs: $work/tls.pem and $work/tls.key (self-signed, naming
# localhost and 127.0.0.1, so a client can verify it against itself).
make_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for_port() {
  for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

# Writes $work/nginx/nginx.conf: PORT WORKERS WORKER_CONNECTIONS [extra http-level directives]
# [extra listen parameters, e.g. ssl] [a second port, listening with ssl]
write_nginx_conf() {
  mkdir -p "$work/nginx"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes $2;
worker_rlimit_nofile $(ulimit -n);
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections $3; }
http {
  access_log off;
  ${4:-}
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$1 backlog=1024 ${5:-};
    ${6:+listen 127.0.0.1:$6 backlog=1024 ssl;}
    location / { default_type application/json; return 200 '$body\n'; }
  }
}
CONF
}

# Starts nginx on $work/nginx/nginx.conf (see write_nginx_conf); its master's pid in $nginx_pid.
start_nginx() {
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
  started+=($!)
  nginx_pid=$!
}

# Starts `$binary serve -p 2` (extra serve flags as arguments) in cleartext on $cat_port and over TLS
# on $cat_tls_port, with make_certificate's certificate; its master's pid in $cat_pid.
start_cathammer() {
  cat_port=$(free_port)
  cat_tls_port=$(free_port)
  "$binary" serve --http "127.0.0.1:$cat_port" --https "127.0.0.1:$cat_tls_port" --tls-cert "$work/tls.pem" \
    --tls-key "$work/tls.key" -p 2 "$@" > "$work/cathammer.out" 2> "$work/cathammer.err" &
  started+=($!)
  cat_pid=$!
}

# The server's processes: the master and its children.
family() { echo "$1" $(cat "/proc/$1/task/$1/children" 2>/dev/null); }

# CPU seconds (utime + stime) of a set of processes.
cpu_seconds() {
  local ticks=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  python3 -c "print($ticks / $(getconf CLK_TCK))"
}
