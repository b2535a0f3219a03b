#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Check kernel-uapi/module/dkms.conf without touching the system's dkms
# state: install the dkms source copy into a scratch directory, dkms add and
# build there against the guest kernel tree (must produce svmx.ko), and, when
# headers of a kernel without CONFIG_DEVICE_PRIVATE are installed (Debian's
# stock kernels), require dkms to refuse that kernel via BUILD_EXCLUSIVE.
#
#   dkms-check.sh <6.1|6.12> <scratch dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: dkms-check.sh <ver> <scratch dir>}
out=${2:?usage: dkms-check.sh <ver> <scratch dir>}
command -v dkms >/dev/null || { echo "dkms-check: dkms not installed" >&2; exit 1; }
tree=$("$here/build-kernel.sh" "$ver")
krel=$(make -s -C "$tree" kernelrelease)
rm -rf "$out"
mkdir -p "$out/dkms"
out=$(cd "$out" && pwd)
make -s -C "$here/../module" dkms-src DESTDIR="$out"
pkgver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$here/../module/dkms.conf")
d=(--dkmstree "$out/dkms" --sourcetree "$out/usr/src")
dkms add -m svmx -v "$pkgver" "${d[@]}" >&2
dkms build -m svmx -v "$pkgver" "${d[@]}" -k "$krel" --kernelsourcedir "$tree" >&2
ko=$(find "$out/dkms/svmx/$pkgver/$krel" -name 'svmx.ko*' | head -1)
[ -n "$ko" ] || { echo "dkms-check: FAIL: no svmx.ko for $krel" >&2; exit 1; }
echo "dkms-check: ok: dkms built $ko" >&2
# The dkms path installs the udev rule: group render, mode 0660.
make -s -C "$here/../module" udev-install DESTDIR="$out" >&2
rule=$out/etc/udev/rules.d/60-svmx.rules
grep -q 'KERNEL=="svmx".*GROUP="render".*MODE="0660"' "$rule" ||
	{ echo "dkms-check: FAIL: no udev rule for /dev/svmx in $rule" >&2; exit 1; }
[ -f "$out/usr/src/svmx-$pkgver/60-svmx.rules" ] ||
	{ echo "dkms-check: FAIL: the dkms source copy lacks 60-svmx.rules" >&2; exit 1; }
echo "dkms-check: ok: udev rule installed ($rule)" >&2

for build in /lib/modules/*/build; do
	[ -f "$build/.config" ] || continue
	grep -q '^CONFIG_DEVICE_PRIVATE=y' "$build/.config" && continue
	stock=$(basename "$(dirname "$build")")
	if dkms build -m svmx -v "$pkgver" "${d[@]}" -k "$stock" >"$out/stock.log" 2>&1; then
		echo "dkms-check: FAIL: dkms built for $stock, which lacks CONFIG_DEVICE_PRIVATE" >&2
		exit 1
	fi
	grep -q BUILD_EXCLUSIVE "$out/stock.log" ||
		{ echo "dkms-check: FAIL: $stock refused for another reason:" >&2; cat "$out/stock.log" >&2; exit 1; }
	echo "dkms-check: ok: dkms refused $stock (no CONFIG_DEVICE_PRIVATE)" >&2
done
