# RPM %preun: on the last erase ($1 = 0), stop and disable hermesd while its unit still
# exists (what Fedora's %systemd_preun macro does).
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl --no-reload disable --now hermesd.service >/dev/null 2>&1 || :
fi
exit 0
