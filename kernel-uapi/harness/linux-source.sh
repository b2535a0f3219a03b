#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Print the path of Debian's linux-source-<ver>.tar.xz and, on a second
# line, the package version it came from.
#
#   linux-source.sh 6.12  -> /usr/src/linux-source-6.12.tar.xz
#                            6.12.57-1~deb12u1
#
# An installed package (apt install linux-source-<ver>, Debian 12 has 6.1
# and 6.12) is used as it is.  Other versions are downloaded by package name
# from the Debian suite that carries them, with a private apt list: the
# host's apt sources are read for their mirror and never changed.  Downloads
# are kept in ${SVMX_KERNEL_CACHE:-/var/cache/svmx}/src/<ver>.
set -euo pipefail

ver=${1:?usage: linux-source.sh <6.1|6.12|7.3>}
srcdir=${SVMX_LINUX_SOURCE_DIR:-/usr/src}
cache=${SVMX_KERNEL_CACHE:-/var/cache/svmx}/src/$ver
pkg=linux-source-$ver

if [ -f "$srcdir/$pkg.tar.xz" ]; then
	echo "$srcdir/$pkg.tar.xz"
	dpkg-query -W -f='${Version}\n' "$pkg" 2>/dev/null || echo unpackaged
	exit 0
fi
case "$ver" in
7.3) suite=trixie-backports ;;
7.2) suite=sid ;;
*) echo "linux-source: $srcdir/$pkg.tar.xz not found (apt install $pkg)" >&2; exit 1 ;;
esac

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$cache/.done" ]; then
	echo "$cache/usr/src/$pkg.tar.xz"
	cat "$cache/version"
	exit 0
fi
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Origin: Debian' 2>/dev/null |
	grep -m1 -E '/debian/?$' || true)
[ -n "$mirror" ] || { echo "linux-source: no Debian mirror in the host's apt sources" >&2; exit 1; }
apt_dir=$cache/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
echo "deb $mirror $suite main" >"$apt_dir/sources.list"
opts=(-o Dir::Etc::sourcelist="$apt_dir/sources.list" -o Dir::Etc::sourceparts=/dev/null
	-o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache::Archives="$apt_dir/archives"
	-o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" -qq update >&2
(cd "$cache" && apt-get "${opts[@]}" -qq download "$pkg" >&2)
deb=$(ls "$cache"/"${pkg}"_*.deb | head -n1)
dpkg-deb -f "$deb" Version >"$cache/version"
dpkg-deb -x "$deb" "$cache"
rm -f "$deb"
rm -rf "$apt_dir"
[ -f "$cache/usr/src/$pkg.tar.xz" ] || { echo "linux-source: $pkg has no $pkg.tar.xz" >&2; exit 1; }
touch "$cache/.done"
echo "$cache/usr/src/$pkg.tar.xz"
cat "$cache/version"
