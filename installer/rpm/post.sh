# RPM %post: make the push signing key hermesd.conf names (once; readable only by the
# service), and let systemd see the unit.
key=/etc/hermes/push.key
if [ ! -e "$key" ] && getent passwd hermes >/dev/null; then
    (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$key.new"; echo >>"$key.new")
    chown hermes:hermes "$key.new" && chmod 0600 "$key.new" && mv "$key.new" "$key"
fi
# Let systemd see the unit. It stays disabled (no `systemctl preset`): enable it
# with `systemctl enable --now hermesd`.
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
