#!/usr/bin/env bash
# The server under test in the example recipes, and the peer `make test` runs the CI script
# against: Debian's nginx on PORT, answering `200 ok` everywhere, in the foreground, with every
# file (config, pid, logs, temp folders) under PREFIX so it needs no root and touches nothing else.
# Reload it with: nginx -p PREFIX -c PREFIX/nginx.conf -s reload
set -euo pipefail
prefix=$(realpath -m "${1:?usage: start-nginx.sh PREFIX PORT}")
port=${2:?usage: start-nginx.sh PREFIX PORT}
mkdir -p "$prefix/logs"
cat > "$prefix/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $prefix/body;
  proxy_temp_path $prefix/proxy;
  fastcgi_temp_path $prefix/fastcgi;
  uwsgi_temp_path $prefix/uwsgi;
  scgi_temp_path $prefix/scgi;
  server {
    listen 127.0.0.1:$port;
    location / { default_type text/plain; return 200 "ok\n"; }
  }
}
CONF
exec nginx -p "$prefix" -c "$prefix/nginx.conf"
