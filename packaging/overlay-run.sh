#!/bin/bash
# Run a command in a throwaway layer over a cached userland: an overlay
# mount whose lower layers are never written, whose upper layer is UPPER
# (kept between calls, so several calls see each other's changes; delete it
# to throw them away).  The overlay and the binds of in-userland.sh live in
# a private mount namespace that ends with the command.
#
#   overlay-run.sh LOWER[:LOWER...] UPPER DIR[:DIR...] CMD [ARGS...]
#
# LOWER: the leftmost is the top layer (as in overlayfs's lowerdir).
# DIRS: host directories bound at the same paths; "-" for none (never "/":
# that would bind the host's root over the userland's).
# LOADER and SVMX_* pass through as with conformance/matrix/in-userland.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
lower=${1:?usage: overlay-run.sh LOWER UPPER DIRS CMD...}
upper=${2:?usage: overlay-run.sh LOWER UPPER DIRS CMD...}
dirs=${3:?usage: overlay-run.sh LOWER UPPER DIRS CMD...}
shift 3
case "$dirs" in
-) dirs=/proc ;; # in-userland.sh binds /proc anyway
/ | *:/ | /:* | *:/:*) echo "overlay-run: / is not a directory to bind" >&2; exit 2 ;;
esac
mkdir -p "$upper/upper" "$upper/work" "$upper/merged"
exec unshare --mount --propagation private /bin/bash -c '
	set -e
	lower=$1 upper=$2 dirs=$3 inner=$4
	shift 4
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper/upper,workdir=$upper/work" "$upper/merged"
	exec "$inner" "$upper/merged" "$dirs" "$@"
' overlay-run "$lower" "$upper" "$dirs" "$here/../conformance/matrix/in-userland.sh" "$@"
