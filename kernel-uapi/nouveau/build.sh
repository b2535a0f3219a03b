#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build nouveau.ko with the svmx series applied, against a harness kernel tree.
#
#   build.sh <6.1|6.12|7.3>     -> prints the path of the patched nouveau.ko
#
# The tree comes from ../harness/build-kernel.sh (or $SVMX_NOUVEAU_TREE).  It
# is not modified: a scratch copy under ${SVMX_NOUVEAU_BUILD:-/var/tmp/svmx-nouveau-build}
# links the tree (its .config, generated headers, Module.symvers and
# scripts), replaces drivers/gpu/drm/nouveau and every other file the series
# touches with real copies, applies <version>/*.patch with `patch -p1` and
# builds the module with `make M=drivers/gpu/drm/nouveau KCFLAGS=-Werror`
# (nouveau's Kbuild uses $(srctree)/$(src) include paths, so the module is
# built at its in-tree place).  Any compiler or modpost warning fails the build.
# Every nouveau object is compiled here: the harness kernel's own build
# leaves nouveau out, since objects it compiled were all compiled again here
# before 2d227f3 (this build's command lines differ: an M= build, -Werror).  Only 96 of
# nouveau's 690 objects include the uapi header the series changes; the
# note inside build-kernel.sh's recipe that says "nearly every" is wrong and
# stays until the recipe changes for another reason (its text is hashed
# into the kernel cache key).
# Progress goes to stderr and <scratch>/<version>/build.log.
#
# Cache: the module and its build log are kept in
# ${SVMX_KERNEL_CACHE:-/var/cache/svmx}/nouveau-<version>-<key>, <key> a hash
# of the series, the recipe part of this script, the compiler and the kernel
# tree's identity (its path, which carries build-kernel.sh's own hash, and
# the time it was finished).  A hit skips the build; the kept log is checked
# for warnings again, so the "no warning" rule holds for cached builds too.
# SVMX_NOUVEAU_NO_CACHE=1 always builds (and refreshes the cache entry).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: build.sh <6.1|6.12|7.3>}
series=$here/$ver
[ -d "$series" ] || { echo "build.sh: no series $series" >&2; exit 2; }
tree=${SVMX_NOUVEAU_TREE:-}
[ -n "$tree" ] || tree=$("$here/../harness/build-kernel.sh" "$ver")
tree=$(cd "$tree" && pwd -P)
[ -f "$tree/.config" ] && [ -f "$tree/Module.symvers" ] ||
	{ echo "build.sh: $tree is not a built kernel tree" >&2; exit 2; }
grep -qx 'CONFIG_DRM_NOUVEAU=m' "$tree/.config" ||
	{ echo "build.sh: $tree lacks CONFIG_DRM_NOUVEAU=m" >&2; exit 2; }
grep -qx 'CONFIG_DRM_NOUVEAU_SVM=y' "$tree/.config" ||
	{ echo "build.sh: $tree lacks CONFIG_DRM_NOUVEAU_SVM=y" >&2; exit 2; }
jobs=${SVMX_KERNEL_JOBS:-2}
scratch=${SVMX_NOUVEAU_BUILD:-/var/tmp/svmx-nouveau-build}/$ver
copy=$scratch/linux
log=$scratch/build.log
nv=drivers/gpu/drm/nouveau

# warnings in a build log (compiler, modpost): none allowed
warned() { grep -E '(^|[^a-z])warning:|WARNING:' "$1" >&2; }

recipe() { sed -n '/^# --- recipe begin/,/^# --- recipe end/p' "$here/build.sh"; }
tree_done=$(stat -c %Y "$tree/../.done" 2>/dev/null || stat -c %Y "$tree/Module.symvers")
key=$( {
	for p in "$series"/*.patch; do basename "$p"; cat "$p"; done
	recipe
	gcc --version | head -n1
	echo "$tree $tree_done"
} | sha256sum | cut -c1-16)
cache=${SVMX_KERNEL_CACHE:-/var/cache/svmx}/nouveau-$ver-$key

mkdir -p "$scratch"
exec 9>"$scratch/.lock"
flock 9

if [ "${SVMX_NOUVEAU_NO_CACHE:-0}" != 1 ] && [ -f "$cache/.done" ] &&
	[ -f "$cache/nouveau.ko" ] && [ -f "$cache/build.log" ]; then
	if warned "$cache/build.log"; then
		echo "build.sh: the cached build warned, see $cache/build.log" >&2
		exit 1
	fi
	echo "build.sh: cached $cache/nouveau.ko (series and tree unchanged, log has no warning)" >&2
	echo "$cache/nouveau.ko"
	exit 0
fi

rm -rf "$copy"
: >"$log"
start=$(date +%s)
echo "build.sh: linking $tree into $copy" >&2
# --- recipe begin
# hard links where the tree is on the same file system, symbolic links if not
cp -al "$tree" "$copy" 2>/dev/null || { rm -rf "$copy"; cp -as "$tree" "$copy"; }

# Never write through a link into the harness tree.
rm -rf "${copy:?}/$nv"
cp -a "$tree/$nv" "$copy/$nv"
for f in $(sed -n 's@^+++ b/\([^[:space:]]*\).*@\1@p' "$series"/*.patch | sort -u); do
	case "$f" in $nv/*) continue ;; esac
	if [ -e "$tree/$f" ]; then
		cp --remove-destination "$tree/$f" "$copy/$f"
	fi
done

for p in "$series"/*.patch; do
	echo "build.sh: applying $(basename "$p")" >&2
	patch -d "$copy" -p1 --batch --forward --no-backup-if-mismatch <"$p" >>"$log" 2>&1 ||
		{ echo "build.sh: $(basename "$p") does not apply, see $log" >&2; tail -20 "$log" >&2; exit 1; }
done

echo "build.sh: building $nv (-j$jobs)" >&2
if ! make -C "$copy" -j"$jobs" M="$nv" KCFLAGS=-Werror modules >>"$log" 2>&1; then
	echo "build.sh: build failed, see $log" >&2
	grep -E 'error|warning' "$log" | head -40 >&2
	exit 1
fi
# --- recipe end
if warned "$log"; then
	echo "build.sh: the build warned, see $log" >&2
	exit 1
fi
ko=$copy/$nv/nouveau.ko
[ -f "$ko" ] || { echo "build.sh: no $ko" >&2; exit 1; }
end=$(date +%s)
echo "build.sh: built $ko in $((end - start)) s" | tee -a "$log" >&2

# Keep the module and its log; a half-written entry never looks complete.
rm -rf "$cache" "$cache.tmp"
mkdir -p "$cache.tmp"
cp "$ko" "$log" "$cache.tmp/"
echo "$((end - start))" >"$cache.tmp/build-seconds"
touch "$cache.tmp/.done"
mv "$cache.tmp" "$cache"
# Entries of this version for other keys are stale.
for old in "${cache%-*}"-*; do
	[ "$old" = "$cache" ] || [ ! -d "$old" ] || rm -rf "$old"
done
echo "$cache/nouveau.ko"
