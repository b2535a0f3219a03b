#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload the svmx-patched nouveau.ko in the harness's qemu guest.
#
#   guest-load.sh <6.1|6.12|7.3>
#
# The module is built with build.sh unless $SVMX_NOUVEAU_KO names one
# already built (by build.sh, against the same harness tree).
# There is no GPU in the guest: this shows that the patched module and its
# dependencies load, that the module is the patched one (its svmx ioctl
# handlers are in /proc/kallsyms), and that it unloads again without any
# kernel problem report (run-guest.sh checks the console log, kmemleak
# included).  It does not and cannot exercise the ioctls.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: guest-load.sh <6.1|6.12|7.3>}
tree=${SVMX_NOUVEAU_TREE:-}
[ -n "$tree" ] || tree=$("$here/../harness/build-kernel.sh" "$ver")
ko=${SVMX_NOUVEAU_KO:-}
[ -n "$ko" ] || ko=$(SVMX_NOUVEAU_TREE=$tree "$here/build.sh" "$ver")
[ -f "$ko" ] || { echo "guest-load: no module $ko" >&2; exit 2; }

# nouveau's dependencies, in load order, from the same tree (modinfo).
declare -A path=() seen=()
while read -r m; do
	m=${m%.*}	# 6.1 lists foo.ko, 6.12 foo.o
	n=$(basename "$m")
	path[${n//-/_}]=$tree/$m.ko
done <"$tree/modules.order"
mods=()
deps() {
	local d
	for d in $(/sbin/modinfo -F depends "$1" | tr ',' ' '); do
		d=${d//-/_}
		[ -z "${seen[$d]:-}" ] || continue
		seen[$d]=1
		[ -n "${path[$d]:-}" ] || { echo "guest-load: no module $d in $tree" >&2; exit 1; }
		deps "${path[$d]}"
		mods+=(--module "${path[$d]}")
	done
}
deps "$ko"
mods+=(--module "$ko")

exec "$here/../harness/run-guest.sh" --kernel "$tree/arch/x86/boot/bzImage" \
	"${mods[@]}" \
	--run "grep '^nouveau ' /proc/modules" \
	--run "grep -w nouveau_svmx_ioctl_arm /proc/kallsyms" \
	--run "grep -w nouveau_svmx_ioctl_events /proc/kallsyms" \
	--run "dmesg | grep -i -e nouveau -e drm || true" \
	--timeout "${SVMX_GUEST_TIMEOUT:-600}"
