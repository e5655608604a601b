#!/bin/sh
# front.sh NAME PORT ORIGIN: starts the front proxy NAME (from its Debian package) in the foreground,
# listening on 127.0.0.1:PORT only and forwarding everything to ORIGIN (127.0.0.1:OPORT), for
# `cathammer run chain --front 'reports/chains/front.sh NAME {port} {origin}'`. Upstream connections
# are kept alive and reused wherever the front can (that is where a desync poisons the next request).
# Each front gets a private folder under ${CHAIN_FRONT_DIR:-/tmp}/cathammer-front-NAME-PORT.
set -eu
name=$1 port=$2 origin=$3
ohost=${origin%:*} oport=${origin##*:}
dir="${CHAIN_FRONT_DIR:-/tmp}/cathammer-front-$name-$port"
rm -rf "$dir"; mkdir -p "$dir"; chmod 755 "$dir"
case "$name" in
nginx|nginx-h2)
  # nginx 1.22 speaks either HTTP/1.1 or (with http2 on a cleartext listener) only HTTP/2 on a port:
  # nginx-h2 is the HTTP/2 front end for the downgrade cases.
  listen="127.0.0.1:$port"; [ "$name" = nginx-h2 ] && listen="$listen http2"
  mkdir -p "$dir/body" "$dir/proxy"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/body; proxy_temp_path $dir/proxy; fastcgi_temp_path $dir/proxy; uwsgi_temp_path $dir/proxy; scgi_temp_path $dir/proxy;
  upstream origin { server $ohost:$oport; keepalive 8; }
  server {
    listen $listen;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
  exec nginx -p "$dir" -c "$dir/nginx.conf" ;;
haproxy)
  cat > "$dir/haproxy.cfg" <<CONF
global
  maxconn 1024
defaults
  mode http
  timeout client 10s
  timeout connect 5s
  timeout server 10s
  timeout http-request 10s
frontend front
  bind 127.0.0.1:$port
  default_backend origin
backend origin
  http-reuse always
  server origin $ohost:$oport
CONF
  exec haproxy -f "$dir/haproxy.cfg" ;;
apache2)
  cat > "$dir/apache2.conf" <<CONF
ServerRoot /usr/lib/apache2
ServerName localhost
Listen 127.0.0.1:$port
PidFile $dir/apache2.pid
ErrorLog $dir/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module modules/mod_mpm_event.so
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_http_module modules/mod_proxy_http.so
LoadModule http2_module modules/mod_http2.so
# HTTP/2 with prior knowledge on the same port, for the downgrade cases.
Protocols h2c http/1.1
H2Direct on
StartServers 1
ProxyPass / http://$ohost:$oport/ enablereuse=on
CONF
  exec apache2 -f "$dir/apache2.conf" -D FOREGROUND ;;
varnish)
  cat > "$dir/default.vcl" <<CONF
vcl 4.1;
backend origin { .host = "$ohost"; .port = "$oport"; }
sub vcl_recv { return (pass); }
CONF
  exec varnishd -F -a "127.0.0.1:$port" -p feature=+http2 -f "$dir/default.vcl" -n "$dir/varnish" -s malloc,16m -p vsl_space=1M ;;
squid)
  cat > "$dir/squid.conf" <<CONF
http_port 127.0.0.1:$port accel defaultsite=origin no-vhost
cache_peer $ohost parent $oport 0 no-query no-digest originserver name=origin
cache_peer_access origin allow all
http_access allow all
cache deny all
cache_mem 8 MB
pid_filename $dir/squid.pid
cache_log $dir/cache.log
access_log none
coredump_dir $dir
shutdown_lifetime 1 seconds
CONF
  chown -R proxy "$dir" 2>/dev/null || true
  exec squid -N -f "$dir/squid.conf" ;;
h2o)
  cat > "$dir/h2o.conf" <<CONF
listen:
  host: 127.0.0.1
  port: $port
error-log: $dir/error.log
hosts:
  default:
    paths:
      /:
        proxy.reverse.url: http://$ohost:$oport/
CONF
  exec h2o -c "$dir/h2o.conf" ;;
nghttpx)
  exec nghttpx --conf=/dev/null "--frontend=127.0.0.1,$port;no-tls" "--backend=$ohost,$oport" --workers=1 \
    --errorlog-file="$dir/error.log" --accesslog-file=/dev/null --pid-file="$dir/nghttpx.pid" --no-ocsp ;;
caddy)
  cat > "$dir/Caddyfile" <<CONF
{
	admin off
	auto_https off
	storage file_system $dir
	servers {
		protocols h1 h2c
	}
}
http://:$port {
	bind 127.0.0.1
	reverse_proxy $ohost:$oport
}
CONF
  cd "$dir"; HOME="$dir" XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir" exec caddy run --config "$dir/Caddyfile" --adapter caddyfile ;;
trafficserver)
  # Traffic Server reads its configuration from a layout; a private copy of the package's, with the
  # listening port, a remap rule to the origin and no cache, run in the foreground.
  mkdir -p "$dir/etc" "$dir/run" "$dir/log" "$dir/cache"
  cp -r /etc/trafficserver/. "$dir/etc/"
  cat > "$dir/etc/records.yaml" <<CONF
ts:
  http:
    server_ports: $port
    cache:
      http: 0
    insert_request_via_str: 1
  reverse_proxy:
    enabled: 1
  url_remap:
    remap_required: 1
  proxy_name: front
  local_state_dir: $dir/run
  log:
    logfile_dir: $dir/log
  diags:
    debug:
      enabled: 0
CONF
  echo "map / http://$ohost:$oport/" > "$dir/etc/remap.config"
  echo "$dir/cache 16M" > "$dir/etc/storage.config"
  chown -R trafficserver "$dir" 2>/dev/null || true
  PROXY_CONFIG_CONFIG_DIR="$dir/etc" PROXY_CONFIG_LOCAL_STATE_DIR="$dir/run" PROXY_CONFIG_LOG_LOGFILE_DIR="$dir/log" \
    exec traffic_server --httpport "127.0.0.1:$port" ;;
*)
  echo "front.sh: unknown front '$name' (nginx nginx-h2 haproxy apache2 varnish squid h2o nghttpx caddy trafficserver)" >&2
  exit 2 ;;
esac
