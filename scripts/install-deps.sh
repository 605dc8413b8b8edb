#!/bin/sh
# Installs the Debian packages that building, testing and the demo need,
# when they are missing.  Runs apt-get as root, through sudo otherwise.
#
#   scripts/install-deps.sh           build, tests and demo
#   scripts/install-deps.sh --bench   also wrk and nginx for "make bench"
#
# The benchmark packages are kept apart because installing nginx on a host
# with systemd also starts a web server on port 80.
set -eu

PACKAGES="build-essential pkg-config libpq-dev libyaml-dev libjansson-dev
libmicrohttpd-dev libncurses-dev libcriterion-dev zlib1g-dev postgresql
postgresql-client tmux curl jq man-db"

case "${1:-}" in
"") ;;
--bench) PACKAGES="$PACKAGES wrk nginx-light" ;;
*) echo "install-deps: error: unknown option \"$1\"" >&2
   echo "usage: scripts/install-deps.sh [--bench]" >&2
   exit 2 ;;
esac

missing=""
for pkg in $PACKAGES; do
	if ! dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $pkg"
	fi
done

if [ -z "$missing" ]; then
	echo "install-deps: every package is installed"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: error: missing packages:$missing" >&2
	echo "HINT:  Run this script as root or install sudo." >&2
	exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
