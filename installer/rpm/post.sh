# RPM %post (recipe, not built here): the system user hermesd runs as; the unit stays disabled.
getent group hermes >/dev/null || groupadd -r hermes
getent passwd hermes >/dev/null || \
    useradd -r -g hermes -d /var/lib/hermes -s /sbin/nologin -c "Hermes MQTT broker" hermes
systemctl daemon-reload >/dev/null 2>&1 || :
