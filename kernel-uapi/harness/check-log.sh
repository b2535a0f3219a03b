#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail when a guest console log shows any kernel problem report.
#
#   check-log.sh console.log
#
# Exit 0: no report.  Exit 1: a report after the guest's /init started
# (SVMX-GUEST-START), or in a log without that line.  Exit 3: reports only
# before /init started, while the kernel booted and before any module or
# test of svmx ran (run-guest.sh boots once more on that).
log=${1:?usage: check-log.sh console.log}
pat='BUG:|WARNING:|Oops|Call Trace|possible circular|possible recursive|inconsistent lock|lockdep|INFO: task .* blocked|unreferenced object|kmemleak:.*leak|Kernel panic|general protection fault|UBSAN|KASAN|list_add corruption|list_del corruption|bad page|hung_task|turning off the locking correctness validator|RCU detected stall|soft lockup|hard LOCKUP'
reports=$(grep -nE "$pat" "$log" | grep -v 'SVMX-')
[ -n "$reports" ] || exit 0
echo "$reports"
start=$(grep -n -m1 '^SVMX-GUEST-START' "$log" | cut -d: -f1)
last=$(tail -n1 <<<"$reports" | cut -d: -f1)
if [ -n "$start" ] && [ "$last" -lt "$start" ]; then
	echo "check-log: kernel problem report while booting, before /init, in $log" >&2
	exit 3
fi
echo "check-log: FAIL: kernel problem report in $log" >&2
exit 1
