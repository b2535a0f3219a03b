#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once per machine) a guest kernel for svmx tests from Debian's
# linux-source-<version> tarball (linux-source.sh finds or downloads it) and
# print the path of its build tree.
#
#   build-kernel.sh 6.1     -> /var/cache/svmx/6.1-<hash>/linux-source-6.1
#
# The config is tinyconfig + kconfig.fragment + kconfig.<version>.fragment
# when there is one (7.3 adds KASAN and the memory cgroup).  The tree is cached under
# ${SVMX_KERNEL_CACHE:-/var/cache/svmx}/<version>-<hash>, <hash> covering
# the fragments, the source package's version and the recipe part of this
# script, and is kept whole so modules build against it with
# `make -C <tree> M=<dir>`.
# Only the tree path goes to stdout; progress goes to stderr and to
# <cache>/build.log.  Concurrent callers serialise on a lock file.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: build-kernel.sh <6.1|6.12|7.3>}
cache=${SVMX_KERNEL_CACHE:-/var/cache/svmx}
jobs=${SVMX_KERNEL_JOBS:-$(nproc)}
{ read -r src && read -r src_version; } < <("$here/linux-source.sh" "$ver") ||
	{ echo "build-kernel: no linux-source-$ver" >&2; exit 1; }
fragments=("$here/kconfig.fragment")
# kconfig.<version>.drop lists lines of kconfig.fragment that kernel no
# longer has (7.3: CONFIG_PROC_SYSCTL, folded into SYSCTL): they are left out
# of its copy of the common fragment, which the check below would otherwise
# fail on.  Kernels without a .drop file hash exactly as before.
if [ -f "$here/kconfig.$ver.drop" ]; then
	common=$(mktemp "${TMPDIR:-/tmp}/svmx-kconfig.XXXXXX")
	trap 'rm -f "$common"' EXIT
	grep -vxF -f "$here/kconfig.$ver.drop" "$here/kconfig.fragment" >"$common"
	fragments=("$common")
fi
[ -f "$here/kconfig.$ver.fragment" ] && fragments+=("$here/kconfig.$ver.fragment")

recipe() { sed -n '/^# --- recipe begin/,/^# --- recipe end/p' "$here/build-kernel.sh"; }
hash=$( { cat "${fragments[@]}"; echo "$src_version"; recipe; } | sha256sum | cut -c1-12)
dir=$cache/$ver-$hash
tree=$dir/linux-source-$ver
mkdir -p "$dir"

exec 9>"$dir/.lock"
flock 9

if [ -f "$dir/.done" ] && [ -f "$tree/arch/x86/boot/bzImage" ]; then
	echo "$tree"
	exit 0
fi

log=$dir/build.log
: >"$log"
start=$(date +%s)
{
# --- recipe begin
rm -rf "$tree"
tar -C "$dir" -xJf "$src"
cd "$tree"
make -s tinyconfig
./scripts/kconfig/merge_config.sh -m .config "${fragments[@]}" >/dev/null
make -s olddefconfig
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	if ! grep -qx -- "$line" .config; then
		echo "build-kernel: $line did not stick: $(grep -- "^${line%%=*}[= ]" .config || echo unset)" >&2
		missing=1
	fi
done < <(cat "${fragments[@]}")
[ "$missing" = 0 ] || exit 1
# nouveau stays out of `make modules`: ../nouveau/build.sh builds it, patched,
# and the series touches uapi/drm/nouveau_drm.h, which nearly every nouveau
# file includes, so a build here would be thrown away (7 minutes a kernel).
# Its dependencies (drm_ttm_helper, ...) are still built; nouveau's Kconfig
# selects them.
drm=drivers/gpu/drm/Makefile
cp "$drm" "$drm.orig"
sed -i 's@^obj-\$(CONFIG_DRM_NOUVEAU)[[:space:]]*+=[[:space:]]*nouveau/$@# &@' "$drm"
cmp -s "$drm" "$drm.orig" && { echo "build-kernel: no nouveau line in $drm" >&2; exit 1; }
# (last command of the recipe: its status is the recipe's)
make -j"$jobs" bzImage modules && mv "$drm.orig" "$drm"
# --- recipe end
} >>"$log" 2>&1 || { echo "build-kernel: failed, see $log" >&2; tail -20 "$log" >&2; exit 1; }
end=$(date +%s)
echo "build-kernel: $ver built in $((end - start)) s" | tee -a "$log" >&2
echo "$((end - start))" >"$dir/build-seconds"
touch "$dir/.done"
echo "$tree"
