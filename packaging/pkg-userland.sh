#!/bin/bash
# The Debian 13 userland of the distribution matrix (conformance/matrix/
# userland.sh) plus what building and checking Debian packages needs, as an
# overlay layer built once and cached; the matrix's userland is never
# written.  Prints the overlay lower-directory list (layer:base) for
# packaging/overlay-run.sh.
#
#   pkg-userland.sh [debian13]
#
# Cached under ${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}/<name>-<hash>,
# <hash> covering the base userland's path (itself keyed by its recipe) and
# the package list below.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=${1:-debian13}
cache=${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}
base=$("$here/../conformance/matrix/userland.sh" "$name")
# --- recipe begin
packages="debhelper dh-dkms dkms lintian kmod"
# --- recipe end
recipe() { sed -n '/^# --- recipe begin/,/^# --- recipe end/p' "$here/pkg-userland.sh"; }
hash=$( { echo "$base"; recipe; } | sha256sum | cut -c1-12)
dir=$cache/$name-pkg-$hash
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9
if [ ! -f "$dir/.done" ]; then
	start=$(date +%s)
	rm -rf "$dir/layer"
	if ! "$here/overlay-run.sh" "$base" "$dir/layer" - sh -c "
		apt-get -o Acquire::Check-Valid-Until=false update &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages &&
		apt-get clean" >"$dir/build.log" 2>&1; then
		echo "pkg-userland: installing $packages failed, see $dir/build.log" >&2
		tail -20 "$dir/build.log" >&2
		exit 1
	fi
	rm -rf "$dir/layer/work" "$dir/layer/merged"
	echo "pkg-userland: $name + $packages in $(($(date +%s) - start)) s" | tee -a "$dir/build.log" >&2
	touch "$dir/.done"
fi
echo "$dir/layer/upper:$base"
