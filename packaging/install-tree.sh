#!/bin/bash
# `cmake --install` into a scratch DESTDIR, then: the files are there; the
# public headers compile on their own, warning-free, in C and C++, for every
# CL_TARGET_OPENCL_VERSION (and none); a program outside the tree builds
# against the install with pkg-config and with find_package(svmx), finds
# clGetSVMArmStatsSVMX through the loader with the installed layer and gets
# its statistics (and does not without the layer).
#   install-tree.sh SRC BUILD SCRATCH
set -uo pipefail
src=${1:?usage: install-tree.sh SRC BUILD SCRATCH}
build=$2
scratch=$3
# The prefix the build was configured with (svmx.lay and svmx-run name
# installed paths), under a scratch DESTDIR.
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
rm -rf "$scratch"
mkdir -p "$scratch"
dest=$scratch/root
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*" >&2; fail=1; }

DESTDIR=$dest cmake --install "$build" >"$scratch/install.log" ||
	{ cat "$scratch/install.log" >&2; exit 1; }
root=$dest$prefix
for f in bin/svmx-run include/svmx/svmx_ext.h include/svmx/svmx_uapi.h 'lib*/svmx/libsvmx.so' \
	'lib*/pkgconfig/svmx.pc' 'lib*/cmake/svmx/svmxConfig.cmake' \
	'lib*/cmake/svmx/svmxConfigVersion.cmake' 'libexec/svmx/svmx-settings' \
	'share/man/man1/svmx-run.1' 'share/man/man7/svmx.7'; do
	# shellcheck disable=SC2086
	set -- $root/$f
	[ -e "$1" ] && ok "installed $f" || bad "not installed: $f"
done
lay=$dest/etc/OpenCL/layers/svmx.lay
layer=$(echo "$root"/lib*/svmx/libsvmx.so)
[ "$(cat "$lay" 2>/dev/null)" = "$prefix/${layer#"$root/"}" ] && ok "svmx.lay names the installed layer" ||
	bad "svmx.lay: $(cat "$lay" 2>/dev/null)"
# The installed svmx-run runs the installed svmx-settings.
grep -q "^settings=\"$prefix/libexec/svmx/svmx-settings\"" "$root/bin/svmx-run" &&
	ok "svmx-run --settings runs the installed svmx-settings" || bad "svmx-run's settings tool path"
for page in man1/svmx-run.1 man7/svmx.7; do
	MANWIDTH=80 man --warnings -l "$root/share/man/$page" 2>&1 >/dev/null | grep . &&
		bad "man warns about $page"
done
MANWIDTH=80 man -l "$root/share/man/man7/svmx.7" 2>/dev/null | grep -q 'SVMX_WORKAROUNDS_OFF' &&
	ok "svmx(7) renders, with the settings" || bad "svmx(7) does not render the settings"

# The headers on their own: only the installed include directory and the
# system's OpenCL headers; no warning, no output at all except cl_version.h's
# own note when the includer chose no version.
cat >"$scratch/ext.c" <<'C'
#include <svmx/svmx_ext.h>
static clGetSVMArmStatsSVMX_fn fn;
int main(void)
{
	static cl_svm_arm_stats_svmx st;
	return (int)sizeof(st.revoked) / 8 - SVMX_STATS_REASONS + (fn != 0) +
	       (int)sizeof(CL_SVMX_ARM_STATS_FUNCTION_NAME) - 21;
}
C
cp "$scratch/ext.c" "$scratch/ext.cpp"
printf '#include <svmx/svmx_uapi.h>\nint main(void) { return sizeof(struct svmx_version) == 16 ? 0 : 1; }\n' >"$scratch/uapi.c"
n=0
for v in none 100 110 120 200 210 220 300; do
	def=()
	[ $v = none ] || def=(-DCL_TARGET_OPENCL_VERSION=$v)
	for c in "gcc -std=c99" "gcc -std=c11" "gcc -std=gnu17" "g++ -std=c++11" "g++ -std=c++17"; do
		file=$scratch/ext.c
		[[ $c == g++* ]] && file=$scratch/ext.cpp
		# shellcheck disable=SC2086
		$c -Wall -Wextra -Wpedantic -Werror -I"$root/include" "${def[@]}" -o "$scratch/ext" "$file" \
			-lOpenCL >"$scratch/cc.log" 2>&1 || { bad "$c ${def[*]}: does not compile"; cat "$scratch/cc.log" >&2; continue; }
		out=$(grep -v -e 'cl_version.h' -e '^In file included' -e '^ *from ' -e '^ *|' -e '^ *[0-9]* | ' "$scratch/cc.log")
		if [ -n "$out" ] || { [ $v != none ] && [ -s "$scratch/cc.log" ]; }; then
			bad "$c ${def[*]}: compiler output:"; cat "$scratch/cc.log" >&2
		fi
		"$scratch/ext" || bad "$c ${def[*]}: the struct or names differ from the uapi"
		n=$((n + 1))
	done
done
[ $n -eq 40 ] && ok "svmx_ext.h compiles alone without warnings: C99, C11, gnu17, C++11, C++17 x CL_TARGET_OPENCL_VERSION none, 100..300"
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -I"$root/include" -o "$scratch/uapi" "$scratch/uapi.c" 2>&1 &&
	"$scratch/uapi" && ok "svmx_uapi.h compiles alone" || bad "svmx_uapi.h does not compile alone"

# A program outside the tree, against the install.
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(echo "$root"/lib*/pkgconfig)
cp -r "$src/packaging/consumer" "$scratch/pc"
[ "$(readlink -f "$(pkg-config --variable=layer svmx)")" = "$layer" ] && ok "pkg-config svmx: layer=$layer" ||
	bad "pkg-config --variable=layer svmx: $(pkg-config --variable=layer svmx)"
[ "$(pkg-config --modversion svmx)" = "$(sed -n 's/^project(svmx VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")" ] ||
	bad "svmx.pc version"
if make -s -C "$scratch/pc" >"$scratch/pc.log" 2>&1; then
	ok "consumer built with pkg-config"
else
	bad "consumer does not build with pkg-config"; cat "$scratch/pc.log" >&2
fi
cmake -S "$src/packaging/consumer" -B "$scratch/cm" -DCMAKE_PREFIX_PATH="$root" >"$scratch/cm.log" 2>&1 &&
	cmake --build "$scratch/cm" >>"$scratch/cm.log" 2>&1 && ok "consumer built with find_package(svmx)" ||
	{ bad "consumer does not build with find_package(svmx)"; cat "$scratch/cm.log" >&2; }
[ "$(cat "$scratch/cm/svmx-layer.txt" 2>/dev/null)" = "$layer" ] && ok "find_package(svmx): SVMX_LAYER=$layer" ||
	bad "SVMX_LAYER: $(cat "$scratch/cm/svmx-layer.txt" 2>/dev/null)"
for how in pc cm; do
	[ -x "$scratch/$how/consumer" ] || continue
	if out=$(env -u OPENCL_LAYERS OPENCL_LAYERS="$layer" "$scratch/$how/consumer" 2>&1); then
		ok "consumer ($how) with the installed layer: $out"
	else
		bad "consumer ($how) with the installed layer: $out"
	fi
	if out=$(env -u OPENCL_LAYERS "$scratch/$how/consumer" 2>&1); then
		bad "consumer ($how) succeeded without the layer: $out"
	else
		ok "consumer ($how) without the layer fails: $out"
	fi
done
[ $fail -eq 0 ] && echo "install-tree: all ok" && rm -rf "$scratch"
exit $fail
