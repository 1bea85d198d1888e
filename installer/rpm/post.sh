# RPM %post: let systemd see the unit. It stays disabled (no `systemctl preset`): enable it
# with `systemctl enable --now hermesd`.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
