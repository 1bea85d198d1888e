#!/usr/bin/env bash
# Builds the hermes-console .deb from an existing build tree, runs lintian on it (errors
# fail), installs it for real, checks the installed programs, data files and service user,
# runs a publish/subscribe round trip through the installed hermesd, then purges the package
# and checks nothing is left. It also builds the .rpm with Debian's rpmbuild and checks its
# metadata, file list and requirements with rpm -qp (an RPM cannot be installed on Debian).
#
# Run from the repository root as root, after `cmake --preset default && cmake --build build`:
#     scripts/package-test.sh            # BUILD_DIR=build-x scripts/package-test.sh for another tree
# Exits non-zero on the first failure; the package is purged on every exit path.
set -euo pipefail

BUILD_DIR=${BUILD_DIR:-build}
PACKAGE=hermes-console
APP_ID=invalid.example.hermes
WORK=$(mktemp -d)
BROKER_PID=""

# True while dpkg knows any state of the package other than "not-installed".
present() { dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -qv 'not-installed$'; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

cleanup() {
    local status=$?
    if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
        kill "$BROKER_PID" 2>/dev/null || true
        wait "$BROKER_PID" 2>/dev/null || true
    fi
    if present; then
        echo "package-test: purging $PACKAGE on exit"
        apt-get purge -y -qq "$PACKAGE" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || fail "must run as root (it installs and purges the package)"
[[ -f CMakeLists.txt && -d "$BUILD_DIR" ]] || fail "run from the repository root after building $BUILD_DIR/"
if present; then
    fail "$PACKAGE is already installed; purge it first (apt-get purge $PACKAGE)"
fi

# --- build the package -------------------------------------------------------------------
step "cpack -G DEB in $BUILD_DIR"
rm -f "$BUILD_DIR"/${PACKAGE}_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; fail "cpack"; }
debs=("$BUILD_DIR"/${PACKAGE}_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected exactly one $PACKAGE .deb in $BUILD_DIR"
DEB=$(realpath "${debs[0]}")
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "Depends: $DEPENDS"
echo "Recommends: $(dpkg-deb -f "$DEB" Recommends)"
for dep in libqt6sql6-sqlite adduser libqt6core6 libqt6network6 libqt6widgets6 libc6; do
    grep -qw -- "$dep" <<<"$DEPENDS" || fail "Depends lacks $dep"
done
dpkg-deb -f "$DEB" Recommends | grep -q '^fonts-wqy-microhei' || fail "Recommends must start with fonts-wqy-microhei"
dpkg-deb -I "$DEB" conffiles | grep -qx /etc/hermes/hermesd.conf || fail "hermesd.conf is not a conffile"

# --- lintian -----------------------------------------------------------------------------
# Errors fail; warnings are printed (deliberate tags are overridden, with the reason, in
# installer/linux/hermes-console.lintian-overrides, which the package installs).
step "lintian $(basename "$DEB")"
lintian_status=0
lintian --tag-display-limit 0 --fail-on error "$DEB" >"$WORK/lintian.log" 2>&1 || lintian_status=$?
grep -v '^running with root privileges' "$WORK/lintian.log" || true
[[ $lintian_status -eq 0 ]] || fail "lintian reports errors (exit $lintian_status)"
echo "ok: lintian: $(grep -c '^E:' "$WORK/lintian.log" || true) errors, $(grep -c '^W:' "$WORK/lintian.log" || true) warnings"

# --- RPM: built and inspected, not installed ---------------------------------------------
step "cpack -G RPM in $BUILD_DIR"
rm -f "$BUILD_DIR"/${PACKAGE}-*.rpm
(cd "$BUILD_DIR" && cpack -G RPM >"$WORK/cpack-rpm.log" 2>&1) || { cat "$WORK/cpack-rpm.log"; fail "cpack -G RPM"; }
rpms=("$BUILD_DIR"/${PACKAGE}-*.rpm)
[[ ${#rpms[@]} -eq 1 && -f ${rpms[0]} ]] || fail "expected exactly one $PACKAGE .rpm in $BUILD_DIR"
RPM=$(realpath "${rpms[0]}")
rpm -qip "$RPM" 2>/dev/null | tee "$WORK/rpm-info" | grep -E '^(Name|Version|Release|Architecture|License|URL|Summary) '
grep -q "^Name *: $PACKAGE\$" "$WORK/rpm-info" || fail "rpm Name is not $PACKAGE"
grep -q '^License *: LicenseRef-proprietary' "$WORK/rpm-info" || fail "rpm License missing"
rpm -qlp "$RPM" 2>/dev/null | sort >"$WORK/rpm-files"
rpm_expected=(
    /usr/bin/hermes /usr/bin/hermesd /usr/bin/hermesctl
    /etc/hermes/hermesd.conf
    /usr/lib/systemd/system/hermesd.service
    /usr/share/applications/$APP_ID.desktop
    /usr/share/metainfo/$APP_ID.metainfo.xml
    /usr/share/icons/hicolor/scalable/apps/hermes.svg
    /usr/share/man/man1/hermes.1.gz /usr/share/man/man1/hermesd.1.gz /usr/share/man/man1/hermesctl.1.gz
    /usr/share/doc/$PACKAGE/copyright
)
for size in 16 22 24 32 48 64 128 256; do
    rpm_expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/hermes.png")
done
for path in "${rpm_expected[@]}"; do
    grep -qx -- "$path" "$WORK/rpm-files" || fail "rpm does not contain $path"
done
# The package owns its own directories only, never the system's (rpm -e would remove them).
rpm_dirs=$(rpm -qlvp "$RPM" 2>/dev/null | awk '/^d/ {print $NF}' | sort | tr '\n' ' ')
[[ $rpm_dirs == "/etc/hermes /usr/share/doc/$PACKAGE " ]] || fail "rpm owns directories: $rpm_dirs"
rpm -qp --configfiles "$RPM" 2>/dev/null | grep -qx /etc/hermes/hermesd.conf || fail "hermesd.conf is not %config in the rpm"
rpm -qp --requires "$RPM" 2>/dev/null | sort -u >"$WORK/rpm-requires"
echo "Requires: $(tr '\n' ' ' <"$WORK/rpm-requires")"
for need in 'qt6-qtbase >= 6.4' 'libQt6Core.so.6()(64bit)' 'libQt6Network.so.6()(64bit)' \
            'libQt6Widgets.so.6()(64bit)' 'libc.so.6()(64bit)' 'shadow-utils' 'systemd'; do
    grep -qxF -- "$need" "$WORK/rpm-requires" || fail "rpm Requires lacks '$need'"
done
# Debian names would not resolve on Fedora.
! grep -E '^(libqt6[a-z0-9-]*|adduser|libprotobuf[0-9]+)( |$)' "$WORK/rpm-requires" || fail "rpm Requires names Debian packages"
rpm -qp --recommends "$RPM" 2>/dev/null | grep -q 'wqy-microhei-fonts' || fail "rpm does not recommend a CJK font"
rpm -qp --scripts "$RPM" 2>/dev/null | grep -q 'useradd -r -g hermes' || fail "rpm %pre does not create the hermes user"
echo "ok: $(basename "$RPM") $(stat -c %s "$RPM") bytes, $(wc -l <"$WORK/rpm-files") files, $(wc -l <"$WORK/rpm-requires") requires"

# --- install -----------------------------------------------------------------------------
step "apt-get install $DEB"
apt-get install -y -qq --no-install-recommends "$DEB" >"$WORK/install.log" 2>&1 \
    || { cat "$WORK/install.log"; fail "apt-get install"; }
dpkg-query -W -f='${Status}\n' "$PACKAGE" | grep -qx 'install ok installed' || fail "not installed"
dpkg -L "$PACKAGE" | sort >"$WORK/files"

expected=(
    /usr/bin/hermes /usr/bin/hermesd /usr/bin/hermesctl
    /etc/hermes/hermesd.conf
    /usr/lib/systemd/system/hermesd.service
    /usr/share/applications/$APP_ID.desktop
    /usr/share/metainfo/$APP_ID.metainfo.xml
    /usr/share/icons/hicolor/scalable/apps/hermes.svg
    /usr/share/man/man1/hermes.1.gz /usr/share/man/man1/hermesd.1.gz /usr/share/man/man1/hermesctl.1.gz
    /usr/share/doc/$PACKAGE/copyright /usr/share/doc/$PACKAGE/changelog.gz
)
for size in 16 22 24 32 48 64 128 256; do
    expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/hermes.png")
done
for path in "${expected[@]}"; do
    grep -qx -- "$path" "$WORK/files" || fail "package does not list $path"
    [[ -f $path ]] || fail "$path missing after install"
done
echo "ok: ${#expected[@]} expected files installed"

step "installed programs"
for program in hermes hermesd hermesctl; do
    # No display: --version must still work (the GUI answers it before creating QApplication).
    out=$(env -u DISPLAY -u WAYLAND_DISPLAY "/usr/bin/$program" --version) || fail "$program --version"
    echo "$out"
    grep -q '[0-9]\+\.[0-9]\+\.[0-9]\+' <<<"$out" || fail "$program --version printed no version"
    ! readelf -d "/usr/bin/$program" | grep -q 'RUNPATH\|RPATH' || fail "$program has an RPATH/RUNPATH"
    ! ldd "/usr/bin/$program" | grep -q 'not found' || fail "$program has unresolved libraries"
done
out=$(/usr/bin/hermesd --check-config --config /etc/hermes/hermesd.conf) || fail "hermesd --check-config"
echo "$out"
grep -qx 'data dir: /var/lib/hermes' <<<"$out" || fail "packaged config does not use /var/lib/hermes"
for page in hermes hermesd hermesctl; do
    man -w "$page" >/dev/null 2>&1 || fail "man $page not found"
done
echo "ok: man pages found"

step "service user and unit"
getent passwd hermes >/dev/null || fail "system user hermes not created"
uid=$(id -u hermes)
(( uid < 1000 )) || fail "hermes is not a system user (uid $uid)"
[[ $(stat -c '%a %U %G' /etc/hermes/push.key) == "600 hermes hermes" ]] \
    || fail "push signing key: $(stat -c '%a %U %G' /etc/hermes/push.key 2>&1), expected 600 hermes hermes"
grep -qx '^push_signing_key k1 /etc/hermes/push.key' /etc/hermes/hermesd.conf || fail "packaged config does not sign pushes"
echo "ok: push signing key /etc/hermes/push.key (600 hermes)"
getent group hermes >/dev/null || fail "group hermes not created"
if [[ -e /etc/systemd/system/multi-user.target.wants/hermesd.service ]]; then
    fail "hermesd.service is enabled; it must be installed disabled"
fi
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify /usr/lib/systemd/system/hermesd.service >"$WORK/verify.log" 2>&1 \
        || { cat "$WORK/verify.log"; fail "systemd-analyze verify"; }
    echo "ok: systemd-analyze verify"
else
    echo "skip: systemd-analyze not installed"
fi

step "validators"
desktop-file-validate "/usr/share/applications/$APP_ID.desktop" || fail "desktop-file-validate"
echo "ok: desktop-file-validate"
appstreamcli validate --no-net "/usr/share/metainfo/$APP_ID.metainfo.xml" || fail "appstreamcli validate"

# --- publish/subscribe through the installed broker --------------------------------------
step "publish/subscribe round trip via /usr/bin/hermesd"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# As the packaged service runs it: the hermes system user, which has no home directory, the
# packaged config (signing key, admin socket in /run/hermes as systemd's RuntimeDirectory=
# makes it). setpriv execs hermesd itself (runuser would stay in between and eat the SIGTERM).
SOCKET=/run/hermes/hermesd.sock
[[ ! -e $SOCKET ]] || fail "$SOCKET exists already (is a hermesd running?)"
install -d -o hermes -g hermes -m 0750 /run/hermes
setpriv --reuid=hermes --regid=hermes --init-groups /usr/bin/hermesd --config /etc/hermes/hermesd.conf \
    --listen "127.0.0.1:$PORT" --listen "unix:$SOCKET" --no-persistence \
    >"$WORK/hermesd.out" 2>"$WORK/hermesd.err" &
BROKER_PID=$!
for _ in $(seq 100); do
    grep -q 'hermesd listening on' "$WORK/hermesd.out" && break
    kill -0 "$BROKER_PID" 2>/dev/null || { cat "$WORK/hermesd.err"; fail "hermesd exited early"; }
    sleep 0.1
done
grep -qx "hermesd listening on 127.0.0.1:$PORT" "$WORK/hermesd.out" || fail "hermesd did not report listening"
grep -qx "hermesd listening on unix:$SOCKET" "$WORK/hermesd.out" || fail "hermesd did not report its admin socket"
[[ $(stat -c '%a %G' "$SOCKET") == "660 hermes" ]] || fail "$SOCKET is $(stat -c '%a %G' "$SOCKET"), expected 660 hermes"
# root on the admin socket is an operator without a password: hermesctl finds it by itself.
/usr/bin/hermesctl sessions >"$WORK/sessions" 2>&1 || { cat "$WORK/sessions"; fail "hermesctl over $SOCKET"; }
echo "ok: hermesctl sessions over $SOCKET as root"
# A user outside group hermes cannot reach the socket (/run/hermes is 0750): told which group
# and how to join it.
denied_status=0
setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/hermesctl sessions >"$WORK/denied-ctl" 2>&1 || denied_status=$?
[[ $denied_status -eq 3 ]] || { cat "$WORK/denied-ctl"; fail "hermesctl as nobody exited with $denied_status, expected 3"; }
grep -qF "only members of group hermes may connect here; add nobody to it (sudo adduser nobody hermes)" "$WORK/denied-ctl" \
    || { cat "$WORK/denied-ctl"; fail "hermesctl as nobody did not name group hermes"; }
echo "ok: a user outside group hermes is told to join it: $(cat "$WORK/denied-ctl")"
TOPIC="hermes/package-test/$$"
PAYLOAD="你好 hermes $(date +%s)"
# An anonymous TCP client is a device: this topic is not one of its own (SUBACK 0x87).
timeout 10 mosquitto_sub -h 127.0.0.1 -p "$PORT" -V mqttv5 -t "$TOPIC" -C 1 -W 3 >/dev/null 2>"$WORK/denied" || true
grep -q 'denied' "$WORK/denied" || fail "an anonymous TCP client could subscribe to $TOPIC"
echo "ok: anonymous TCP client refused: $(cat "$WORK/denied")"
# Over the admin socket as root (an operator; anonymous TCP clients are devices and may not
# use this topic). The subscriber (MQTT 5) exits after one message; the publisher (MQTT
# 3.1.1) repeats until then, so no guess is needed about when the subscription is in place.
timeout 15 mosquitto_sub --unix "$SOCKET" -V mqttv5 -q 1 -t "$TOPIC" -C 1 >"$WORK/received" &
SUB_PID=$!
for _ in $(seq 50); do
    kill -0 "$SUB_PID" 2>/dev/null || break
    mosquitto_pub --unix "$SOCKET" -V mqttv311 -q 1 -t "$TOPIC" -m "$PAYLOAD" || fail "mosquitto_pub"
    sleep 0.2
done
wait "$SUB_PID" || fail "mosquitto_sub got no message"
[[ $(cat "$WORK/received") == "$PAYLOAD" ]] || fail "received '$(cat "$WORK/received")', sent '$PAYLOAD'"
echo "ok: received '$PAYLOAD' on $TOPIC"
# What an operator does first with the service (the console's "Attach to it" walks the same
# path over the same socket): a few devices connect, all of them show among the sessions,
# and a push by device ID reaches the one it names and no other.
DEVICE_PIDS=()
for i in 1 2 3; do
    timeout 30 mosquitto_sub -h 127.0.0.1 -p "$PORT" -V mqttv5 -i "pkg-dev-$i" -q 1 \
        -t "devices/pkg-dev-$i/push" -C 1 >"$WORK/device-$i" 2>&1 &
    DEVICE_PIDS+=("$!")
done
for _ in $(seq 100); do
    /usr/bin/hermesctl sessions --online >"$WORK/sessions" 2>&1 || true
    [[ $(grep -c 'pkg-dev-' "$WORK/sessions") -eq 3 ]] && break
    sleep 0.1
done
[[ $(grep -c 'pkg-dev-' "$WORK/sessions") -eq 3 ]] || { cat "$WORK/sessions"; fail "the three devices are not all in sessions"; }
echo "ok: three mosquitto_sub devices listed by hermesctl sessions over $SOCKET"
/usr/bin/hermesctl push --device pkg-dev-2 --text "$PAYLOAD" --wait >"$WORK/push" 2>&1 \
    || { cat "$WORK/push"; fail "hermesctl push --device pkg-dev-2"; }
wait "${DEVICE_PIDS[1]}" || { cat "$WORK/device-2"; fail "device pkg-dev-2 got no push"; }
grep -q "hermes" "$WORK/device-2" || fail "device pkg-dev-2 received '$(cat "$WORK/device-2")'"
for pid in "${DEVICE_PIDS[0]}" "${DEVICE_PIDS[2]}"; do
    kill -0 "$pid" 2>/dev/null || fail "a device the push did not name received something"
    kill "$pid"
done
wait "${DEVICE_PIDS[0]}" "${DEVICE_PIDS[2]}" 2>/dev/null || true
echo "ok: a push to pkg-dev-2 reached it and only it"
kill -TERM "$BROKER_PID"
broker_status=0
wait "$BROKER_PID" || broker_status=$?
BROKER_PID=""
[[ $broker_status -eq 0 ]] || { cat "$WORK/hermesd.err"; fail "hermesd exited with $broker_status after SIGTERM"; }
echo "ok: hermesd stopped cleanly on SIGTERM"
[[ ! -e $SOCKET ]] || fail "$SOCKET left behind after SIGTERM"
rmdir /run/hermes

# --- purge -------------------------------------------------------------------------------
step "apt-get purge $PACKAGE"
apt-get purge -y -qq "$PACKAGE" >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; fail "apt-get purge"; }
if present; then fail "still known to dpkg after purge"; fi
left=0
while IFS= read -r path; do
    [[ -e $path || -L $path ]] || continue
    # Directories other packages own (or still hold files) are shared, e.g. /usr/share/man.
    if [[ -d $path && ! -L $path ]] && { dpkg -S "$path" >/dev/null 2>&1 || [[ -n $(ls -A "$path") ]]; }; then
        continue
    fi
    echo "left behind: $path" >&2
    left=1
done <"$WORK/files"
[[ $left -eq 0 ]] || fail "files from the package remain after purge"
for path in /etc/hermes /var/lib/hermes; do
    [[ ! -e $path ]] || fail "$path remains after purge"
done
! getent passwd hermes >/dev/null || fail "user hermes remains after purge"
! getent group hermes >/dev/null || fail "group hermes remains after purge"
echo "ok: nothing left ($(wc -l <"$WORK/files") paths checked)"

echo "package-test: PASS  $(basename "$DEB")  $(stat -c %s "$DEB") bytes ($(du -h "$DEB" | cut -f1))"
