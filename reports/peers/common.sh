# Shared by run-peers.sh and run-peers-h2.sh, sourced after they set binary, here, root, repeat and
# corpus: the run folder, the echo backend, the helpers that start a peer and write the matrix.
# shellcheck shell=bash

wanted() { [ -z "${PEERS:-}" ] || [[ " $PEERS " == *" $1 "* ]]; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# peers_start NAME: the run folder in $runs ($PEERS_RUNS, kept, or /tmp/NAME.XXXXXX, removed at exit),
# and the body-reading echo backend behind every proxying peer, on port $backend.
peers_start() {
  if [ -n "${PEERS_RUNS:-}" ]; then runs=$PEERS_RUNS; mkdir -p "$runs"; else
    runs=$(mktemp -d "/tmp/$1.XXXXXX"); fi
  backend_pid=
  trap peers_cleanup EXIT
  cd "$root"
  # Several servers drop privileges to www-data, which must reach their folders in the run folder.
  chmod 755 "$runs"
  backend=$(free_port)
  python3 "$here/echo_backend.py" "$backend" &
  backend_pid=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$backend") 2>/dev/null && break; sleep 0.1; done
}
peers_cleanup() { [ -n "$backend_pid" ] && kill "$backend_pid" 2>/dev/null; [ -z "${PEERS_RUNS:-}" ] && rm -rf "$runs"; true; }

# peer SHORT "LABEL" "SPAWN COMMAND with {port}" [extra run options]: the corpus against one peer, with
# the script's own options in the array peer_options.
peer() {
  local short=$1 label=$2 spawn=$3
  shift 3
  wanted "$short" || return 0
  echo "== $label"
  local options=(--corpus "$corpus" --spawn "$spawn" --name "$label" --out "$runs/$short" --quiet --format json,md
                 "${peer_options[@]}")
  [ "$repeat" -gt 1 ] && options+=(--repeat "$repeat")
  "$binary" run corpus "${options[@]}" "$@" | head -1 || true
}

# prefix SHORT CONFIG [SED EXPRESSION]: a private folder with CONFIG's PREFIX and BACKEND filled in
# (and the expression applied); prints its path.
prefix() {
  local dir="$runs/$1-prefix"
  mkdir -p "$dir"
  chmod 755 "$dir"
  sed "s|PREFIX|$dir|g; s|BACKEND|$backend|g; ${3:-}" "$2" > "$dir/$(basename "$2").in"
  echo "$dir"
}
# The spawn command that fills in {port} in the prefixed config and execs the server.
fill() { echo "sed 's|PORT|{port}|' '$1.in' > '$1'"; }

# peers_matrix HTML [LEAVE OUT]: the matrix of every run that wrote a report (but the run folders
# matching the pattern LEAVE OUT, e.g. '*-tls/'), in $runs/matrix, its HTML copied to $here/HTML;
# the run folders in the array dirs.
peers_matrix() {
  dirs=()
  for dir in "$runs"/*/; do
    # shellcheck disable=SC2053 # $2 is a pattern
    [ -f "$dir/report.json" ] && [[ -z "${2:-}" || "$dir" != $2 ]] && dirs+=("$dir")
  done
  "$binary" report --matrix "${dirs[@]}" --out "$runs/matrix"
  cp "$runs/matrix/matrix.html" "$here/$1"
}
