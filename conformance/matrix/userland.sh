#!/bin/bash
# Build (once per machine) a Debian userland for the distribution matrix and
# print its root directory.
#
#   userland.sh debian13  -> /var/cache/svmx/userland/debian13-<hash>/root
#   userland.sh sid
#
# The userland holds Mesa's rusticl, PoCL, ocl-icd (installed) and the
# Khronos loader (unpacked in /opt/khronos, chosen with LD_LIBRARY_PATH), and
# what svmx builds with.  It is cached under
# ${SVMX_USERLAND_CACHE:-/var/cache/svmx/userland}/<name>-<hash>, <hash>
# covering the recipe below (suites and package list).  The host's apt setup
# is read for its Debian mirror and never changed.  Only the root path goes
# to stdout; progress goes to stderr and <dir>/build.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
name=${1:?usage: userland.sh <debian13|sid>}
cache=${SVMX_USERLAND_CACHE:-/var/cache/svmx/userland}

# --- recipe begin
packages="build-essential cmake pkg-config ocl-icd-libopencl1 ocl-icd-opencl-dev
 opencl-headers clinfo mesa-opencl-icd pocl-opencl-icd libdrm-dev mount"
case "$name" in
debian13) suites="trixie trixie-backports" ;;
sid) suites="sid" ;;
*) echo "userland: unknown userland $name (debian13, sid)" >&2; exit 2 ;;
esac
khronos_suite=${suites##* }
# --- recipe end

recipe() { sed -n '/^# --- recipe begin/,/^# --- recipe end/p' "$here/userland.sh"; }
hash=$( { echo "$name"; recipe; } | sha256sum | cut -c1-12)
dir=$cache/$name-$hash
root=$dir/root
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ -f "$dir/.done" ]; then
	echo "$root"
	exit 0
fi

command -v mmdebstrap >/dev/null || { echo "userland: mmdebstrap missing (apt install mmdebstrap)" >&2; exit 1; }
mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Origin: Debian' 2>/dev/null |
	grep -m1 -E '/debian/?$' || true)
[ -n "$mirror" ] || { echo "userland: no Debian mirror in the host's apt sources" >&2; exit 1; }
sources=()
for s in $suites; do
	sources+=("deb $mirror $s main")
done
log=$dir/build.log
start=$(date +%s)
rm -rf "$root"
# sid's Release file may be past its valid-until date on the mirror.
if ! mmdebstrap --variant=apt --include="$(echo $packages | tr ' ' ,)" \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--customize-hook="chroot \"\$1\" sh -c 'cd /tmp && apt-get download -t $khronos_suite khronos-opencl-icd-libopencl1 && dpkg-deb -x khronos-opencl-icd-libopencl1_*.deb /opt/khronos && rm -f /tmp/*.deb'" \
	"${suites%% *}" "$root" "${sources[@]}" >"$log" 2>&1; then
	echo "userland: mmdebstrap failed, see $log" >&2
	tail -20 "$log" >&2
	exit 1
fi
[ -e "$root"/opt/khronos/usr/lib/x86_64-linux-gnu/libOpenCL.so.1 ] ||
	{ echo "userland: the Khronos loader did not unpack" >&2; exit 1; }
echo "userland: $name built in $(($(date +%s) - start)) s" | tee -a "$log" >&2
touch "$dir/.done"
echo "$root"
