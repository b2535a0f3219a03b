#!/bin/bash
# The README's "Install, check, remove" commands for one distribution, run
# exactly as written (sudo is the root user there) from a copy of the tree,
# in a throwaway overlay over that distribution's userland: the check's
# output shows SVM atomics on rusticl, and after the removal clinfo prints
# what it printed before, byte for byte but for the memory sizes PoCL
# derives from free memory (clinfo-stable.sh).
#
#   readme-install.sh debian12|debian13|other SRC SCRATCH
#
# "other" runs in the Debian 13 userland.  A pass is remembered in
# ${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}/readme-<dist>-<hash>,
# <hash> covering the commands, every file they build from, the userland and
# this script: the same inputs are not run twice.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dist=${1:?usage: readme-install.sh debian12|debian13|other SRC SCRATCH}
src=${2:?usage: readme-install.sh DIST SRC SCRATCH}
scratch=${3:?usage: readme-install.sh DIST SRC SCRATCH}
cache=${SVMX_PACKAGING_CACHE:-/var/cache/svmx/packaging}
case "$dist" in
debian12) heading='**Debian 12**'; lower=$("$here/pkg-userland.sh" debian12) || exit 1 ;;
debian13) heading='**Debian 13**'; lower=$("$here/pkg-userland.sh" debian13) || exit 1 ;;
other) heading='**Any other distribution**'; lower=$("$here/pkg-userland.sh" debian13) || exit 1 ;;
*) echo "readme-install: unknown distribution $dist" >&2; exit 2 ;;
esac
# The first ```sh block after the heading, in the Install section.
commands=$(awk -v h="$heading" '
	/^## / { insec = ($0 == "## Install, check, remove") }
	insec && index($0, h) == 1 { found = 1; next }
	found && /^```sh/ { inblock = 1; next }
	inblock && /^```/ { exit }
	inblock { print }' "$src/README.md")
[ "$(wc -l <<<"$commands")" -eq 3 ] || {
	echo "readme-install: FAIL: README has no three commands for $heading:" >&2
	echo "$commands" >&2
	exit 1
}
install=$(sed -n 1p <<<"$commands")
check=$(sed -n 2p <<<"$commands")
remove=$(sed -n 3p <<<"$commands")
paths="CMakeLists.txt runtime icd include man debian kernel-uapi/module packaging"
files() {
	git -C "$src" ls-files -co --exclude-standard -- "$@" | LC_ALL=C sort -u |
		while read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done
}
# shellcheck disable=SC2086
hash=$( {
	echo "$dist $lower"
	echo "$commands"
	cat "$here/readme-install.sh" "$here/clinfo-stable.sh"
	(cd "$src" && files $paths | grep -v '^packaging/.*\.sh$' | xargs sha256sum)
} | sha256sum | cut -c1-12)
stamp=$cache/readme-$dist-$hash
if [ -f "$stamp" ]; then
	echo "readme-install: $dist: passed before with these inputs ($stamp):"
	cat "$stamp"
	exit 0
fi
rm -rf "$scratch"
mkdir -p "$scratch/tree"
scratch=$(cd "$scratch" && pwd)
# shellcheck disable=SC2086
(cd "$src" && files $paths | tar -cf - --no-recursion -T -) | tar -C "$scratch/tree" -xf -
cat >"$scratch/run.sh" <<'SCRIPT'
#!/bin/bash
# run.sh DIR INSTALL CHECK REMOVE: as a user at a shell in the tree.
set -u
dir=$1
sudo() { "$@"; }
export -f sudo
export PATH=/usr/local/sbin:/usr/local/bin:$PATH DEBIAN_FRONTEND=noninteractive
cd "$dir/tree" || exit 1
clinfo() { RUSTICL_ENABLE=llvmpipe command clinfo "$@"; }
clinfo >"$dir/before" 2>&1
clinfo --raw >"$dir/before.raw" 2>&1
echo "+ $2"
# A user answers yes to apt's questions.
yes | bash -c "$2" >"$dir/install.log" 2>&1 || { echo "install failed:"; tail -30 "$dir/install.log"; exit 1; }
echo "+ $3"
bash -c "$3" >"$dir/check.out" 2>&1
cat "$dir/check.out"
echo "+ $4"
yes | bash -c "$4" >"$dir/remove.log" 2>&1 || { echo "remove failed:"; cat "$dir/remove.log"; exit 1; }
clinfo >"$dir/after" 2>&1
clinfo --raw >"$dir/after.raw" 2>&1
SCRIPT
chmod +x "$scratch/run.sh"
"$here/overlay-run.sh" "$lower" "$scratch/ov" "$scratch" "$scratch/run.sh" "$scratch" \
	"$install" "$check" "$remove" >"$scratch/out" 2>&1
st=$?
cat "$scratch/out"
fail=0
[ $st -eq 0 ] || { echo "FAIL: the commands failed (status $st)" >&2; fail=1; }
if grep '^\[MESA/0\] *CL_DEVICE_SVM_CAPABILITIES ' "$scratch/check.out" 2>/dev/null | grep -q CL_DEVICE_SVM_ATOMICS; then
	echo "ok: the check shows SVM atomics on rusticl"
else
	echo "FAIL: the check shows no SVM atomics on rusticl" >&2; fail=1
fi
if grep '^\[MESA/0\] *CL_DEVICE_SVM_CAPABILITIES ' "$scratch/before.raw" 2>/dev/null | grep -q CL_DEVICE_SVM_ATOMICS; then
	echo "FAIL: rusticl showed SVM atomics before the install" >&2; fail=1
fi
# Memory sizes a driver derives from free memory are masked (clinfo-stable.sh).
stable() { "$here/clinfo-stable.sh" "$1"; }
if cmp -s <(stable "$scratch/before") <(stable "$scratch/after") &&
	cmp -s <(stable "$scratch/before.raw") <(stable "$scratch/after.raw"); then
	echo "ok: after the removal clinfo prints what it printed before, byte for byte but for the memory sizes"
else
	echo "FAIL: clinfo differs after the removal:" >&2
	diff <(stable "$scratch/before.raw") <(stable "$scratch/after.raw") | head >&2
	fail=1
fi
if [ $fail -eq 0 ]; then
	mkdir -p "$cache"
	rm -f "$cache"/readme-"$dist"-*
	{ echo "$(date -u +%FT%TZ): $dist"; grep '^+ ' "$scratch/out"; grep '^\[MESA/0\] *CL_DEVICE_SVM_CAPABILITIES ' "$scratch/check.out"; } >"$stamp"
	rm -rf "$scratch"
	echo "readme-install: $dist: all ok"
fi
exit $fail
