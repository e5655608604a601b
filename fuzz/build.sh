#!/bin/bash -eu
# Builds the in-process fuzzers (Sources/HTTPWireFuzz, Sources/HTTP2WireFuzz) the way OSS-Fuzz and ClusterFuzzLite
# expect: libFuzzer and the sanitizer from $SANITIZER, the binary in $OUT with its seed corpus
# (<name>_seed_corpus.zip) and dictionary (<name>.dict). Inside the base-builder-swift image
# `precompile_swift` provides the compiler flags; run elsewhere (OUT unset) it builds the same
# thing into fuzz/out with AddressSanitizer, for a local check.
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -z "${OUT:-}" ]; then
  export OUT="$root/fuzz/out" SANITIZER=${SANITIZER:-address}
  mkdir -p "$OUT"
  flags="-Xswiftc -sanitize=fuzzer,$SANITIZER"
else
  # precompile_swift sets SWIFTFLAGS: static standard library, the sanitizers, $CFLAGS for C targets,
  # and -parse-as-library, which is dropped: main.swift drives libFuzzer through LLVMFuzzerRunDriver
  # (SWIFT6_2FLAGS' SwiftPM --sanitize=fuzzer implies -parse-as-library the same way).
  . precompile_swift
  flags=${SWIFTFLAGS//-Xswiftc -parse-as-library/}
fi
# Its own build folder: the sanitizer flags would break the other products' link.
# Each fuzzer: the product, its dictionary, its seeds and regressions.
build_fuzzer() {
  local name=$1 dict=$2
  shift 2
  # shellcheck disable=SC2086
  swift build -c release --product "$name" --scratch-path "$root/.build-fuzz" -Xswiftc -DFUZZING $flags
  bin=$(swift build -c release --scratch-path "$root/.build-fuzz" --show-bin-path)
  cp "$bin/$name" "$OUT/$name"
  cp "$dict" "$OUT/$name.dict"
  rm -f "$OUT/${name}_seed_corpus.zip"
  find "$@" -type f ! -name README.md -print | zip -q -j "$OUT/${name}_seed_corpus.zip" -@
  echo "built $OUT/$name (sanitizer: $SANITIZER)"
}
build_fuzzer HTTPWireFuzz fuzz/http.dict fuzz/seeds fuzz/regressions
build_fuzzer HTTP2WireFuzz fuzz/h2.dict fuzz/h2-seeds fuzz/h2-regressions
