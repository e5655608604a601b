#!/usr/bin/env bash
# make dist-check: issue 18's done-when check, on a machine with no Swift toolchain. A Debian 12
# (bookworm) chroot made by debootstrap from the mirror apt is configured with, cached outside the
# repository (CATHAMMER_CHROOT, default /var/tmp/cathammer-dist-check/bookworm) so later runs take
# seconds; each run works in a throw-away overlay over it, in a private mount namespace, so the
# cached tree stays fresh. Inside: `apt-get install ./cathammer_*.deb` (its Depends come from the
# mirror, or the cache warmed when the chroot was made), then, from an empty directory,
# `cathammer run corpus --spawn 'cathammer serve …'` must pass the whole built-in corpus; the
# tarball's binary must run too, and nothing of Swift may exist in the chroot.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "dist-check: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }

base=${CATHAMMER_CHROOT:-/var/tmp/cathammer-dist-check/bookworm}
# The first deb mirror apt uses here (deb822 or one-line sources), else Debian's.
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\/*\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}

if [ ! -e "$base/.cathammer-ready" ]; then
  echo "dist-check: making a Debian 12 chroot in $base from $mirror (once)"
  rm -rf "$base"
  mkdir -p "$(dirname "$base")"
  debootstrap --variant=minbase bookworm "$base" "$mirror"
  echo "deb $mirror bookworm main" > "$base/etc/apt/sources.list"
  cp /etc/resolv.conf "$base/etc/resolv.conf"
  # Warm the package cache with what the .deb will ask for, so each check installs offline.
  unshare -m --propagation private sh -c "
    mount -t proc proc '$base/proc' && mount --rbind /dev '$base/dev' &&
    chroot '$base' sh -c 'apt-get update -qq && apt-get install -qq -y --download-only libcurl4 libssl3 >/dev/null'"
  touch "$base/.cathammer-ready"
fi

deb=$(ls dist/cathammer_*.deb 2>/dev/null | head -1)
tarball=$(ls dist/cathammer-*.tar.gz 2>/dev/null | head -1)
[ -n "$deb" ] && [ -n "$tarball" ] || { echo "dist-check: no package in dist/ (run make dist)" >&2; exit 2; }
work=$(mktemp -d /var/tmp/cathammer-dist-check-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/upper" "$work/overlay-work" "$work/root"
cp "$deb" "$tarball" "$work/"
cat > "$work/check-inside.sh" <<'INSIDE'
#!/bin/sh
# Runs inside the chroot: no Swift anywhere, install the package, use it from an empty directory.
set -eu
if command -v swift >/dev/null 2>&1 || [ -e /opt/swift ] || ls /usr/lib/swift >/dev/null 2>&1; then
  echo "dist-check: this chroot has a Swift toolchain" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
(cd /packages && apt-get install -qq -y ./cathammer_*.deb >/dev/null)
echo "installed: $(dpkg-query -W -f='${Package} ${Version}, Depends: ${Depends}' cathammer)"
cathammer --version
for file in /usr/share/man/man1/cathammer.1.gz /usr/share/bash-completion/completions/cathammer \
            /usr/share/zsh/vendor-completions/_cathammer /usr/share/fish/vendor_completions.d/cathammer.fish \
            /usr/share/cathammer/corpus/README.md /usr/share/doc/cathammer/examples/systemd/cathammer.service \
            /usr/share/doc/cathammer/examples/systemd/cathammer.socket; do
  [ -s "$file" ] || { echo "dist-check: $file is missing" >&2; exit 1; }
done
cd "$(mktemp -d)"
[ -z "$(ls -A)" ]
cathammer run corpus --spawn 'cathammer serve --http 127.0.0.1:{port} -p 2' --offers catserve-routes \
  --format json,junit,sarif --out report --quiet
[ -s report/report.json ] && [ -s report/junit.xml ] && [ -s report/report.sarif ]
cathammer corpus lint --corpus /usr/share/cathammer/corpus | tail -1
mkdir unpacked && tar -C unpacked -xzf /packages/cathammer-*.tar.gz
unpacked/cathammer-*/bin/cathammer --version | head -1
echo "dist-check: passed inside a Debian $(cat /etc/debian_version) chroot without Swift"
INSIDE
chmod +x "$work/check-inside.sh"

unshare -m --propagation private sh -c "
  set -e
  mount -t overlay overlay -o 'lowerdir=$base,upperdir=$work/upper,workdir=$work/overlay-work' '$work/root'
  mount -t proc proc '$work/root/proc'
  mount --rbind /dev '$work/root/dev'
  mkdir -p '$work/root/packages'
  mount --bind '$work' '$work/root/packages'
  chroot '$work/root' /packages/check-inside.sh"
