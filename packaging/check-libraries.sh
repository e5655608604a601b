#!/usr/bin/env bash
# Fails unless BINARY needs only the shared libraries a fresh Debian 12 has or gets from its
# declared dependencies: libc and its friends (libm, libpthread, libdl, librt, ld-linux), libcurl
# and OpenSSL (libssl, libcrypto). No libswift*, no Foundation, no libdispatch: those are linked in.
set -euo pipefail
binary="$1"
allowed='^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|librt\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libcurl\.so\.4|libssl\.so\.3|libcrypto\.so\.3)$'
status=0
needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
[ -n "$needed" ] || { echo "check-libraries: $binary has no NEEDED entries (not a dynamic executable?)" >&2; exit 1; }
while read -r library; do
  if ! [[ "$library" =~ $allowed ]]; then
    echo "check-libraries: $binary needs $library, which is not libc, libcurl or OpenSSL" >&2
    status=1
  fi
done <<< "$needed"
# ldd resolves the whole tree: libcurl's own dependencies are Debian's business, but nothing of
# Swift's runtime may be loaded from anywhere.
if ldd "$binary" | grep -Ei 'libswift|libFoundation|libdispatch|libBlocksRuntime|/opt/swift|not found'; then
  echo "check-libraries: $binary loads the Swift runtime or misses a library (above)" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "check-libraries: $binary needs only: $(echo $needed)"
exit "$status"
