#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show that run-guest.sh fails on a kernel problem report: boot the guest
# with a module that leaks memory (kmemleak must report it) and one that
# warns (and, on kernels built with KASAN, one that reads freed memory), and
# require run-guest.sh to fail for the right reason each time; and a clean
# boot to pass.
#
#   selftest.sh <6.1|6.12|7.3> <scratch dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ver=${1:?usage: selftest.sh <ver> <scratch dir>}
out=${2:?usage: selftest.sh <ver> <scratch dir>}
tree=$("$here/build-kernel.sh" "$ver")
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$here/selftest/svmx_harness_selftest.c" "$here/selftest/Kbuild" "$out/"
make -s -C "$tree" M="$out" modules >&2
ko=$out/svmx_harness_selftest.ko

expect_fail() {	# mode, pattern the log must show
	local log=$out/$1.log
	if "$here/run-guest.sh" --kernel "$ver" --module "$ko mode=$1" \
		--run "echo $1" --log "$log" >"$out/$1.out" 2>&1; then
		echo "selftest: FAIL: run-guest.sh passed a guest with mode=$1" >&2
		return 1
	fi
	if ! grep -q -- "$2" "$log"; then
		echo "selftest: FAIL: mode=$1: no '$2' in the log" >&2
		return 1
	fi
	echo "selftest: ok: mode=$1 failed the run ('$2')" >&2
}
expect_fail leak 'unreferenced object'
expect_fail warn 'WARNING:'
if grep -q '^CONFIG_KASAN=y' "$tree/.config"; then
	expect_fail uaf 'BUG: KASAN'
fi
"$here/run-guest.sh" --kernel "$ver" --run true --log "$out/clean.log" >"$out/clean.out" 2>&1 ||
	{ echo "selftest: FAIL: a clean guest did not pass" >&2; exit 1; }
grep -q 'SVMX-KMEMLEAK scanned, 0 suspects' "$out/clean.log" ||
	{ echo "selftest: FAIL: kmemleak did not scan the clean guest" >&2; exit 1; }
echo "selftest: ok: clean guest passed, kmemleak scanned" >&2
