#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the svmx nouveau series that need no kernel build.
#
#   check-series.sh apply <6.1|6.12|7.3>
#                                      the series applies, in order, with
#                                      `git apply` (no fuzz, no offsets
#                                      beyond what git accepts) and with
#                                      `patch -p1` to the files of Debian's
#                                      linux-source-<ver>.tar.xz (found or
#                                      downloaded by ../harness/linux-source.sh)
#   check-series.sh checkpatch <tree>  scripts/checkpatch.pl --strict of
#                                      <tree> passes on every patch of the
#                                      series for <tree>'s version, with no
#                                      error, warning or check
#   check-series.sh header             every series' include/uapi/linux/svmx.h
#                                      has the content of the project's
#                                      include/svmx/svmx_uapi.h (comments
#                                      and blanks aside: the kernel copy
#                                      reflows one comment for checkpatch)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
what=${1:?usage: check-series.sh apply <ver> | checkpatch <tree> | header}

touched() { sed -n 's@^+++ b/\([^[:space:]]*\).*@\1@p' "$@" | sort -u; }

case "$what" in
apply)
	ver=${2:?usage: check-series.sh apply <6.1|6.12|7.3>}
	# first line: the tarball, second: the package version
	src=$("$here/../harness/linux-source.sh" "$ver") ||
		{ echo "check-series: no linux-source-$ver" >&2; exit 2; }
	src=${src%%$'\n'*}
	[ -f "$src" ] || { echo "check-series: $src not found" >&2; exit 2; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/svmx-nouveau-apply.XXXXXX")
	export GIT_CEILING_DIRECTORIES=$work
	trap 'rm -rf "$work"' EXIT
	members=()
	for f in $(touched "$here/$ver"/*.patch); do
		members+=("linux-source-$ver/$f")
	done
	# files the series creates are not in the tarball
	tar -C "$work" -xJf "$src" --ignore-failed-read "${members[@]}" 2>/dev/null || true
	tree=$work/linux-source-$ver
	[ -f "$tree/drivers/gpu/drm/nouveau/nouveau_svm.c" ] ||
		{ echo "check-series: could not extract the touched files from $src" >&2; exit 1; }
	cp -a "$tree" "$work/with-patch"
	for p in "$here/$ver"/*.patch; do
		echo "check-series: $ver $(basename "$p")"
		git -C "$tree" apply --check --verbose "$p" >/dev/null 2>"$work/err" ||
			{ cat "$work/err" >&2; echo "check-series: FAIL: git apply --check $p" >&2; exit 1; }
		git -C "$tree" apply "$p"
		out=$(patch -d "$work/with-patch" -p1 --batch --forward --no-backup-if-mismatch <"$p") ||
			{ echo "$out" >&2; echo "check-series: FAIL: patch -p1 $p" >&2; exit 1; }
		if echo "$out" | grep -q -i -e fuzz -e offset; then
			echo "$out" >&2
			echo "check-series: FAIL: $p needs fuzz or offsets" >&2
			exit 1
		fi
	done
	diff -r "$tree" "$work/with-patch" >/dev/null ||
		{ echo "check-series: FAIL: git apply and patch disagree" >&2; exit 1; }
	echo "check-series: PASS: $ver series applies" >&2
	;;
checkpatch)
	tree=${2:?usage: check-series.sh checkpatch <tree>}
	ver=$(make -s -C "$tree" kernelversion | cut -d. -f1,2)
	fail=0
	for p in "$here/$ver"/*.patch; do
		out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --no-summary --terse "$p") || true
		res=$(cd "$tree" && perl scripts/checkpatch.pl --strict "$p" | grep '^total:') || true
		echo "check-series: $ver $(basename "$p"): $res"
		case "$res" in
		"total: 0 errors, 0 warnings, 0 checks,"*) ;;
		*) echo "$out" >&2; fail=1 ;;
		esac
	done
	[ $fail = 0 ] || { echo "check-series: FAIL: checkpatch --strict" >&2; exit 1; }
	echo "check-series: PASS: $ver series is checkpatch --strict clean" >&2
	;;
header)
	norm() { gcc -fpreprocessed -dD -E -P -x c "$1" | tr -s '[:space:]' ' '; }
	work=$(mktemp -d "${TMPDIR:-/tmp}/svmx-nouveau-hdr.XXXXXX")
	trap 'rm -rf "$work"' EXIT
	norm "$top/include/svmx/svmx_uapi.h" >"$work/project"
	fail=0
	for dir in "$here"/[0-9]*/; do
		ver=$(basename "$dir")
		# the new file's lines, from the patch that creates it
		awk '/^\+\+\+ b\/include\/uapi\/linux\/svmx.h/ { on = 1; next }
		     on && /^diff --git/ { on = 0 }
		     on && /^@@/ { next }
		     on && /^\+/ { print substr($0, 2) }' "$here/$ver"/*.patch >"$work/k-$ver.h"
		norm "$work/k-$ver.h" >"$work/kernel-$ver"
		if ! cmp -s "$work/project" "$work/kernel-$ver"; then
			echo "check-series: FAIL: $ver include/uapi/linux/svmx.h differs from include/svmx/svmx_uapi.h:" >&2
			diff "$top/include/svmx/svmx_uapi.h" "$work/k-$ver.h" >&2 || true
			fail=1
		fi
	done
	[ $fail = 0 ] || exit 1
	echo "check-series: PASS: the series carry the project's uapi header" >&2
	;;
*)
	echo "usage: check-series.sh apply <ver> | checkpatch <tree> | header" >&2
	exit 2
	;;
esac
