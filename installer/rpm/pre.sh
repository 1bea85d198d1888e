# RPM %pre: the system user hermesd runs as (Fedora's classic useradd recipe; its data
# directory /var/lib/hermes is created by systemd from StateDirectory= in the unit).
getent group hermes >/dev/null || groupadd -r hermes
getent passwd hermes >/dev/null || \
    useradd -r -g hermes -d /var/lib/hermes -s /sbin/nologin -c "Hermes MQTT broker" hermes
exit 0
