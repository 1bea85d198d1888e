#!/usr/bin/python3
"""Volume interop: many connections, fan-out, many retained messages and packet identifier
wrap-around, checked message by message (nothing lost, duplicated or reordered)."""

import sys
import threading
import time

from hermesinterop import (CONNACK, PUBACK, PUBLISH, Broker, PahoClient, RawClient, Suite, check,
                           common_arguments)

KNOWN_FAILURES = {
}


def many_connections(hermesd, count=500):
    """500 raw connections CONNECT at once; every one gets CONNACK 0, then all stay usable."""
    with Broker(hermesd) as b:
        clients = [RawClient(b.port, "mqttv311", timeout=20) for _ in range(count)]
        for i, c in enumerate(clients):
            c.send(c.connect_bytes("conn-%d" % i))
        for i, c in enumerate(clients):
            connack = c.expect(CONNACK, timeout=20)
            check(connack.reason == 0, "connection %d refused: %r" % (i, connack))
        watcher = PahoClient(b.port, "watcher", "mqttv311")
        watcher.connect()
        watcher.subscribe("many/+", 1)
        for i, c in enumerate(clients):
            c.publish("many/%d" % i, b"x", 1, pid=1)
        for c in clients:
            c.expect(PUBACK, timeout=20)
        watcher.wait_messages(count, timeout=20)
        watcher.sync()
        check(sorted(m.topic for m in watcher.messages) == sorted("many/%d" % i for i in range(count)),
              "each of %d connections' message exactly once" % count)
        for c in clients:
            c.disconnect()
            c.close()
        watcher.disconnect()


def fanout(hermesd, subscribers=50, messages=200):
    """One publisher, 50 QoS 1 subscribers, 200 messages: 10,000 deliveries, each in order."""
    with Broker(hermesd) as b:
        subs = []
        for i in range(subscribers):
            s = PahoClient(b.port, "fan-%d" % i, "mqttv5")
            s.connect()
            s.subscribe("fan/out", 1)
            subs.append(s)
        pub = PahoClient(b.port, "fan-pub", "mqttv5")
        pub.connect()
        for i in range(messages):
            pub.publish("fan/out", b"%d" % i, 1, wait=False)
        expected = [b"%d" % i for i in range(messages)]
        for s in subs:
            s.wait_messages(messages, timeout=30)
            check([m.payload for m in s.messages] == expected, "%s: lost, duplicated or reordered" % s.client._client_id)
        for s in subs:
            s.disconnect()
        pub.disconnect()


def many_retained(hermesd, count=1000):
    with Broker(hermesd) as b:
        pub = RawClient(b.port, "mqttv311")
        pub.connect("retainer")
        for i in range(count):
            pub.publish("retained/%04d" % i, b"value %d" % i, 0, retain=True)
        pub.sync()
        sub = PahoClient(b.port, "reader", "mqttv311")
        sub.connect()
        sub.subscribe("retained/#", 1)
        sub.wait_messages(count, timeout=20)
        sub.sync()
        check(len(sub.messages) == count and all(m.retain for m in sub.messages),
              "%d retained messages on subscribe, %d expected" % (len(sub.messages), count))
        check(sorted(m.topic for m in sub.messages) == ["retained/%04d" % i for i in range(count)], "topics")
        pub.disconnect()
        sub.disconnect()


def packet_id_wrap(hermesd, total=70000, window=1000):
    """70,000 QoS 1 deliveries to one subscriber: identifiers run past 65,535 and wrap,
    never 0 [MQTT-2.2.1-3]; every message arrives once, in order. A reader thread acknowledges
    at once; the publisher keeps at most `window` of its own PUBLISH unacknowledged.
    The broker acknowledges the publisher once a message is routed, so a slow reader makes
    the subscriber's queue grow; the queue limit is raised above `total` so that a busy
    machine tests wrapping, not the (counted) drops at the default limit."""
    with Broker(hermesd, config={"max_queued_messages": str(total)}) as b:
        sub = RawClient(b.port, "mqttv311", timeout=30)
        sub.connect("wrap-sub")
        sub.subscribe(1, [("wrap/t", 1)])
        pub = RawClient(b.port, "mqttv311", timeout=30)
        pub.connect("wrap-pub")
        pids, problems = [], []

        def read():
            try:
                for i in range(total):
                    p = sub.recv(30)
                    if p is None or p.type != PUBLISH or p.payload != b"%d" % i:
                        problems.append("delivery %d: %r" % (i, p))
                        return
                    pids.append(p.pid)
                    sub.ack(PUBACK, p.pid)
            except Exception as exc:  # reported below, from the main thread
                problems.append("reader: %r" % exc)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        started = time.monotonic()
        acked = 0
        for i in range(total):
            pub.publish("wrap/t", b"%d" % i, 1, pid=(i % 65535) + 1)
            if i + 1 - acked >= window:
                pub.expect(PUBACK, timeout=30)
                acked += 1
        while acked < total:
            pub.expect(PUBACK, timeout=30)
            acked += 1
        reader.join(60)
        elapsed = time.monotonic() - started
        check(not problems, "; ".join(problems))
        check(len(pids) == total, "%d of %d delivered" % (len(pids), total))
        check(0 not in pids, "packet identifier 0 used")
        check(max(pids) == 65535 and pids.count(1) >= 2, "identifiers never wrapped: max %d" % max(pids))
        print("      measured: %d QoS 1 messages through one publisher and one subscriber in %.1f s (%.0f/s)"
              % (total, elapsed, total / elapsed))
        pub.disconnect()
        sub.disconnect()


def main():
    args = common_arguments("volume interop against hermesd")
    suite = Suite("interop stress", args, KNOWN_FAILURES)
    suite.run("stress/500_connections", many_connections, args.hermesd)
    suite.run("stress/fanout_50x200_qos1", fanout, args.hermesd)
    suite.run("stress/1000_retained_on_subscribe", many_retained, args.hermesd)
    suite.run("stress/packet_id_wrap_70000_qos1", packet_id_wrap, args.hermesd)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
