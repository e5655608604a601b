# The README's commands. Every target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= swift
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
APT_PACKAGES := pkg-config libcurl4-openssl-dev libssl-dev openssl curl nghttp2-client systemd xxd
BENCH_APT_PACKAGES := libhttp-parser-dev libnghttp2-dev
SERVER_BENCH_APT_PACKAGES := wrk nginx-light h2o nghttp2-client

.PHONY: all deps stamp build dist dist-check run peers peers-h2 fuzz-peers-h2 chains chains-fuzz reload-peers herd test fuzz fuzz-build fuzz-replay fuzz-h2 fuzz-h2-build fuzz-net fuzz-peers bench bench-parser bench-server bench-memory bench-cpu clean

all: build

# Installs only the Debian packages that are missing (apt-get update runs only when something is).
deps:
	@.ci/install-packages $(APT_PACKAGES)

# The git revision `cathammer --version` names: BuildInfoPlugin compiles .build-info/revision into the
# binary (rewritten only when it changes, so an unchanged tree does not recompile). A plain
# `swift build` works without it and says the revision is unknown.
stamp:
	@mkdir -p .build-info; revision="$$(git describe --always --dirty --tags 2>/dev/null || echo unknown)"; \
	  [ "$$(cat .build-info/revision 2>/dev/null)" = "$$revision" ] || echo "$$revision" > .build-info/revision

build: deps stamp
	$(SWIFT) build

# The corpus, each case 3 times (--repeat 3), against 18 peer servers (Debian and PyPI, on loopback)
# and the reference server: the leaderboard in reports/peers.md. PEERS="nginx caddy" runs a few.
PEER_APT_PACKAGES := nginx-light haproxy apache2 lighttpd h2o caddy uwsgi-core uwsgi-plugin-python3
PEER_PIP_PACKAGES := gunicorn waitress uvicorn h11 httptools hypercorn tornado twisted cheroot aiohttp
peers: deps stamp
	@.ci/install-packages $(PEER_APT_PACKAGES)
	@for package in $(PEER_PIP_PACKAGES); do python3 -m pip show -q $$package >/dev/null 2>&1 || missing="$$missing $$package"; done; \
	  if [ -n "$$missing" ]; then echo "installing missing Python packages:$$missing"; python3 -m pip install -q $$missing; fi
	$(SWIFT) build -c release --product cathammer
	reports/peers/run-peers.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# The HTTP/2 corpus (h2c with prior knowledge, each case twice) against nginx (http2), haproxy (proto h2),
# apache2 (mod_http2, H2Direct), h2o, node's http2 module, nghttpd and the reference server:
# reports/peers-h2.md and reports/peers/matrix-h2.html; then the same peers over TLS with ALPN h2,
# compared with h2c in reports/peers-h2-tls.md (PEERS_H2_TLS=0 skips it). PEERS="nginx h2o" runs a few.
PEER_H2_APT_PACKAGES := nginx-light haproxy apache2 h2o nghttp2-server nodejs
peers-h2: deps stamp
	@.ci/install-packages $(PEER_H2_APT_PACKAGES)
	$(SWIFT) build -c release --product cathammer
	reports/peers/run-peers-h2.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# Reload checks under load: the reference server (every kind), nginx -s reload and gunicorn HUP: reports/reload.md.
reload-peers: deps stamp
	@.ci/install-packages nginx-light
	python3 -m gunicorn --version >/dev/null 2>&1 || python3 -m pip install -q gunicorn
	$(SWIFT) build -c release --product cathammer
	reports/reload/run-reload.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# The thundering herd per accept mode, worker count and load on the reference server: reports/herd.md.
herd: deps stamp
	$(SWIFT) build -c release --product cathammer
	reports/reload/run-herd.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# Chains (issue 17): every HTTP/1.1 case through 9 front proxies from Debian (reports/chains/front.sh,
# loopback only) in front of the recording reference origin and the lenient gunicorn and node origins:
# reports/chains.md. FRONTS="nginx haproxy" ORIGINS="record" runs a few.
CHAIN_APT_PACKAGES := nginx-light haproxy apache2 varnish squid h2o nghttp2-proxy caddy trafficserver nodejs
chains: deps stamp
	@.ci/install-packages $(CHAIN_APT_PACKAGES)
	@python3 -m gunicorn --version >/dev/null 2>&1 || python3 -m pip install -q gunicorn
	$(SWIFT) build -c release --product cathammer
	reports/chains/run-chains.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# Chain fuzzing: `cathammer fuzz --front` through every front for DURATION (10m) each, 3 fronts at a
# time; minimized findings as chain corpus cases under reports/runs/chains-fuzz-<time>/.
chains-fuzz: deps stamp
	@.ci/install-packages $(CHAIN_APT_PACKAGES)
	$(SWIFT) build -c release --product cathammer
	reports/chains/fuzz-chains.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# The main job: the whole corpus against a freshly started reference server; reports in reports/runs/.
run: deps stamp
	$(SWIFT) build -c release --product cathammer
	"$$($(SWIFT) build -c release --show-bin-path)/cathammer" run corpus

# nginx: the peer the CI recipe's script (examples/ci/cathammer-ci.sh) is tested against; nodejs: an HTTP/2-only
# TLS server (reports/peers/node-h2-server.js) for H2OverTLSCorpusTests.
TEST_APT_PACKAGES := nginx-light nodejs

# Builds everything, replays the fuzz seeds and regressions through the parser invariants, checks that
# parsing and a worker's keep-alive GET allocate nothing (Tests/AllocationChecks, a release build of
# just the measured modules: only optimized code is allocation-free), runs every test.
test: deps stamp
	@.ci/install-packages $(TEST_APT_PACKAGES)
	@python3 -c 'import jsonschema' 2>/dev/null || python3 -m pip install -q jsonschema
	@python3 -c 'import h2' 2>/dev/null || python3 -m pip install -q h2
	$(SWIFT) build --build-tests
	"$$($(SWIFT) build --show-bin-path)/HTTPWireFuzz" fuzz/seeds fuzz/regressions
	"$$($(SWIFT) build --show-bin-path)/HTTP2WireFuzz" fuzz/h2-seeds fuzz/h2-regressions
	$(SWIFT) test -c release --package-path Tests/AllocationChecks -Xswiftc -enable-testing --disable-swift-testing
	$(SWIFT) test --skip-build --disable-swift-testing

# cathammer for machines without Swift: a release binary with the Swift runtime and Foundation linked
# in (checked to need only libc, libcurl and OpenSSL), as dist/cathammer-<version>-linux-<arch>.tar.gz
# and dist/cathammer_<version>_<arch>.deb with the man page, shell completions and corpus inside.
DIST_APT_PACKAGES := dpkg-dev binutils g++
dist: deps stamp
	@.ci/install-packages $(DIST_APT_PACKAGES)
	packaging/make-dist.sh

# The done-when check of issue 18: a Debian 12 chroot without Swift (debootstrap, cached in
# /var/tmp/cathammer-dist-check; CATHAMMER_CHROOT=DIR for another place) installs the .deb with
# apt-get and passes the corpus from an empty directory. Needs root. Not part of make test (the
# static release build alone takes longer than the test budget).
dist-check: dist
	@.ci/install-packages debootstrap
	packaging/dist-check.sh

fuzz-replay: build
	"$$($(SWIFT) build --show-bin-path)/HTTPWireFuzz" fuzz/seeds fuzz/regressions
	"$$($(SWIFT) build --show-bin-path)/HTTP2WireFuzz" fuzz/h2-seeds fuzz/h2-regressions

# libFuzzer with AddressSanitizer, in its own build folder (the sanitizer flags would break other products).
fuzz-build: deps
	$(SWIFT) build -c release --product HTTPWireFuzz --scratch-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

fuzz: fuzz-build
	@mkdir -p fuzz/work fuzz/regressions
	@cp -n fuzz/seeds/* fuzz/work/ 2>/dev/null || true
	.build-fuzz/release/HTTPWireFuzz fuzz/work fuzz/seeds -dict=fuzz/http.dict \
	  -max_total_time=$(FUZZ_SECONDS) $(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) \
	  -artifact_prefix=fuzz/regressions/ -print_final_stats=1 -max_len=4096

# The frames + HPACK fuzzer (HTTP2Wire), the same way: ASan, FUZZ_SECONDS, artifacts in fuzz/h2-regressions.
fuzz-h2-build: deps
	$(SWIFT) build -c release --product HTTP2WireFuzz --scratch-path .build-fuzz \
	  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING

fuzz-h2: fuzz-h2-build
	@mkdir -p fuzz/h2-work fuzz/h2-regressions
	@cp -n fuzz/h2-seeds/* fuzz/h2-work/ 2>/dev/null || true
	.build-fuzz/release/HTTP2WireFuzz fuzz/h2-work fuzz/h2-seeds -dict=fuzz/h2.dict \
	  -max_total_time=$(FUZZ_SECONDS) $(if $(filter-out 1,$(FUZZ_JOBS)),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) \
	  -artifact_prefix=fuzz/h2-regressions/ -print_final_stats=1 -max_len=4096

# The network fuzzer against the reference server (or TARGET=HOST:PORT), FUZZ_SECONDS long.
fuzz-net: deps stamp
	$(SWIFT) build -c release --product cathammer
	"$$($(SWIFT) build -c release --show-bin-path)/cathammer" fuzz --duration $(FUZZ_SECONDS)s --jobs 2 $(if $(TARGET),--target $(TARGET))

# The network fuzzer against the reference server (FUZZ_REFERENCE_SECONDS) and then nginx, gunicorn
# and node (FUZZ_SECONDS each), one at a time; findings in fuzz/findings/<target>/.
FUZZ_REFERENCE_SECONDS ?= 1800
fuzz-peers: deps stamp
	@.ci/install-packages nginx-light
	python3 -m gunicorn --version >/dev/null 2>&1 || python3 -m pip install -q gunicorn
	$(SWIFT) build -c release --product cathammer
	reports/peers/fuzz-peers.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer" $(FUZZ_SECONDS) $(FUZZ_REFERENCE_SECONDS)

# The HTTP/2 fuzzer against the reference server (FUZZ_REFERENCE_SECONDS) and then nginx (http2), h2o and
# node's http2 module (FUZZ_SECONDS each); findings in fuzz/findings/h2-<target>/.
fuzz-peers-h2: deps stamp
	@.ci/install-packages nginx-light h2o
	$(SWIFT) build -c release --product cathammer
	reports/peers/fuzz-peers-h2.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer" $(FUZZ_SECONDS) $(FUZZ_REFERENCE_SECONDS)

bench: bench-parser bench-server bench-memory bench-cpu

bench-parser:
	@.ci/install-packages $(BENCH_APT_PACKAGES)
	cd Benchmarks && $(SWIFT) run -c release ParserBenchmark

# wrk against `cathammer serve -p 2` and nginx (2 workers) in the same run (BENCH_SECONDS, BENCH_CONNECTIONS);
# then HTTP/2: h2load -m 100 against cathammer, nginx (http2) and h2o, h2c and over TLS (BENCH_H2_CONNECTIONS, BENCH_H2_SECONDS).
bench-server: deps stamp
	@.ci/install-packages $(SERVER_BENCH_APT_PACKAGES)
	$(SWIFT) build -c release --product cathammer
	Benchmarks/server/bench-server.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"
	Benchmarks/server/bench-server-h2.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# Instructions per request under callgrind (load-independent): cathammer's worker and nginx's, a new
# connection per request in cleartext, with a full TLS handshake and with a resumed one (CPU_REQUESTS).
CPU_BENCH_APT_PACKAGES := nginx-light valgrind binutils iproute2
bench-cpu: deps stamp
	@.ci/install-packages $(CPU_BENCH_APT_PACKAGES)
	$(SWIFT) build -c release --product cathammer
	Benchmarks/server/bench-cpu.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

# Idle keep-alive connections (HTTP/1.1 and HTTP/2): bytes per connection of one worker, cathammer and nginx in the same run.
bench-memory: deps stamp
	@.ci/install-packages $(SERVER_BENCH_APT_PACKAGES)
	@python3 -c 'import h2' 2>/dev/null || python3 -m pip install -q h2
	$(SWIFT) build -c release --product cathammer
	Benchmarks/server/bench-memory.sh "$$($(SWIFT) build -c release --show-bin-path)/cathammer"

clean:
	rm -rf .build .build-fuzz .build-dist dist Benchmarks/.build fuzz/work fuzz/h2-work fuzz/out
