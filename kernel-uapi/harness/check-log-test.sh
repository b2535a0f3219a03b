#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# check-log.sh tells a clean log (0), a problem report once the guest's
# /init ran (1) and reports only from the kernel's own boot (3, which
# run-guest.sh boots again on) apart.  Host only, no guest.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/svmx-check-log.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
boot_report='[    1.589628] BUG: KASAN: wild-memory-access in do_raw_spin_lock+0x130/0x1de
[    1.590571] Call Trace:'
run_report='[   25.100000] WARNING: CPU: 1 PID: 80 at mm/memory.c:100 something+0x1/0x2'

expect() {	# name, wanted exit status, log text
	printf '%s\n' "$3" >"$tmp/$1.log"
	"$here/check-log.sh" "$tmp/$1.log" >"$tmp/$1.out" 2>&1
	local rc=$?
	if [ $rc = "$2" ]; then
		echo "check-log-test: ok: $1 -> $rc"
	else
		echo "check-log-test: FAIL: $1 -> $rc, wanted $2" >&2
		cat "$tmp/$1.out" >&2
		fail=1
	fi
}
expect clean 0 "[    0.1] Linux version 7.3.4
SVMX-GUEST-START 7.3.4 cpus=2
SVMX-RESULT insmod svmx.ko rc=0
SVMX-GUEST-DONE"
expect report_while_booting 3 "[    0.1] Linux version 7.3.4
$boot_report
SVMX-GUEST-START 7.3.4 cpus=2
SVMX-RESULT insmod svmx.ko rc=0
SVMX-GUEST-DONE"
expect report_after_init 1 "[    0.1] Linux version 7.3.4
SVMX-GUEST-START 7.3.4 cpus=2
$run_report
SVMX-GUEST-DONE"
expect reports_before_and_after_init 1 "$boot_report
SVMX-GUEST-START 7.3.4 cpus=2
$run_report"
expect report_and_no_init 1 "$boot_report
[    2.0] Kernel panic - not syncing: no init found"
exit $fail
