#!/usr/bin/env bash
# Runs the HTTP/2 corpus (`run corpus --protocol h2`, h2c with prior knowledge) against every HTTP/2
# peer and the reference server, then writes reports/peers-h2.md (the generated part: the matrix and
# every FAIL with its reason, between the markers) and reports/peers/matrix-h2.html. Called by
# `make peers-h2`. Usage: run-peers-h2.sh CATHAMMER_BINARY
# Environment: REPEAT (2: each case runs twice, a changing outcome is FLAKY), PEERS (short names to
# run, default all; `nginx` runs both legs, `nginx-tls` only the TLS one), PEERS_RUNS (keep the run
# folders there), NO_WRITE=1 (do not touch the reports), PEERS_H2_TLS=0 (skip the TLS leg).
# The TLS leg: every peer again (short name SHORT-tls) over TLS with ALPN h2 (RFC 9113 §3.2), the
# same configuration behind a TLS listener with an ECDSA P-256 certificate this run makes with the
# openssl CLI, verified by the harness (`--tls --ca`; its IP SAN names 127.0.0.1). The comparison of
# the two legs is written to reports/peers-h2-tls.md by peers_h2_tls.py.
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

# The TLS leg (PEERS_H2_TLS=0 skips it): the same peers with a TLS listener offering h2 by ALPN.
# PEERS="nginx" runs both legs of nginx: its TLS run is nginx-tls.
if [ -n "${PEERS:-}" ]; then PEERS="$PEERS $(printf '%s-tls ' $PEERS)"; fi
tls_wanted() { [ "${PEERS_H2_TLS:-1}" != 0 ] && wanted "$1-tls"; }
tls="$runs/tls"
mkdir -p "$tls"
chmod 755 "$tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
chmod 644 "$tls/key.pem"
cat "$tls/cert.pem" "$tls/key.pem" > "$tls/haproxy.pem"
cert=$tls/cert.pem key=$tls/key.pem
tls_options=(--tls --ca "$cert")
if tls_wanted reference; then
  peer reference-tls "cathammer serve (reference, TLS)" \
    "'$binary' serve --https 127.0.0.1:{port} --tls-cert '$cert' --tls-key '$key' -p 2" --offers catserve-routes "${tls_options[@]}"; fi
if tls_wanted nginx; then d=$(prefix nginx-tls "$here/nginx-h2.conf" \
    "s|listen 127.0.0.1:PORT http2;|listen 127.0.0.1:PORT ssl http2; ssl_certificate $cert; ssl_certificate_key $key; ssl_protocols TLSv1.2 TLSv1.3;|")
  peer nginx-tls "nginx $(nginx -v 2>&1 | sed 's|.*/||') (ssl http2)" \
    "$(fill "$d/nginx-h2.conf") && exec nginx -p '$d' -c '$d/nginx-h2.conf'" "${tls_options[@]}"; fi
if tls_wanted haproxy; then d=$(prefix haproxy-tls "$here/haproxy-h2.cfg" \
    "s|bind 127.0.0.1:PORT proto h2|bind 127.0.0.1:PORT ssl crt $tls/haproxy.pem alpn h2,http/1.1|")
  peer haproxy-tls "haproxy $(haproxy -v | head -1 | awk '{print $3}') (ssl, alpn h2)" \
    "$(fill "$d/haproxy-h2.cfg") && exec haproxy -f '$d/haproxy-h2.cfg'" "${tls_options[@]}"; fi
if tls_wanted apache2; then d=$(prefix apache2-tls "$here/apache2-h2.conf" \
    "s|^Protocols h2c http/1.1|LoadModule ssl_module modules/mod_ssl.so\\nSSLEngine on\\nSSLCertificateFile $cert\\nSSLCertificateKeyFile $key\\nProtocols h2 http/1.1|; /^H2Direct on/d")
  cp "$here/echo.cgi" "$d/"
  peer apache2-tls "apache2 $(apache2 -v | head -1 | sed 's|.*Apache/||; s| .*||') (mod_ssl, mod_http2)" \
    "$(fill "$d/apache2-h2.conf") && exec apache2 -f '$d/apache2-h2.conf' -D FOREGROUND" --jobs 4 "${tls_options[@]}"; fi
if tls_wanted h2o; then d=$(prefix h2o-tls "$here/h2o.conf" \
    "s|^  port: PORT|  port: PORT\\n  ssl:\\n    certificate-file: $cert\\n    key-file: $key|")
  peer h2o-tls "h2o $(h2o --version | head -1 | awk '{print $3}') (ssl)" \
    "$(fill "$d/h2o.conf") && exec h2o -c '$d/h2o.conf'" "${tls_options[@]}"; fi
if tls_wanted node; then
  peer node-tls "node $(node --version) (http2.createSecureServer)" \
    "exec node '$here/node-h2-server.js' {port} '$cert' '$key'" --jobs 4 "${tls_options[@]}"; fi
if tls_wanted nghttpd; then d="$runs/nghttpd-docroot"; mkdir -p "$d"; echo ok > "$d/index.html"; echo ok > "$d/echo"
  peer nghttpd-tls "nghttpd $(nghttpd --version | awk '{print $2}') (TLS)" \
    "exec nghttpd -a 127.0.0.1 -d '$d' {port} '$key' '$cert'" "${tls_options[@]}"; fi

[ "${NO_WRITE:-}" = 1 ] && exit 0
# reports/peers-h2.md and its matrix are the h2c leg's; the TLS leg has its own report.
peers_matrix matrix-h2.html '*-tls/'
python3 "$here/peers_h2_report.py" "$root/reports/peers-h2.md" "$runs/matrix/matrix.md" "${dirs[@]}"
echo "wrote reports/peers-h2.md and reports/peers/matrix-h2.html"
if [ "${PEERS_H2_TLS:-1}" != 0 ]; then
  python3 "$here/peers_h2_tls.py" "$root/reports/peers-h2-tls.md" "$runs"
  echo "wrote reports/peers-h2-tls.md"
fi
