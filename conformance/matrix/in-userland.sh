#!/bin/bash
# Run a command inside a matrix userland (userland.sh), with /proc, /sys and
# /dev bound (rusticl and PoCL need /sys) and the given host directories
# bound at the same paths, in a private mount namespace that ends with the
# command: nothing stays mounted, the cached userland is not changed.
#
#   in-userland.sh ROOT DIR[:DIR...] CMD [ARGS...]
#
# LOADER=khronos in the environment makes the command use the Khronos
# loader (unpacked in /opt/khronos) instead of ocl-icd.  The SVMX_* settings
# pass through; the rest of the environment does not.
set -euo pipefail
root=${1:?usage: in-userland.sh ROOT DIRS CMD...}
dirs=${2:?usage: in-userland.sh ROOT DIRS CMD...}
shift 2
[ -d "$root/usr" ] || { echo "in-userland: $root is not a userland" >&2; exit 2; }
libpath=
case "${LOADER:-ocl-icd}" in
ocl-icd) ;;
khronos) libpath=/opt/khronos/usr/lib/x86_64-linux-gnu ;;
*) echo "in-userland: LOADER=$LOADER: expected ocl-icd or khronos" >&2; exit 2 ;;
esac
exec unshare --mount --propagation private /bin/bash -c '
	set -e
	root=$1 dirs=$2 libpath=$3
	shift 3
	for d in proc sys dev; do mount --rbind "/$d" "$root/$d"; done
	mount -t tmpfs tmpfs "$root/tmp"
	IFS=: read -ra list <<<"$dirs"
	for d in "${list[@]}"; do
		mkdir -p "$root$d"
		mount --bind "$d" "$root$d"
	done
	svmx=()
	for v in $(compgen -e SVMX_); do svmx+=("$v=${!v}"); done
	exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 ${libpath:+LD_LIBRARY_PATH=$libpath} "${svmx[@]}" "$@"
' in-userland "$root" "$dirs" "$libpath" "$@"
