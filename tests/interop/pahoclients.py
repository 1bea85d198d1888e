#!/usr/bin/python3
"""Interop matrix: python3-paho-mqtt 1.6 against hermesd for MQTT 3.1, 3.1.1 and 5.0 at
QoS 0, 1 and 2. Every row prints "PASS|FAIL paho/<version>/q<qos>/<feature>".

Rows wait for the callbacks they expect; "nothing else arrived" is proven with a round
trip through the broker (PahoClient.sync) instead of a sleep.
"""

import sys

from hermesinterop import (Broker, PacketTypes, PahoClient, Suite, check, common_arguments,
                           v5props)

VERSIONS = ("mqttv31", "mqttv311", "mqttv5")

KNOWN_FAILURES = {
}


class Rows:
    def __init__(self, args):
        self.args = args

    def broker(self):
        return Broker(self.args.hermesd)

    def persistent(self, version):
        return v5props(PacketTypes.CONNECT, SessionExpiryInterval=300) if version == "mqttv5" else None

    def pubsub(self, version, qos):
        with self.broker() as b:
            sub = PahoClient(b.port, "sub", version)
            sub.connect()
            sub.subscribe("paho/data", qos)
            pub = PahoClient(b.port, "pub", version)
            pub.connect()
            payloads = [b"", b"\x00\x01\xff binary", "ünïcode".encode(), b"x" * 100000]
            for p in payloads:
                pub.publish("paho/data", p, qos)
            sub.wait_messages(len(payloads))
            sub.sync()
            check([m.payload for m in sub.messages] == payloads, "payloads altered, lost or reordered: %r"
                  % sub.messages)
            check(all(m.qos == qos and not m.retain for m in sub.messages), "qos/retain %r" % sub.messages)
            pub.disconnect()
            sub.disconnect()

    def ordering(self, version, qos):
        # [MQTT-4.6.0-6] messages on one topic from one publisher arrive in order
        with self.broker() as b:
            sub = PahoClient(b.port, "sub", version)
            sub.connect()
            sub.subscribe("paho/seq", 2)
            pub = PahoClient(b.port, "pub", version)
            pub.connect()
            count = 200
            for i in range(count):
                pub.publish("paho/seq", b"%d" % i, qos, wait=False)
            sub.wait_messages(count, timeout=20)
            got = [int(m.payload) for m in sub.messages]
            check(got == list(range(count)), "order broken: first difference at %s"
                  % next((i for i, v in enumerate(got) if v != i), None))
            pub.disconnect()
            sub.disconnect()

    def wildcards(self, version, qos):
        with self.broker() as b:
            sub = PahoClient(b.port, "sub", version)
            sub.connect()
            sub.subscribe([("paho/+/temp", qos), ("paho/room/#", qos)])
            pub = PahoClient(b.port, "pub", version)
            pub.connect()
            for t in ("paho/kitchen/temp", "paho/room/1/light", "paho/room", "paho/other/hum"):
                pub.publish(t, t.encode(), qos)
            pub.sync()
            sub.wait_messages(3)
            sub.sync()
            check(sorted(m.topic for m in sub.messages) == ["paho/kitchen/temp", "paho/room", "paho/room/1/light"],
                  "matched %r" % sub.messages)
            pub.disconnect()
            sub.disconnect()

    def retained(self, version, qos):
        with self.broker() as b:
            pub = PahoClient(b.port, "pub", version)
            pub.connect()
            pub.publish("paho/retained", b"kept", qos, retain=True)
            pub.sync()  # the broker has stored it before anyone else subscribes
            sub = PahoClient(b.port, "sub", version)
            sub.connect()
            sub.subscribe("paho/retained", 2)
            m = sub.wait_messages(1)[0]
            check(m.payload == b"kept" and m.retain and m.qos == qos, "retained %r" % m)
            pub.publish("paho/retained", b"", qos, retain=True)  # [MQTT-3.3.1-10] clears it
            sub.wait_messages(2)  # the clearing message itself is forwarded, retain 0
            sub.disconnect()
            sub = PahoClient(b.port, "sub2", version)
            sub.connect()
            sub.subscribe("paho/retained", 2)
            sub.sync()
            check(sub.messages == [], "retained message not cleared: %r" % sub.messages)
            sub.disconnect()
            pub.disconnect()

    def offline_queue(self, version, qos):
        with self.broker() as b:
            sub = PahoClient(b.port, "offline-sub", version, clean=False)
            sub.connect(properties=self.persistent(version))
            sub.subscribe("paho/queued", qos)
            sub.disconnect()
            pub = PahoClient(b.port, "pub", version)
            pub.connect()
            for i in range(5):
                pub.publish("paho/queued", b"queued %d" % i, qos)
            pub.sync()  # all routed (or not queued) before the subscriber comes back
            pub.disconnect()
            sub = PahoClient(b.port, "offline-sub", version, clean=False)
            flags, _, _ = sub.connect(properties=self.persistent(version))
            # MQTT 3.1's CONNACK has no Session Present flag (the byte is reserved there).
            check(flags.get("session present") or version == "mqttv31",
                  "session not present [MQTT-3.2.2-2]: %r" % flags)
            if qos:
                sub.wait_messages(5)
            sub.sync()
            expected = [b"queued %d" % i for i in range(5)] if qos else []
            check([m.payload for m in sub.messages] == expected, "got %r, expected %r" % (sub.messages, expected))
            sub.disconnect()

    def clean_session(self, version, qos):
        # [MQTT-3.1.2-6] / v5 Clean Start: a clean connection discards the old session
        with self.broker() as b:
            sub = PahoClient(b.port, "sub", version, clean=False)
            sub.connect(properties=self.persistent(version))
            sub.subscribe("paho/clean", qos)
            sub.disconnect()
            sub = PahoClient(b.port, "sub", version, clean=True)
            flags, _, _ = sub.connect(properties=self.persistent(version))
            check(not flags.get("session present"), "session present after clean start [MQTT-3.2.2-1]")
            sub.publish("paho/clean", b"x", qos)
            sub.sync()
            check(sub.messages == [], "old subscription survived a clean start: %r" % sub.messages)
            sub.disconnect()

    def will(self, version, qos):
        with self.broker() as b:
            watcher = PahoClient(b.port, "watcher", version)
            watcher.connect()
            watcher.subscribe("paho/will", 2)
            dying = PahoClient(b.port, "dying", version)
            dying.will_set("paho/will", b"gone", qos, retain=True)
            dying.connect()
            dying.drop()
            m = watcher.wait_messages(1)[0]
            check(m.payload == b"gone" and m.qos == qos and not m.retain, "will %r" % m)
            late = PahoClient(b.port, "late", version)
            late.connect()
            late.subscribe("paho/will", 2)
            m = late.wait_messages(1)[0]
            check(m.payload == b"gone" and m.retain, "retained will %r" % m)
            late.disconnect()
            watcher.disconnect()

    def unsubscribe(self, version, qos):
        with self.broker() as b:
            sub = PahoClient(b.port, "sub", version)
            sub.connect()
            sub.subscribe([("paho/a", qos), ("paho/b", qos)])
            sub.unsubscribe("paho/a")
            sub.publish("paho/a", b"a", qos)
            sub.publish("paho/b", b"b", qos)
            sub.wait_messages(1)
            sub.sync()
            check([m.payload for m in sub.messages] == [b"b"], "got %r" % sub.messages)
            sub.disconnect()

    def cross_version(self, version, qos):
        """This version publishes to a subscriber of each of the three versions."""
        with self.broker() as b:
            subs = [PahoClient(b.port, "sub-" + v, v) for v in VERSIONS]
            for s in subs:
                s.connect()
                s.subscribe("paho/x", 2)
            pub = PahoClient(b.port, "pub", version)
            pub.connect()
            props = v5props(PacketTypes.PUBLISH, UserProperty=[("k", "v")]) if version == "mqttv5" else None
            pub.publish("paho/x", b"from " + version.encode(), qos, properties=props)
            for s in subs:
                m = s.wait_messages(1)[0]
                check(m.payload == b"from " + version.encode() and m.qos == qos, "%s got %r" % (s.version, m))
                if s.version == "mqttv5" and props:
                    check(m.prop("UserProperty") == [("k", "v")], "user property lost: %r" % m)
                s.disconnect()
            pub.disconnect()

    def take_over(self, version, qos):
        # [MQTT-3.1.4-3] same client id: the old connection is closed, the new one works
        with self.broker() as b:
            first = PahoClient(b.port, "device-1", version)
            first.connect()
            second = PahoClient(b.port, "device-1", version)
            second.connect()
            first.wait_disconnect()
            second.subscribe("paho/t", qos)
            second.publish("paho/t", b"still here", qos)
            check(second.wait_messages(1)[0].payload == b"still here", "new connection not working")
            first.client.loop_stop()
            second.disconnect()


FEATURES = ["pubsub", "ordering", "wildcards", "retained", "offline_queue", "clean_session", "will",
            "unsubscribe", "cross_version", "take_over"]


def main():
    args = common_arguments("paho-mqtt against hermesd")
    rows = Rows(args)
    suite = Suite("interop paho", args, KNOWN_FAILURES)
    for feature in FEATURES:
        for version in VERSIONS:
            for qos in (0, 1, 2):
                suite.run("paho/%s/q%d/%s" % (version, qos, feature), getattr(rows, feature), version, qos)
    suite.print_matrix()
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
