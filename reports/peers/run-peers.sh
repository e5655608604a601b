#!/usr/bin/env bash
# Runs the corpus against every peer server and against the reference server, then writes the
# leaderboard to reports/peers.md (and reports/peers/matrix.html). Called by `make peers`.
# Usage: run-peers.sh CATHAMMER_BINARY
# Environment: REPEAT (3: each case runs 3 times, a changing outcome is FLAKY; 1 for a binary
# without --repeat), CORPUS (corpus folder), PEERS (space-separated short names to run, default all),
# PEERS_RUNS (keep the run folders there instead of a temporary folder), NO_WRITE=1 (do not touch
# reports/peers.md). The TLS leg (issue 13) is two more peers, `reference-tls` and `nginx-tls`: the
# same servers and configurations behind an `ssl` listener with an ECDSA P-256 certificate this run
# makes with the openssl CLI, the corpus over TLS (`--tls --ca`, verified), beside the cleartext run.
set -euo pipefail
binary=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
repeat=${REPEAT:-3}
corpus=${CORPUS:-$root/corpus}
# shellcheck source=reports/peers/common.sh
. "$here/common.sh"
peers_start cathammer-peers
peer_options=()
pyversion() { python3 -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || echo "?"; }

peer reference "cathammer serve (reference)" "'$binary' serve --http 127.0.0.1:{port} -p 2" --offers catserve-routes

if wanted nginx; then d=$(prefix nginx "$here/nginx-proxy.conf")
  peer nginx "nginx $(nginx -v 2>&1 | sed 's|.*/||') (proxy_pass)" \
    "$(fill "$d/nginx-proxy.conf") && exec nginx -p '$d' -c '$d/nginx-proxy.conf'"; fi
if wanted haproxy; then d=$(prefix haproxy "$here/haproxy-proxy.cfg")
  peer haproxy "haproxy $(haproxy -v | head -1 | awk '{print $3}')" \
    "$(fill "$d/haproxy-proxy.cfg") && exec haproxy -f '$d/haproxy-proxy.cfg'"; fi
if wanted apache2; then d=$(prefix apache2 "$here/apache2.conf"); cp "$here/echo.cgi" "$d/"
  peer apache2 "apache2 $(apache2 -v | head -1 | sed 's|.*Apache/||; s| .*||') (CGI)" \
    "$(fill "$d/apache2.conf") && exec apache2 -f '$d/apache2.conf' -D FOREGROUND"; fi
if wanted apache2-proxy; then d=$(prefix apache2-proxy "$here/apache2-proxy.conf")
  peer apache2-proxy "apache2 $(apache2 -v | head -1 | sed 's|.*Apache/||; s| .*||') (mod_proxy)" \
    "$(fill "$d/apache2-proxy.conf") && exec apache2 -f '$d/apache2-proxy.conf' -D FOREGROUND"; fi
if wanted lighttpd; then d=$(prefix lighttpd "$here/lighttpd.conf")
  peer lighttpd "lighttpd $(lighttpd -v | head -1 | sed 's|lighttpd/||; s| .*||')" \
    "$(fill "$d/lighttpd.conf") && exec lighttpd -D -f '$d/lighttpd.conf'"; fi
if wanted h2o; then d=$(prefix h2o "$here/h2o.conf")
  peer h2o "h2o $(h2o --version | head -1 | awk '{print $3}')" "$(fill "$d/h2o.conf") && exec h2o -c '$d/h2o.conf'"; fi
if wanted caddy; then d=$(prefix caddy "$here/Caddyfile")
  peer caddy "caddy $(caddy version | awk '{print $1}')" \
    "$(fill "$d/Caddyfile") && cd '$d' && HOME='$d' XDG_DATA_HOME='$d' XDG_CONFIG_HOME='$d' exec caddy run --config '$d/Caddyfile' --adapter caddyfile"; fi
peer node "node $(node --version)" "exec node '$here/node-server.js' {port}"
# gunicorn stops answering under the default 16 concurrent cases; see reports/peers/README.md.
peer gunicorn "gunicorn $(pyversion gunicorn)" \
  "cd '$here' && exec python3 -m gunicorn -w 2 -k gthread --threads 16 -b 127.0.0.1:{port} gunicorn_app:app" --jobs 2
peer uwsgi "uwsgi $(uwsgi --version 2>/dev/null || echo ?) (--http-socket)" \
  "cd '$here' && exec uwsgi --http-socket 127.0.0.1:{port} --plugin python3 --wsgi-file gunicorn_app.py --callable app --processes 2 --threads 8 --disable-logging" --jobs 4
peer waitress "waitress $(pyversion waitress)" "cd '$here' && exec python3 -m waitress --listen=127.0.0.1:{port} --threads=16 gunicorn_app:app"
peer cheroot "cheroot $(pyversion cheroot)" "cd '$here' && exec python3 cheroot_server.py {port}"
peer uvicorn-h11 "uvicorn $(pyversion uvicorn) (h11 $(pyversion h11))" \
  "cd '$here' && exec python3 -m uvicorn --http h11 --host 127.0.0.1 --port {port} --no-access-log asgi_app:app"
peer uvicorn-httptools "uvicorn $(pyversion uvicorn) (httptools $(pyversion httptools))" \
  "cd '$here' && exec python3 -m uvicorn --http httptools --host 127.0.0.1 --port {port} --no-access-log asgi_app:app"
peer hypercorn "hypercorn $(pyversion hypercorn)" "cd '$here' && exec python3 -m hypercorn --bind 127.0.0.1:{port} asgi_app:app"
peer tornado "tornado $(pyversion tornado)" "cd '$here' && exec python3 tornado_server.py {port}"
peer twisted "twisted $(pyversion twisted)" \
  "cd '$here' && PYTHONPATH='$here' exec python3 -m twisted web --listen tcp:{port}:interface=127.0.0.1 --wsgi gunicorn_app.app"
peer aiohttp "aiohttp $(pyversion aiohttp)" "cd '$here' && exec python3 aiohttp_server.py {port}"

# The TLS leg: the reference server and nginx (the same proxy_pass configuration, its listener with
# `ssl`) over TLS 1.2/1.3, the harness verifying the certificate (`--ca`; its IP SAN names 127.0.0.1).
# Every difference from the cleartext leg is explained in reports/peers/tls-leg.md.
if wanted reference-tls || wanted nginx-tls; then
  tls="$runs/tls"
  mkdir -p "$tls"
  chmod 755 "$tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
  chmod 644 "$tls/key.pem"
  tls_options=(--tls --ca "$tls/cert.pem")
  peer reference-tls "cathammer serve (reference, TLS)" \
    "'$binary' serve --https 127.0.0.1:{port} --tls-cert '$tls/cert.pem' --tls-key '$tls/key.pem' -p 2" \
    --offers catserve-routes "${tls_options[@]}"
  if wanted nginx-tls; then d=$(prefix nginx-tls "$here/nginx-proxy.conf" \
      "s|listen 127.0.0.1:PORT;|listen 127.0.0.1:PORT ssl; ssl_certificate $tls/cert.pem; ssl_certificate_key $tls/key.pem; ssl_protocols TLSv1.2 TLSv1.3;|")
    peer nginx-tls "nginx $(nginx -v 2>&1 | sed 's|.*/||') (proxy_pass, TLS)" \
      "$(fill "$d/nginx-proxy.conf") && exec nginx -p '$d' -c '$d/nginx-proxy.conf'" "${tls_options[@]}"; fi
fi

[ "${NO_WRITE:-}" = 1 ] && exit 0
peers_matrix matrix.html
{
  echo "<!-- generated by make peers on $(date -u +%Y-%m-%d) with --repeat $repeat; do not edit -->"
  cat "$runs/matrix/matrix.md"
  echo
  python3 "$here/tls_leg.py" "$runs"
  echo
  echo "How these FAILs were reviewed against their RFC sentences, and the classes they fall in: [reports/peers/review.md](peers/review.md)"
  echo "(\`reports/peers/review.py BEFORE_RUNS AFTER_RUNS reports/peers/review.md\` rebuilds it from two \`PEERS_RUNS\` folders)."
} > "$root/reports/peers.md"
echo "wrote reports/peers.md and reports/peers/matrix.html"
