#!/bin/bash
# Build svmx's Debian packages (debian/) with `dpkg-buildpackage -us -uc -b`
# from a copy of the tree, on the Debian 12 host or in the Debian 13
# userland (an overlay over pkg-userland.sh's layers, thrown away after),
# check them with lintian (any error fails), and print the directory that
# holds the .debs, build.log and lintian.log.
#
#   deb-build.sh SRC debian12|debian13
#
# Cached under ${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}/debs-<dist>-<hash>,
# <hash> covering every file the packages are built from, the build
# environment (the userland's layers, or the host's build tools) and this
# script.  Nothing is installed anywhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: deb-build.sh SRC debian12|debian13}
dist=${2:?usage: deb-build.sh SRC debian12|debian13}
cache=${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}
# What the packages are built from (debian/rules builds nothing else).
paths="CMakeLists.txt runtime icd include man debian kernel-uapi/module packaging/CMakeLists.txt
 packaging/svmx.pc.in packaging/svmxConfig.cmake.in packaging/gen-man.cmake packaging/settings_test.c
 packaging/svmx-run-cli.sh packaging/settings-readme.sh packaging/install-tree.sh"
case "$dist" in
debian12)
	[ "$(cut -d. -f1 /etc/debian_version)" = 12 ] ||
		{ echo "deb-build: the host is not Debian 12" >&2; exit 1; }
	buildenv=$(dpkg-query -W debhelper dh-dkms cmake gcc libc6-dev ocl-icd-opencl-dev libdrm-dev lintian)
	;;
debian13)
	lower=$("$here/pkg-userland.sh" debian13)
	buildenv=$lower
	;;
*) echo "deb-build: unknown distribution $dist (debian12, debian13)" >&2; exit 2 ;;
esac
# The files under paths, without build products (.gitignore) in a git tree.
files() {
	if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$src" ls-files -co --exclude-standard -- "$@" | LC_ALL=C sort -u |
			while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done
	else
		find "$@" \( -type f -o -type l \) | LC_ALL=C sort
	fi
}
hash=$( {
	echo "$dist"
	echo "$buildenv"
	cat "$here/deb-build.sh"
	# shellcheck disable=SC2086
	(cd "$src" && files $paths | xargs sha256sum)
} | sha256sum | cut -c1-12)
dir=$cache/debs-$dist-$hash
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "deb-build: $dist: cached ($dir)" >&2
	echo "$dir"
	exit 0
fi
start=$(date +%s)
rm -rf "$dir/work" "$dir/ov" "$dir"/*.deb
mkdir -p "$dir/work/svmx"
# shellcheck disable=SC2086
(cd "$src" && files $paths | tar -cf - --no-recursion -T -) | tar -C "$dir/work/svmx" -xf -
build='cd "$1/work/svmx" && dpkg-buildpackage -us -uc -b >"$1/build.log" 2>&1 &&
	cd .. && { lintian --fail-on error -I --pedantic ./*.changes >"$1/lintian.log" 2>&1; st=$?;
	grep -v "running with root privileges" "$1/lintian.log" >"$1/lintian.tags" || true; exit $st; }'
status=0
case "$dist" in
debian12) sh -c "$build" deb-build "$dir" || status=$? ;;
debian13) "$here/overlay-run.sh" "$lower" "$dir/ov" "$dir" sh -c "$build" deb-build "$dir" || status=$? ;;
esac
rm -rf "$dir/ov"
if [ $status -ne 0 ]; then
	echo "deb-build: $dist: FAIL (status $status); build.log ends:" >&2
	tail -25 "$dir/build.log" >&2
	[ -f "$dir/lintian.tags" ] && { echo "lintian:" >&2; cat "$dir/lintian.tags" >&2; }
	exit 1
fi
mv "$dir"/work/*.deb "$dir"/
# Each package holds what it is for.
missing=
while read -r pkg file; do
	listing=$(dpkg-deb -c "$dir/${pkg}"_*.deb)
	grep -qE " \./$file\$" <<<"$listing" || missing="$missing $pkg:$file"
done <<'LIST'
svmx etc/OpenCL/layers/svmx.lay
svmx usr/bin/svmx-run
svmx usr/lib/x86_64-linux-gnu/svmx/libsvmx.so
svmx usr/libexec/svmx/svmx-settings
svmx usr/share/man/man1/svmx-run.1.gz
svmx usr/share/man/man7/svmx.7.gz
libsvmx-dev usr/include/svmx/svmx_ext.h
libsvmx-dev usr/include/svmx/svmx_uapi.h
libsvmx-dev usr/lib/x86_64-linux-gnu/pkgconfig/svmx.pc
libsvmx-dev usr/lib/x86_64-linux-gnu/cmake/svmx/svmxConfig.cmake
libsvmx-dev usr/lib/x86_64-linux-gnu/cmake/svmx/svmxConfigVersion.cmake
svmx-dkms usr/src/svmx-[0-9.]+/dkms.conf
svmx-dkms usr/src/svmx-[0-9.]+/Kbuild
svmx-dkms usr/src/svmx-[0-9.]+/include/svmx/svmx_uapi.h
svmx-dkms (usr/)?lib/udev/rules.d/60-svmx.rules
LIST
if [ -n "$missing" ]; then
	echo "deb-build: $dist: FAIL: not in the packages:$missing" >&2
	exit 1
fi
rm -rf "$dir/work"
echo "deb-build: $dist: built $(cd "$dir" && echo *.deb) in $(($(date +%s) - start)) s; lintian: $(wc -l <"$dir/lintian.tags") tags, no errors" >&2
[ -s "$dir/lintian.tags" ] && cat "$dir/lintian.tags" >&2
touch "$dir/.done"
# Builds of older inputs are not needed again (skip any still in progress).
for old in "$cache"/debs-"$dist"-*; do
	[ "$old" = "$dir" ] || [ ! -d "$old" ] && continue
	(flock -n 9 && rm -rf "$old") 9>>"$old/.lock" 2>/dev/null || true
done
echo "$dir"
