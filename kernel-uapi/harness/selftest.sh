#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Show that run-guest.sh fails on a kernel problem report: boot the guest
# with a module that leaks memory (kmemleak must report it), warns and, on
# kernels built with KASAN, reads freed memory, and require run-guest.sh to
# fail with each report named; and a guest that cannot scan for leaks to
# fail.  Every other guest test is a clean boot that passes.
#
#   selftest.sh <6.1|6.12|7.3> <scratch dir> [--no-scan-guest]
#
# The guest that cannot scan boots only with --no-scan-guest: what fails it
# is run-guest.sh's own check of the log, the same for every kernel, so one
# kernel proves it and the others save a boot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: selftest.sh <ver> <scratch dir> [--no-scan-guest]"
ver=${1:?$usage}
out=${2:?$usage}
noscan=0
case "${3-}" in
'') ;;
--no-scan-guest) noscan=1 ;;
*) echo "selftest: unknown argument '$3'; $usage" >&2; exit 2 ;;
esac
tree=$("$here/build-kernel.sh" "$ver")
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$here/selftest/svmx_harness_selftest.c" "$here/selftest/Kbuild" "$out/"
make -s -C "$tree" M="$out" modules >&2
ko=$out/svmx_harness_selftest.ko

# One boot with every fault at once: run-guest.sh must fail it, and the log
# check must name each report (its own verdicts, one report at a time, are
# checked on synthetic logs by check-log-test.sh).
modes=leak,warn want=('unreferenced object' 'WARNING:')
if grep -q '^CONFIG_KASAN=y' "$tree/.config"; then
	modes=$modes,uaf want+=('BUG: KASAN')
fi
log=$out/faults.log
if "$here/run-guest.sh" --kernel "$ver" --module "$ko mode=$modes" \
	--run "echo $modes" --log "$log" >"$out/faults.out" 2>&1; then
	echo "selftest: FAIL: run-guest.sh passed a guest with mode=$modes" >&2
	exit 1
fi
reports=$("$here/check-log.sh" "$log" 2>/dev/null) && {
	echo "selftest: FAIL: the log check found nothing in $log" >&2
	exit 1
}
for w in "${want[@]}"; do
	grep -q -- "$w" <<<"$reports" ||
		{ echo "selftest: FAIL: mode=$modes: the log check did not report '$w' ($log)" >&2; exit 1; }
	echo "selftest: ok: '$w' failed the run" >&2
done

# A guest that could not scan for leaks fails too (every passing guest run
# is then also the proof that kmemleak scanned it).
[ $noscan = 1 ] || exit 0
"$here/run-guest.sh" --kernel "$ver" --run "umount /sys/kernel/debug" \
	--log "$out/noscan.log" >"$out/noscan.out" 2>&1 &&
	{ echo "selftest: FAIL: a guest without a kmemleak scan passed" >&2; exit 1; }
grep -q 'did not scan' "$out/noscan.out" ||
	{ echo "selftest: FAIL: the guest without a scan failed for another reason, see $out/noscan.out" >&2; exit 1; }
echo "selftest: ok: a guest without a kmemleak scan failed the run" >&2
