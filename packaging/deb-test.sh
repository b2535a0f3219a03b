#!/bin/bash
# The Debian 13 packages (deb-build.sh) installed into a throwaway overlay
# over the Debian 13 userland (pkg-userland.sh; neither the cached userland
# nor the host is written), then removed:
#  * with them installed, clinfo run as it is (no svmx-run, no
#    OPENCL_LAYERS, no SVMX_*; only RUSTICL_ENABLE=llvmpipe, without which
#    rusticl shows no device at all) reports SVM atomics on rusticl's
#    llvmpipe, under ocl-icd and under the Khronos loader; before, it did not;
#  * programs built outside the tree against libsvmx-dev, with pkg-config
#    and with CMake find_package(svmx), call clGetSVMArmStatsSVMX and run;
#  * svmx-dkms builds and installs the module with dkms against a guest
#    kernel tree (kernel-uapi/harness, 6.12) presented as an installed
#    kernel's /lib/modules/<release>/build, and removes it again;
#  * svmx-run, its man pages and the udev rule are in place;
#  * after removal every clinfo output is byte for byte what it was, but
#    for the memory sizes PoCL derives from free memory (clinfo-stable.sh).
#
#   deb-test.sh SRC SCRATCH
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=${1:?usage: deb-test.sh SRC SCRATCH}
scratch=${2:?usage: deb-test.sh SRC SCRATCH}
debs=$("$here/deb-build.sh" "$src" debian13) || exit 1
lower=$("$here/pkg-userland.sh" debian13) || exit 1
tree=$("$src/kernel-uapi/harness/build-kernel.sh" 6.12) || exit 1
krel=$(make -s -C "$tree" kernelrelease)
# A pass is remembered, keyed by everything it ran: the packages (their
# directory is keyed by their inputs), the userland, the kernel tree, the
# consumer program and this script.
cache=${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}
hash=$( { echo "$debs $lower $tree"; cat "$here/deb-test.sh" "$here/clinfo-stable.sh" "$here"/consumer/*; } | sha256sum | cut -c1-12)
stamp=$cache/deb-test-debian13-$hash
if [ -f "$stamp" ]; then
	echo "deb-test: passed before with these inputs ($stamp):"
	cat "$stamp"
	exit 0
fi
rm -rf "$scratch"
mkdir -p "$scratch"
scratch=$(cd "$scratch" && pwd)
cp -r "$here/consumer" "$scratch/consumer"
fail=0
ok() { echo "ok: $*"; echo "ok: $*" >>"$scratch/test.ok"; }
bad() { echo "FAIL: $*" >&2; fail=1; }
# run [LOADER] CMD...: in the overlay; the .debs, the scratch directory and
# the kernel tree are bound at their own paths.
run() {
	local loader=ocl-icd
	case "$1" in ocl-icd | khronos) loader=$1; shift ;; esac
	LOADER=$loader "$here/overlay-run.sh" "$lower" "$scratch/ov" "$debs:$scratch:$tree" "$@"
}
# clinfo outputs, as they are and with rusticl's llvmpipe shown.
clinfos() { # clinfos SUFFIX
	for loader in ocl-icd khronos; do
		run $loader sh -c '
			clinfo >"$1/plain.$2.$3" 2>&1
			clinfo --raw >"$1/raw.$2.$3" 2>&1
			RUSTICL_ENABLE=llvmpipe clinfo >"$1/rusticl.$2.$3" 2>&1
			RUSTICL_ENABLE=llvmpipe clinfo --raw >"$1/rusticl-raw.$2.$3" 2>&1
		' clinfos "$scratch" $loader "$1"
	done
}
mesa_svm() { grep '^\[MESA/0\] *CL_DEVICE_SVM_CAPABILITIES ' "$1"; }

clinfos before
for loader in ocl-icd khronos; do
	mesa_svm "$scratch/rusticl-raw.$loader.before" | grep -q CL_DEVICE_SVM_ATOMICS &&
		bad "rusticl reports SVM atomics without svmx ($loader)"
done

# Install, with a guest kernel presented as installed (its build tree as
# /lib/modules/<release>/build, as linux-headers packages do).
run sh -c "mkdir -p /lib/modules/$krel && ln -s $tree /lib/modules/$krel/build &&
	dpkg -i $debs/svmx_*.deb $debs/libsvmx-dev_*.deb $debs/svmx-dkms_*.deb" >"$scratch/install.log" 2>&1 ||
	{ bad "dpkg -i failed:"; cat "$scratch/install.log" >&2; }
grep -q "^Installing /lib/modules/$krel/updates/dkms/svmx.ko" "$scratch/install.log" &&
	ok "svmx-dkms: dkms built and installed the module for the guest kernel $krel" ||
	{ bad "svmx-dkms: no module installed for $krel:"; cat "$scratch/install.log" >&2; }
run sh -c "dkms status svmx; modinfo -F vermagic /lib/modules/$krel/updates/dkms/svmx.ko*;
	modinfo -F name /lib/modules/$krel/updates/dkms/svmx.ko*" >"$scratch/dkms.log" 2>&1
grep -q "^svmx/[0-9.]*, $krel, x86_64: installed" "$scratch/dkms.log" && grep -q "^$krel " "$scratch/dkms.log" &&
	grep -qx svmx "$scratch/dkms.log" && ok "dkms status: installed; modinfo: svmx, vermagic $krel" ||
	{ bad "dkms status / modinfo:"; cat "$scratch/dkms.log" >&2; }
run sh -c 'cat /usr/lib/udev/rules.d/60-svmx.rules' | grep -q 'KERNEL=="svmx".*GROUP="render".*MODE="0660"' &&
	ok "udev rule: /dev/svmx group render, mode 0660" || bad "no udev rule for /dev/svmx"
run sh -c 'cat /etc/OpenCL/layers/svmx.lay | xargs test -f && svmx-run --version && man -w svmx-run && man -w 7 svmx &&
	svmx-run --settings | grep -c "^SVMX_"' >"$scratch/cli.log" 2>&1 &&
	ok "svmx.lay names the layer; $(head -1 "$scratch/cli.log"); man pages; --settings lists $(tail -1 "$scratch/cli.log") settings" ||
	{ bad "svmx-run, man pages or svmx.lay:"; cat "$scratch/cli.log" >&2; }

clinfos installed
for loader in ocl-icd khronos; do
	if mesa_svm "$scratch/rusticl-raw.$loader.installed" | grep -q CL_DEVICE_SVM_ATOMICS; then
		ok "installed, plain clinfo ($loader): $(mesa_svm "$scratch/rusticl-raw.$loader.installed" | tr -s ' ')"
	else
		bad "installed, plain clinfo ($loader) reports no SVM atomics on rusticl:"
		grep SVM "$scratch/rusticl-raw.$loader.installed" >&2
	fi
	grep -A4 'Shared Virtual Memory (SVM) capabilities  *(core)' "$scratch/rusticl.$loader.installed" |
		grep -q 'Atomics  *Yes' || bad "clinfo's human-readable form shows no SVM atomics ($loader)"
	cmp -s "$scratch/plain.$loader.before" "$scratch/plain.$loader.installed" &&
		echo "note: clinfo without RUSTICL_ENABLE ($loader) is unchanged by svmx (rusticl shows no device)"
done

# Programs outside the tree, built against libsvmx-dev.
run sh -c "cd $scratch/consumer && make -s && ./consumer" >"$scratch/pc.log" 2>&1 &&
	ok "pkg-config consumer: $(tail -1 "$scratch/pc.log")" ||
	{ bad "pkg-config consumer:"; cat "$scratch/pc.log" >&2; }
run sh -c "cmake -S $scratch/consumer -B $scratch/cm >/dev/null && cmake --build $scratch/cm >/dev/null &&
	$scratch/cm/consumer" >"$scratch/cm.log" 2>&1 &&
	ok "find_package(svmx) consumer: $(tail -1 "$scratch/cm.log")" ||
	{ bad "find_package(svmx) consumer:"; cat "$scratch/cm.log" >&2; }
run khronos "$scratch/cm/consumer" >"$scratch/cm-khronos.log" 2>&1 &&
	ok "find_package(svmx) consumer under the Khronos loader: $(tail -1 "$scratch/cm-khronos.log")" ||
	{ bad "consumer under the Khronos loader:"; cat "$scratch/cm-khronos.log" >&2; }

# Remove: the module, the dkms source, the layer go; clinfo is as before.
run sh -c "dpkg --purge svmx-dkms libsvmx-dev svmx" >"$scratch/remove.log" 2>&1 ||
	{ bad "dpkg --purge failed:"; cat "$scratch/remove.log" >&2; }
run sh -c "rm /lib/modules/$krel/build
	find /lib/modules/$krel -mindepth 1 | sed 's/^/left: /'; rmdir /lib/modules/$krel
	dkms status | sed 's/^/left: dkms: /'
	ls -d /usr/src/svmx* /etc/OpenCL/layers/svmx* /usr/include/svmx /usr/bin/svmx-run 2>/dev/null | sed 's/^/left: /'
	dpkg -l 'svmx*' 'libsvmx*' 2>/dev/null | grep '^[a-z][a-z] ' | sed 's/^/left: /'" >"$scratch/left.log" 2>&1
if grep -q . "$scratch/left.log"; then
	bad "left behind after removal:"; cat "$scratch/left.log" >&2
else
	ok "removed: no module, no dkms entry, no files, no package records left"
fi
clinfos removed
# Memory sizes a driver derives from free memory are masked (clinfo-stable.sh).
stable() { "$here/clinfo-stable.sh" "$1"; }
same=0
for f in "$scratch"/*.before; do
	g=${f%.before}.removed
	if cmp -s <(stable "$f") <(stable "$g"); then
		same=$((same + 1))
	else
		bad "$(basename "${f%.before}") differs after removal:"
		diff <(stable "$f") <(stable "$g") | head -20 >&2
	fi
done
[ $same -eq 8 ] && ok "after removal all 8 clinfo outputs (plain, --raw, with and without RUSTICL_ENABLE, ocl-icd and Khronos) are as before, byte for byte but for the memory sizes"
if [ $fail -eq 0 ]; then
	rm -f "$cache"/deb-test-debian13-*
	grep -h '^ok: ' "$scratch"/*.ok 2>/dev/null >"$stamp" || true
	echo "deb-test: all ok"
	rm -rf "$scratch"
fi
exit $fail
