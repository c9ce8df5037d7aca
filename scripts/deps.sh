#!/bin/sh
# Installs the Debian packages Eddy needs to build and test, and does
# nothing when they are all there.  Runs apt-get as root, or through sudo.
set -e
PKGS="build-essential pkg-config libreadline-dev libuv1-dev libcmocka-dev
libjansson-dev libhttp-parser-dev python3 curl tmux postgresql-client clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -q || echo "deps: apt-get update failed; trying with the current package lists"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
