#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a test kernel under qemu (TCG) with a busybox initramfs holding the
# given static programs and modules, run the given commands, check the log.
#
#   run-guest.sh --kernel <6.1|6.12|path/to/bzImage>
#                [--module "file.ko [param=value...]"]...
#                                        insmod'ed in order before the runs,
#                                        rmmod'ed in reverse order after them;
#                                        @tree/ is the kernel's build tree
#                                        (e.g. @tree/lib/test_hmm.ko)
#                [--keep-module name]... not rmmod'ed at the end (a module
#                                        that leaks on unload, e.g. test_hmm)
#                [--bin file]...         copied to /bin in the guest; a
#                                        dynamic program brings its libraries
#                [--lib /path[:dst]]...  a shared library (dlopen'ed, e.g. an
#                                        OpenCL driver) at /dst, default the
#                                        same path, with its libraries
#                [--file src:dst]...     any other file, at /dst in the guest
#                [--opencl]              Mesa's rusticl and what it reads at
#                                        run time (programs bring the loader)
#                --run "command args"... run in order; each must exit 0
#                [--timeout seconds]     whole boot (default 600)
#                [--log file]            serial console log (default: temp)
#                [--smp n] [--mem size] [--append "kernel args"]
#                [--thp always|madvise|never]   (default madvise)
#
# Exit status 0 only when every --run command exited 0, every module loaded
# and unloaded, the guest reached the end of its script, kmemleak scanned
# (on a kernel with it), and the kernel log
# has no BUG, WARNING, Oops, lockdep, KASAN or kmemleak report
# (check-log.sh).  A boot whose only reports came before /init is run once
# more.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

kernel= timeout=600 log= smp=2 mem=1G append= thp=madvise opencl=0
mods=() bins=() libs=() files=() runs=() keep=()
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) kernel=$2; shift 2 ;;
	--module) mods+=("$2"); shift 2 ;;
	--keep-module) keep+=("$2"); shift 2 ;;
	--bin) bins+=("$2"); shift 2 ;;
	--lib) libs+=("$2"); shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--opencl) opencl=1; shift ;;
	--run) runs+=("$2"); shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--thp) thp=$2; shift 2 ;;
	*) echo "run-guest: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$kernel" ] || { echo "run-guest: --kernel is required" >&2; exit 2; }
case "$kernel" in
*/*) bzimage=$kernel ;;
*) bzimage=$("$here/build-kernel.sh" "$kernel")/arch/x86/boot/bzImage ;;
esac
[ -f "$bzimage" ] || { echo "run-guest: no kernel image $bzimage" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/svmx-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -n "$log" ] || log=$work/console.log
root=$work/root
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,mods,root}
cp "${SVMX_BUSYBOX:-/bin/busybox}" "$root/bin/busybox"
# rusticl and what it opens at run time (opencl-files.sh).
if [ $opencl = 1 ]; then
	want=$("$here/opencl-files.sh")
	while read -r kind f; do
		case $kind in
		lib) libs+=("$f") ;;
		file) files+=("$f:$f") ;;
		esac
	done <<<"$want"
fi
# The libraries ldd resolves for $1, at the same paths in the guest (the
# guest's loader searches the same default directories).
closure() {
	{ ldd "$1" 2>/dev/null || true; } | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while read -r l; do
			[ -e "$root$l" ] && continue
			mkdir -p "$root$(dirname "$l")"
			cp -L "$l" "$root$l"
		done
}
for b in "${bins[@]}"; do
	install -m755 "$b" "$root/bin/"
	closure "$b"
done
for l in "${libs[@]}"; do
	src=${l%%:*} dst=${l#*:}
	[ "$dst" != "$l" ] || dst=$src
	mkdir -p "$root$(dirname "$dst")"
	cp -L "$src" "$root$dst"
	closure "$src"
done
for f in "${files[@]}"; do
	mkdir -p "$root/$(dirname "${f#*:}")"
	cp "${f%%:*}" "$root/${f#*:}"
done
: >"$root/etc/modules"
tree=$(dirname "$(dirname "$(dirname "$(dirname "$bzimage")")")")
for m in "${mods[@]}"; do
	m=${m/#@tree\//$tree/}
	f=${m%% *}
	a=
	[ "$f" = "$m" ] || a=${m#* }
	cp "$f" "$root/mods/"
	echo "$(basename "$f") $a" >>"$root/etc/modules"
done
: >"$root/etc/keep"
for k in "${keep[@]}"; do echo "$k" >>"$root/etc/keep"; done
: >"$root/etc/runs"
for r in "${runs[@]}"; do printf '%s\n' "$r" >>"$root/etc/runs"; done
install -m755 "$here/guest-init.sh" "$root/init"
echo "$thp" >"$root/etc/thp"

(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initrd.cpio"

# One qemu run: the console in $log and $work/clean.log, qemu's status in qrc.
# pty.legacy_count=0: no guest uses BSD ptys, and the default 256 pairs cost
# each 7.3 boot (KASAN, lockdep) about 16 s of its 50 (7.8 s in pty_init
# alone, by initcall_debug).
boot() {
	set +e
	timeout --foreground -k 10 "$timeout" \
		qemu-system-x86_64 -accel tcg -machine q35 -cpu max,la57=off -smp "$smp" -m "$mem" \
		-nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$bzimage" -initrd "$work/initrd.cpio" \
		-append "console=ttyS0 panic=-1 oops=panic loglevel=6 pty.legacy_count=0 rdinit=/init $append" \
		</dev/null >"$log" 2>&1
	qrc=$?
	set -e
	tr -d '\r' <"$log" >"$work/clean.log"
	cat "$work/clean.log"
}
boot
# A problem report from the kernel's own boot, before /init and so before
# any module or test of svmx ran (seen once: 7.3 with KASAN, an interrupt
# early in start_kernel), says nothing about the test: boot once more, and
# let a second such report fail the run.  The first console log is kept.
lrc=0
"$here/check-log.sh" "$work/clean.log" >/dev/null 2>&1 || lrc=$?
if [ $lrc = 3 ] && [ $qrc != 124 ] && [ $qrc != 137 ]; then
	cp "$log" "$log.first-boot"
	echo "run-guest: the kernel reported a problem while booting, before /init (first log: $log.first-boot); booting once more" >&2
	boot
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then
	echo "run-guest: FAIL: guest timed out after $timeout s" >&2
	exit 1
fi
# Where the guest's time went (guest clock, seconds since its boot).
sed -n 's/^SVMX-TIME \([a-z]*\) \([0-9.]*\)$/\1 \2/p' "$work/clean.log" |
	awk '{ t[$1] = $2 } END { if ("runs" in t)
		printf "run-guest: guest time: boot %.0f s, modules and runs %.0f s, unload and kmemleak %.0f s\n",
			t["init"], t["runs"] - t["init"], ("kmemleak" in t ? t["kmemleak"] : t["runs"]) - t["runs"] }' >&2
fail=0
grep -q '^SVMX-GUEST-DONE' "$work/clean.log" ||
	{ echo "run-guest: FAIL: guest did not finish its script" >&2; fail=1; }
if grep '^SVMX-RESULT' "$work/clean.log" | grep -qv ' rc=0$'; then
	echo "run-guest: FAIL: $(grep '^SVMX-RESULT' "$work/clean.log" | grep -v ' rc=0$' | tr '\n' ';')" >&2
	fail=1
fi
# A kernel with kmemleak must have scanned: a passing run is then also the
# proof that leaks would have been looked for.
if grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$tree/.config" 2>/dev/null &&
	! grep -q '^SVMX-KMEMLEAK scanned, ' "$work/clean.log"; then
	echo "run-guest: FAIL: the kernel has kmemleak but the guest did not scan" >&2
	fail=1
fi
"$here/check-log.sh" "$work/clean.log" || fail=1
[ $fail = 0 ] && echo "run-guest: PASS" >&2
exit $fail
