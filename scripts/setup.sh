#!/bin/sh
# Installs every Debian 12 package Hermes needs to build, test and run (gnome-keyring and
# dbus-daemon: a real Secret Service for tst_passwordvault). Idempotent: it only
# calls apt-get when something is missing. Run as root. lintian checks the .deb and rpm
# (Debian's build of rpmbuild) builds and inspects the .rpm in scripts/package-test.sh.
set -eu
packages="qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev qt6-tools-dev qt6-tools-dev-tools
 qt6-l10n-tools qt6-translations-l10n libqt6sql6-sqlite libsqlite3-dev protobuf-compiler libprotobuf-dev
 libprotoc-dev cmake ninja-build g++ clang lld libclang-rt-14-dev ccache xvfb xauth fonts-wqy-microhei
 mosquitto mosquitto-clients python3-paho-mqtt sqlite3 desktop-file-utils appstream
 lintian rpm openssl libssl-dev qt6-websockets-dev qt6-httpserver-dev qtkeychain-qt6-dev
 python3-prometheus-client python3-yaml curl chromium rabbitmq-server
 libsecret-1-0 libsecret-tools gnome-keyring dbus-daemon dbus-bin"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "Installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
    # rabbitmq-server is a test peer: the tests start their own nodes on loopback
    # (scripts/rabbitmq-cluster.sh); the system service it installs stays off.
    case "$missing" in
    *rabbitmq-server*) systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true ;;
    esac
fi
