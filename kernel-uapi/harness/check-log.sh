#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fail (exit 1) when a guest console log shows any kernel problem report.
log=${1:?usage: check-log.sh console.log}
pat='BUG:|WARNING:|Oops|Call Trace|possible circular|possible recursive|inconsistent lock|lockdep|INFO: task .* blocked|unreferenced object|kmemleak:.*leak|Kernel panic|general protection fault|UBSAN|KASAN|list_add corruption|list_del corruption|bad page|hung_task|turning off the locking correctness validator|RCU detected stall|soft lockup|hard LOCKUP'
if grep -nE "$pat" "$log" | grep -v 'SVMX-' ; then
	echo "check-log: FAIL: kernel problem report in $log" >&2
	exit 1
fi
exit 0
