#!/usr/bin/env bash
# cathammer in CI, as one script: the GitHub Actions workflow and the GitLab CI job beside it call
# it, and cathammer's own `make test` runs it against its reference server and nginx, so the
# recipes cannot rot. Steps:
#   1. install the .deb (CATHAMMER_DEB), unless cathammer is already there;
#   2. start the server under test (SERVER_CMD, in the foreground of its own process group) and
#      wait until SERVER_ADDRESS accepts connections;
#   3. run the built-in corpus against it with a baseline of known failures (BASELINE): only new
#      failures fail the job; reports (JUnit for the test tab, SARIF for code scanning, Markdown
#      for the job summary, JSON, HTML) go to OUT/corpus;
#   4. reload the server again and again under load with its own reload command (RELOAD_CMD) and
#      require that no request is lost (reload-check; reports in OUT/reload);
#   5. stop the server; exit 1 if the corpus or the reload check failed, 2 on a setup error.
#
# Environment:
#   SERVER_CMD       shell command that runs the server in the foreground (required)
#   SERVER_ADDRESS   HOST:PORT it listens on (required)
#   RELOAD_CMD       shell command that reloads it (e.g. `nginx -s reload`); no reload check if unset
#   BASELINE         known failures, one case id a line (default cathammer.baseline); must exist
#                    unless UPDATE_BASELINE=1, which (re)writes it from this run and passes
#   NAME             the server's name in reports (default: SERVER_ADDRESS)
#   OUT              report folder (default cathammer-reports)
#   CATHAMMER_DEB    a cathammer_*.deb to install with apt-get first (optional)
#   CATHAMMER        the cathammer binary (default: cathammer on PATH)
#   CORPUS_ARGS      more `run corpus` arguments, e.g. "--category desync --jobs 8"
#   RELOADS          reloads to fire (default 5), RELOAD_DURATION upper bound of the load (30s)
#   RELOAD_ARGS      more `reload-check` arguments
set -uo pipefail

say() { echo "cathammer-ci: $*"; }
fail_setup() { echo "cathammer-ci: $*" >&2; exit 2; }

: "${SERVER_CMD:?SERVER_CMD: the command that runs your server}"
: "${SERVER_ADDRESS:?SERVER_ADDRESS: HOST:PORT your server listens on}"
BASELINE=${BASELINE:-cathammer.baseline}
NAME=${NAME:-$SERVER_ADDRESS}
OUT=${OUT:-cathammer-reports}
RELOADS=${RELOADS:-5}
RELOAD_DURATION=${RELOAD_DURATION:-30s}

# 1. install
if [ -n "${CATHAMMER_DEB:-}" ]; then
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  # apt-get wants a path, not a bare file name, to install a local package.
  case "$CATHAMMER_DEB" in /*|./*) deb=$CATHAMMER_DEB ;; *) deb=./$CATHAMMER_DEB ;; esac
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$deb" >/dev/null || fail_setup "cannot install $deb"
fi
CATHAMMER=${CATHAMMER:-cathammer}
command -v "$CATHAMMER" >/dev/null || fail_setup "no cathammer binary ($CATHAMMER); set CATHAMMER_DEB or CATHAMMER"
say "$("$CATHAMMER" --version | tr '\n' ' ')"

# 2. start the server in its own process group, so stopping it stops everything it started
host=${SERVER_ADDRESS%:*}
port=${SERVER_ADDRESS##*:}
mkdir -p "$OUT"
setsid bash -c "$SERVER_CMD" > "$OUT/server.log" 2>&1 &
server=$!
stop_server() {
  kill -TERM -- "-$server" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$server" 2>/dev/null || true
}
trap stop_server EXIT
for attempt in $(seq 1 300); do
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$OUT/server.log" >&2; fail_setup "the server exited before listening on $SERVER_ADDRESS"; }
  [ "$attempt" -lt 300 ] || fail_setup "nothing listens on $SERVER_ADDRESS after 30 s"
  sleep 0.1
done
say "server up at $SERVER_ADDRESS (pid $server)"

# 3. the corpus, gated by the baseline
baseline_args=(--baseline "$BASELINE")
if [ "${UPDATE_BASELINE:-0}" = 1 ]; then
  baseline_args+=(--update-baseline)
elif [ ! -f "$BASELINE" ]; then
  fail_setup "no baseline $BASELINE: run once with UPDATE_BASELINE=1 and commit the file"
fi
# shellcheck disable=SC2086 # CORPUS_ARGS is a list of words on purpose
"$CATHAMMER" run corpus --target "$SERVER_ADDRESS" --name "$NAME" "${baseline_args[@]}" \
  --format json,junit,html,md,sarif --out "$OUT/corpus" --quiet ${CORPUS_ARGS:-}
corpus_status=$?
if [ "${UPDATE_BASELINE:-0}" = 1 ] && [ "$corpus_status" -eq 1 ]; then
  say "baseline $BASELINE written: $(grep -c '^[^#]' "$BASELINE") known failure(s)"
  corpus_status=0
fi
[ "$corpus_status" -le 1 ] || fail_setup "run corpus could not run (exit $corpus_status)"
[ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$OUT/corpus/summary.md" >> "$GITHUB_STEP_SUMMARY"

# 4. reloads under load
reload_status=0
if [ -n "${RELOAD_CMD:-}" ]; then
  # shellcheck disable=SC2086
  "$CATHAMMER" reload-check --target "$SERVER_ADDRESS" --name "$NAME" --reload-cmd "$RELOAD_CMD" \
    --reloads "$RELOADS" --duration "$RELOAD_DURATION" --format json,junit,html,md --out "$OUT/reload" --quiet ${RELOAD_ARGS:-}
  reload_status=$?
  [ "$reload_status" -le 1 ] || fail_setup "reload-check could not run (exit $reload_status)"
  [ -n "${GITHUB_STEP_SUMMARY:-}" ] && cat "$OUT/reload/summary.md" >> "$GITHUB_STEP_SUMMARY"
else
  say "no RELOAD_CMD: reload check skipped"
fi

# 5. verdict
stop_server
trap - EXIT
say "corpus: $([ "$corpus_status" -eq 0 ] && echo passed || echo 'new failures')," \
  "reloads: $([ -z "${RELOAD_CMD:-}" ] && echo skipped || ([ "$reload_status" -eq 0 ] && echo 'no request lost' || echo 'requests lost'));" \
  "reports in $OUT"
[ "$corpus_status" -eq 0 ] && [ "$reload_status" -eq 0 ]
