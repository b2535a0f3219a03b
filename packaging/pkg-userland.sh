#!/bin/bash
# The Debian 13 userland of the distribution matrix (conformance/matrix/
# userland.sh) plus what building and checking Debian packages needs, as an
# overlay layer built once and cached; the matrix's userland is never
# written.  Prints the overlay lower-directory list (layer:base) for
# packaging/overlay-run.sh.
#
#   pkg-userland.sh [debian13|debian12]
#
# debian12: the host is Debian 12 and must not be installed into, and the
# matrix has no Debian 12 userland, so one is built here with mmdebstrap
# (same package list as the matrix's, plus the packaging tools).
# Cached under ${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}/<name>-<hash>,
# <hash> covering the base userland's path (itself keyed by its recipe) and
# the package list below.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:-debian13}
cache=${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}
# --- recipe begin
packages="debhelper dh-dkms dkms lintian kmod"
# Debian 12 has no matrix userland (the host is Debian 12, and is not to be
# installed into): one is built here with the matrix's package list.
debian12_packages="build-essential cmake pkg-config ocl-icd-libopencl1 ocl-icd-opencl-dev
 opencl-headers clinfo mesa-opencl-icd pocl-opencl-icd libdrm-dev mount $packages"
# --- recipe end
recipe() { sed -n '/^# --- recipe begin/,/^# --- recipe end/p' "$here/pkg-userland.sh"; }
case "$name" in
debian13) base=$("$here/../conformance/matrix/userland.sh" "$name") ;;
debian12) base=bookworm ;;
*) echo "pkg-userland: unknown userland $name (debian12, debian13)" >&2; exit 2 ;;
esac
hash=$( { echo "$base"; recipe; } | sha256sum | cut -c1-12)
dir=$cache/$name-pkg-$hash
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ ! -f "$dir/.done" ]; then
	start=$(date +%s)
	rm -rf "$dir/layer" "$dir/root"
	if [ "$name" = debian12 ]; then
		mirror=$(apt-get indextargets --format '$(REPO_URI)' 'Origin: Debian' 2>/dev/null |
			grep -m1 -E '/debian/?$' || true)
		[ -n "$mirror" ] || { echo "pkg-userland: no Debian mirror in the host's apt sources" >&2; exit 1; }
		# shellcheck disable=SC2086
		mmdebstrap --variant=apt --include="$(echo $debian12_packages | tr ' ' ,)" \
			bookworm "$dir/root" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
			>"$dir/build.log" 2>&1 || {
			echo "pkg-userland: mmdebstrap failed, see $dir/build.log" >&2
			tail -20 "$dir/build.log" >&2
			exit 1
		}
	elif ! "$here/overlay-run.sh" "$base" "$dir/layer" - sh -c "
		apt-get -o Acquire::Check-Valid-Until=false update &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages &&
		apt-get clean" >"$dir/build.log" 2>&1; then
		echo "pkg-userland: installing $packages failed, see $dir/build.log" >&2
		tail -20 "$dir/build.log" >&2
		exit 1
	fi
	rm -rf "$dir/layer/work" "$dir/layer/merged"
	echo "pkg-userland: $name in $(($(date +%s) - start)) s" | tee -a "$dir/build.log" >&2
	touch "$dir/.done"
fi
if [ "$name" = debian12 ]; then
	echo "$dir/root"
else
	echo "$dir/layer/upper:$base"
fi
