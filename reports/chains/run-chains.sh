#!/bin/bash
# run-chains.sh BINARY: every HTTP/1.1 corpus case through each front (front.sh) in front of the
# recording origin and the lenient gunicorn and node origins; writes reports/chains.md.
# FRONTS="nginx haproxy" and ORIGINS="record" run a subset; CHAINS_RUNS names the run folder;
# CHAINS_FUZZ names a folder of make chains-fuzz whose summary goes into reports/chains.md too.
set -u
binary=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
peers="$root/reports/peers"
runs=${CHAINS_RUNS:-$root/reports/runs/chains-$(date -u +%Y%m%d-%H%M%S)}
fronts=${FRONTS:-nginx haproxy apache2 varnish squid h2o nghttpx caddy trafficserver}
origins=${ORIGINS:-record gunicorn node}
mkdir -p "$runs"

version() {
  case $1 in
  nginx) nginx -v 2>&1 | sed 's|.*/||' ;;
  haproxy) haproxy -v | head -1 | awk '{print $3}' ;;
  apache2) apache2 -v | head -1 | sed 's|.*Apache/||; s| .*||' ;;
  varnish) varnishd -V 2>&1 | head -1 | sed 's|.*varnish-||; s| .*||' ;;
  squid) squid -v | head -1 | awk '{print $4}' ;;
  h2o) h2o --version | head -1 | awk '{print $3}' ;;
  nghttpx) nghttpx --version | awk '{print $2}' ;;
  caddy) caddy version | awk '{print $1}' ;;
  trafficserver) traffic_server -V 2>/dev/null | head -1 | sed 's|.*Server ||; s| .*||' ;;
  esac
}

for front in $fronts; do
  name="$front $(version "$front")"
  for origin in $origins; do
    case $origin in
    record) args=() ;;
    gunicorn) args=(--origin "cd '$peers' && exec python3 -m gunicorn -w 2 -k gthread --threads 16 -b 127.0.0.1:{port} gunicorn_app:app" --origin-name gunicorn) ;;
    node) args=(--origin "exec node '$peers/node-server.js' {port}" --origin-name node) ;;
    esac
    echo "== $name → $origin"
    "$binary" run chain --front "'$here/front.sh' $front {port} {origin}" --name "$name" "${args[@]}" \
      --out "$runs/$front-$origin" --quiet-progress --format json,md,html,junit | head -2
  done
done
# The downgrade: the HTTP/2 cases through the fronts that speak HTTP/2 with prior knowledge on a
# cleartext port (nginx through its HTTP/2-only variant), to the recording origin.
for front in $fronts; do
  case $front in squid|trafficserver) continue ;; esac
  h2front=$front; [ "$front" = nginx ] && h2front=nginx-h2
  echo "== $front $(version "$front") (HTTP/2) → record"
  "$binary" run chain --front "'$here/front.sh' $h2front {port} {origin}" --name "$front $(version "$front")" --protocol h2 \
    --category h2-semantics --category h2-downgrade --out "$runs/$front-downgrade" --quiet-progress --format json,md,html,junit,sarif | head -3
done
[ "${NO_WRITE:-}" = 1 ] && exit 0
python3 "$here/chains-matrix.py" "$runs" ${CHAINS_FUZZ:+"$CHAINS_FUZZ"} > "$root/reports/chains.md"
echo "wrote reports/chains.md (runs in $runs)"
