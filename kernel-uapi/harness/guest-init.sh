#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the svmx test guest: load /etc/modules, run /etc/runs, unload,
# scan for leaks, reboot (qemu -no-reboot exits).  Prints SVMX-RESULT lines for run-guest.sh.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmp /tmp
echo "$(cat /etc/thp)" >/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
echo 4 >/proc/sys/vm/nr_hugepages 2>/dev/null
echo "SVMX-GUEST-START $(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
# Seconds since boot at each phase, for run-guest.sh's time line.
stamp() { echo "SVMX-TIME $1 $(cut -d' ' -f1 /proc/uptime)"; }
stamp init

loaded=""
while read -r m args; do
	[ -n "$m" ] || continue
	# shellcheck disable=SC2086
	insmod "/mods/$m" $args
	echo "SVMX-RESULT insmod $m rc=$?"
	loaded="${m%.ko} $loaded"
done </etc/modules

while read -r cmd; do
	[ -n "$cmd" ] || continue
	echo "SVMX-RUN $cmd"
	cd /tmp
	sh -c "$cmd"
	echo "SVMX-RESULT $cmd rc=$?"
done </etc/runs
stamp runs

for m in $loaded; do
	if grep -qx "$m" /etc/keep; then
		echo "SVMX-KEEP $m stays loaded"
		continue
	fi
	rmmod "$m"
	echo "SVMX-RESULT rmmod $m rc=$?"
done

if [ -w /sys/kernel/debug/kmemleak ]; then
	# kmemleak ignores objects younger than 5 s.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	echo "SVMX-KMEMLEAK scanned, $(grep -c 'unreferenced object' /sys/kernel/debug/kmemleak) suspects"
	stamp kmemleak
	cat /sys/kernel/debug/kmemleak
else
	echo "SVMX-KMEMLEAK not available"
fi
dmesg >/dev/null
echo SVMX-GUEST-DONE
sync
reboot -f
