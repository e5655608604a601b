#!/bin/bash -eu
# Builds the in-process parser fuzzer (Sources/HTTPWireFuzz) the way OSS-Fuzz and ClusterFuzzLite
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
# shellcheck disable=SC2086
swift build -c release --product HTTPWireFuzz --scratch-path "$root/.build-fuzz" -Xswiftc -DFUZZING $flags
bin=$(swift build -c release --scratch-path "$root/.build-fuzz" --show-bin-path)
cp "$bin/HTTPWireFuzz" "$OUT/HTTPWireFuzz"
cp fuzz/http.dict "$OUT/HTTPWireFuzz.dict"
rm -f "$OUT/HTTPWireFuzz_seed_corpus.zip"
find fuzz/seeds fuzz/regressions -type f ! -name README.md -print | zip -q -j "$OUT/HTTPWireFuzz_seed_corpus.zip" -@
echo "built $OUT/HTTPWireFuzz (sanitizer: $SANITIZER)"
