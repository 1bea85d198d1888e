# RPM %postun: reload systemd; on an upgrade ($1 >= 1) restart a running hermesd on the new
# binary (Fedora's %systemd_postun_with_restart). RPM has no purge: on the last erase the
# data in /var/lib/hermes and the hermes user stay, as Fedora policy asks.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
    if [ "$1" -ge 1 ]; then
        systemctl try-restart hermesd.service >/dev/null 2>&1 || :
    fi
fi
exit 0
