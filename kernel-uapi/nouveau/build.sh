#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build nouveau.ko with the svmx series applied, against a harness kernel tree.
#
#   build.sh <6.1|6.12>     -> prints the path of the patched nouveau.ko
#
# The tree comes from ../harness/build-kernel.sh (or $SVMX_NOUVEAU_TREE).  It
# is not modified: a scratch copy under ${SVMX_NOUVEAU_BUILD:-/var/tmp/svmx-nouveau-build}
# links the tree (its .config, generated headers, Module.symvers and
# scripts), replaces drivers/gpu/drm/nouveau and every other file the series
# touches with real copies, applies <version>/*.patch with `patch -p1` and
# rebuilds the module with `make M=drivers/gpu/drm/nouveau KCFLAGS=-Werror`
# (nouveau's Kbuild uses $(srctree)/$(src) include paths, so the module is
# built at its in-tree place).  Any compiler or modpost warning fails the build.
# Progress goes to stderr and <scratch>/<version>/build.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: build.sh <6.1|6.12>}
series=$here/$ver
[ -d "$series" ] || { echo "build.sh: no series $series" >&2; exit 2; }
tree=${SVMX_NOUVEAU_TREE:-}
[ -n "$tree" ] || tree=$("$here/../harness/build-kernel.sh" "$ver")
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

mkdir -p "$scratch"
exec 9>"$scratch/.lock"
flock 9
rm -rf "$copy"
: >"$log"
echo "build.sh: linking $tree into $copy" >&2
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
if grep -E '(^|[^a-z])warning:|WARNING:' "$log" >&2; then
	echo "build.sh: the build warned, see $log" >&2
	exit 1
fi
ko=$copy/$nv/nouveau.ko
[ -f "$ko" ] || { echo "build.sh: no $ko" >&2; exit 1; }
echo "build.sh: built $ko" >&2
echo "$ko"
