#!/usr/bin/env bash
# make dist: cathammer for machines without a Swift toolchain. A release build with the Swift
# standard library, Foundation and Dispatch linked in (--static-swift-stdlib), checked to need only
# libc, libcurl and OpenSSL, then packaged with its man page, shell completions and the corpus as
#   dist/cathammer-<version>-linux-<arch>.tar.gz   (bin/, share/ under one folder: unpack anywhere)
#   dist/cathammer_<version>_<arch>.deb            (apt-get install ./dist/cathammer_*.deb)
# The build has its own folder (.build-dist) so it never invalidates the development builds.
set -euo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
# The Swift runtime needs the C++ runtime; --static-swift-stdlib still asks for libstdc++ and
# libgcc_s as shared libraries. Link them in too: -static-libgcc for the unwinder, and a folder
# holding only GCC's libstdc++.a, searched first, for the explicit -lstdc++ of Swift's link line.
mkdir -p .build-dist/static-libstdc++
ln -sf "$(g++ -print-file-name=libstdc++.a)" .build-dist/static-libstdc++/libstdc++.a
build=(-c release --static-swift-stdlib --scratch-path .build-dist
       -Xlinker -L.build-dist/static-libstdc++ -Xswiftc -Xclang-linker -Xswiftc -static-libgcc)

"$swift" build "${build[@]}" --product cathammer
binary="$("$swift" build "${build[@]}" --show-bin-path)/cathammer"
packaging/check-libraries.sh "$binary"

# 0.1.0 from the binary, made unique per commit with the revision the binary itself names (make
# stamped it before the build): 0.1.0+git<commits>.<describe, '-' as '.'>, e.g. 0.1.0+git161.d7e54e4.dirty
base_version=$("$binary" --version | sed -n '1s/^cathammer //p')
revision=$("$binary" --version | sed -n 's/^git revision: \([^ ]*\)$/\1/p')
[ -n "$revision" ] || { echo "make-dist: the binary names no git revision (build it with make)" >&2; exit 1; }
commits=$(git rev-list --count "${revision%-dirty}" 2>/dev/null || echo 0)
version="${base_version}+git${commits}.${revision//-/.}"
arch=$(dpkg --print-architecture)

rm -rf dist/stage
root=dist/stage/root
mkdir -p "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/doc/cathammer" \
  "$root/usr/share/bash-completion/completions" "$root/usr/share/zsh/vendor-completions" "$root/usr/share/fish/vendor_completions.d"
install -m 0755 "$binary" "$root/usr/bin/cathammer"
strip --strip-unneeded "$root/usr/bin/cathammer"
"$root/usr/bin/cathammer" corpus export "$root/usr/share/cathammer/corpus" >/dev/null
python3 packaging/manpage.py "$root/usr/bin/cathammer" | gzip -9n > "$root/usr/share/man/man1/cathammer.1.gz"
"$root/usr/bin/cathammer" --generate-completion-script bash > "$root/usr/share/bash-completion/completions/cathammer"
"$root/usr/bin/cathammer" --generate-completion-script zsh > "$root/usr/share/zsh/vendor-completions/_cathammer"
"$root/usr/bin/cathammer" --generate-completion-script fish > "$root/usr/share/fish/vendor_completions.d/cathammer.fish"
cp README.md "$root/usr/share/doc/cathammer/README.md"
cp reports/README.md "$root/usr/share/doc/cathammer/reports.md"
# Examples, not installed units: the operator copies them to /etc/systemd/system and adapts them.
mkdir -p "$root/usr/share/doc/cathammer/examples/systemd"
cp examples/systemd/cathammer.service examples/systemd/cathammer.socket "$root/usr/share/doc/cathammer/examples/systemd/"
find "$root" -type d -exec chmod 0755 {} + && find "$root/usr/share" -type f -exec chmod 0644 {} +

# Depends: the Debian packages that provide the libraries the binary links (libc6, libcurl4,
# libssl3), with the minimal versions their symbols files give: dpkg-shlibdeps, as Debian's own
# packages are made.
shlibs=dist/stage/shlibs
mkdir -p "$shlibs/debian"
printf 'Source: cathammer\n\nPackage: cathammer\nArchitecture: any\n' > "$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O -e "$OLDPWD/$root/usr/bin/cathammer" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
for package in libcurl4 libssl3; do
  grep -q "\b$package\b" <<< "$depends" || { echo "make-dist: Depends ($depends) lacks $package" >&2; exit 1; }
done

mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: cathammer
Version: $version
Architecture: $arch
Maintainer: cathammer developers <cathammer@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: httpd
Priority: optional
Description: HTTP/1.1 hardening and conformance workbench
 A strict reference pre-fork HTTP server (cathammer serve) and a harness that
 attacks any HTTP/1.1 server with byte-exact and fuzzed requests (run corpus,
 fuzz), checks zero-drop reloads under load (reload-check) and the thundering
 herd (herd-check), and writes reports for people and for CI (HTML, JSON,
 JUnit, Markdown, SARIF). The conformance corpus is built into the binary.
CONTROL

rm -f dist/cathammer_*.deb dist/cathammer-*.tar.gz
deb="dist/cathammer_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null

# The tarball: the same files under cathammer-<version>/ (bin/, share/), usable without installing.
tree="cathammer-${version}-linux-${arch}"
mkdir -p "dist/stage/$tree"
cp -a "$root/usr/." "dist/stage/$tree/"
tar -C dist/stage --owner=0 --group=0 -czf "dist/$tree.tar.gz" "$tree"
rm -rf "dist/stage/$tree"

echo "dist: $deb (Depends: $depends)"
echo "dist: dist/$tree.tar.gz"
echo "dist: $("$root/usr/bin/cathammer" --version | tr '\n' ';')"
