#!/usr/bin/env bash
# Runs the HTTP/2 corpus (`run corpus --protocol h2`, h2c with prior knowledge) against every HTTP/2
# peer and the reference server, then writes reports/peers-h2.md (the generated part: the matrix and
# every FAIL with its reason, between the markers) and reports/peers/matrix-h2.html. Called by
# `make peers-h2`. Usage: run-peers-h2.sh CATHAMMER_BINARY
# Environment: REPEAT (2: each case runs twice, a changing outcome is FLAKY), PEERS (short names to
# run, default all), PEERS_RUNS (keep the run folders there), NO_WRITE=1 (do not touch the report).
# apache2 and node get 4 cases at a time: with 16 on a loaded machine apache2 closed connections before
# answering, and node, single-threaded, stopped answering prefaces for seconds while flood cases ran.
set -euo pipefail
binary=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
repeat=${REPEAT:-2}
corpus=${CORPUS:-$root/corpus}
# shellcheck source=reports/peers/common.sh
. "$here/common.sh"
peers_start cathammer-peers-h2
peer_options=(--protocol h2 --no-libcurl --timeout 3)

peer reference "cathammer serve (reference)" "'$binary' serve --http 127.0.0.1:{port} -p 2" --offers catserve-routes
if wanted nginx; then d=$(prefix nginx "$here/nginx-h2.conf")
  peer nginx "nginx $(nginx -v 2>&1 | sed 's|.*/||') (http2, h2c)" \
    "$(fill "$d/nginx-h2.conf") && exec nginx -p '$d' -c '$d/nginx-h2.conf'"; fi
if wanted haproxy; then d=$(prefix haproxy "$here/haproxy-h2.cfg")
  peer haproxy "haproxy $(haproxy -v | head -1 | awk '{print $3}') (proto h2)" \
    "$(fill "$d/haproxy-h2.cfg") && exec haproxy -f '$d/haproxy-h2.cfg'"; fi
if wanted apache2; then d=$(prefix apache2 "$here/apache2-h2.conf"); cp "$here/echo.cgi" "$d/"
  peer apache2 "apache2 $(apache2 -v | head -1 | sed 's|.*Apache/||; s| .*||') (mod_http2, H2Direct)" \
    "$(fill "$d/apache2-h2.conf") && exec apache2 -f '$d/apache2-h2.conf' -D FOREGROUND" --jobs 4; fi
if wanted h2o; then d=$(prefix h2o "$here/h2o.conf")
  peer h2o "h2o $(h2o --version | head -1 | awk '{print $3}') (h2c)" "$(fill "$d/h2o.conf") && exec h2o -c '$d/h2o.conf'"; fi
peer node "node $(node --version) (http2 module)" "exec node '$here/node-h2-server.js' {port}" --jobs 4
if wanted nghttpd; then d="$runs/nghttpd-docroot"; mkdir -p "$d"; echo ok > "$d/index.html"; echo ok > "$d/echo"
  peer nghttpd "nghttpd $(nghttpd --version | awk '{print $2}') (--no-tls)" \
    "exec nghttpd --no-tls -a 127.0.0.1 -d '$d' {port}"; fi

[ "${NO_WRITE:-}" = 1 ] && exit 0
peers_matrix matrix-h2.html
python3 "$here/peers_h2_report.py" "$root/reports/peers-h2.md" "$runs/matrix/matrix.md" "${dirs[@]}"
echo "wrote reports/peers-h2.md and reports/peers/matrix-h2.html"
