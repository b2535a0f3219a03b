#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Put the project's include/svmx/svmx_uapi.h into a series' patch that creates
# include/uapi/linux/svmx.h, and rewrite the series with git format-patch.
#
#   sync-header.sh <6.1|6.12|7.3>
#
# The kernel copy differs from the project header in one reflowed comment
# (svmx_range.pages' comment goes above the field, for checkpatch).  The
# series is applied with `git am` to the files it touches, taken from
# Debian's linux-source-<ver> (../harness/linux-source.sh); the patch creating
# the header is amended; the patches are written back to <ver>/ with their
# messages and author dates.  Run check-series.sh afterwards.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
ver=${1:?usage: sync-header.sh <6.1|6.12|7.3>}
series=$here/$ver
hdr=include/uapi/linux/svmx.h
src=$("$here/../harness/linux-source.sh" "$ver")
src=${src%%$'\n'*}

work=$(mktemp -d "${TMPDIR:-/tmp}/svmx-nouveau-hdr.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_CEILING_DIRECTORIES=$work
export GIT_COMMITTER_NAME="svmx developers" GIT_COMMITTER_EMAIL=svmx@localhost
members=()
for f in $(sed -n 's@^+++ b/\([^[:space:]]*\).*@\1@p' "$series"/*.patch | sort -u); do
	members+=("linux-source-$ver/$f")
done
tar -C "$work" -xJf "$src" --ignore-failed-read "${members[@]}" 2>/dev/null || true
tree=$work/linux-source-$ver
git -C "$tree" init -q
git -C "$tree" add -A
git -C "$tree" -c user.name=base -c user.email=base@localhost commit -q -m base

# the kernel copy of the project header
perl -0pe 's{\t__u64 pages;\t\t/\* out: ARM, STATUS: pages held in the range;\n\t\t\t\t \*      DISARM: pages given back \*/\n}{\t/* out: ARM, STATUS: pages held in the range; DISARM: pages given back */\n\t__u64 pages;\n}' \
	"$top/include/svmx/svmx_uapi.h" >"$work/svmx.h"
grep -q '^	__u64 pages;$' "$work/svmx.h" ||
	{ echo "sync-header: the pages comment of svmx_uapi.h changed; update this script" >&2; exit 1; }

n=0
for p in "$series"/*.patch; do
	git -C "$tree" am -q --committer-date-is-author-date "$p"
	n=$((n + 1))
	if grep -q "^+++ b/$hdr" "$p"; then
		cp "$work/svmx.h" "$tree/$hdr"
		git -C "$tree" add "$hdr"
		git -C "$tree" commit -q --amend --no-edit
	fi
done
rm -f "$series"/*.patch
git -C "$tree" format-patch -q -o "$series" "HEAD~$n"
echo "sync-header: $ver rewritten:" >&2
ls "$series" >&2
