#!/usr/bin/python3
"""Interop matrix: Debian's mosquitto_pub / mosquitto_sub (libmosquitto 2.0) against hermesd,
for MQTT 3.1, 3.1.1 and 5.0 (-V mqttv31 / mqttv311 / mqttv5) at QoS 0, 1 and 2, plus
mosquitto <-> paho crossings.

mosquitto_sub runs with -d so that its "Subscribed (mid: N)" line tells us the SUBACK has
arrived before anything is published; its -F format prints one tagged line per message.
Every row prints "PASS|FAIL mosquitto/<version>/q<qos>/<feature>".
"""

import os
import signal
import subprocess
import sys
import tempfile
import threading

from hermesinterop import EVENT_TIMEOUT, HOST, Broker, PahoClient, Suite, check, common_arguments

VERSIONS = ("mqttv31", "mqttv311", "mqttv5")
FORMAT = "MSG|%t|%q|%r|%l|%x"
FORMAT_V5 = FORMAT + "|%C|%F|%R|%D|%E|%S|%P"

KNOWN_FAILURES = {
}


class MosquittoSub:
    """A mosquitto_sub process whose output lines are collected by a thread."""

    def __init__(self, port, version, topic, qos, count, extra=(), client_id=None, timeout=10):
        fmt = FORMAT_V5 if version == "mqttv5" else FORMAT
        # stdbuf: line-buffered stdout, or the -d "Subscribed" line sits in a pipe buffer
        # (stdbuf execs mosquitto_sub, so the pid is mosquitto_sub's own).
        args = ["stdbuf", "-oL", "mosquitto_sub", "-h", HOST, "-p", str(port), "-V", version, "-q", str(qos), "-d",
                "-F", fmt, "-W", str(timeout)]
        if count:
            args += ["-C", str(count)]
        for t in ([topic] if isinstance(topic, str) else topic):
            args += ["-t", t]
        if client_id:
            args += ["-i", client_id]
        args += list(extra)
        self.args = args
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = []
        self.cond = threading.Condition()
        self.done = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.process.stdout:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def wait_line(self, text, timeout=EVENT_TIMEOUT):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(text in l for l in self.lines) or self.done, timeout)
            found = any(text in l for l in self.lines)
        check(ok and found, "mosquitto_sub never printed %r: %r" % (text, self.lines[-10:]))

    def wait_subscribed(self):
        self.wait_line("Subscribed (mid")

    def finish(self, timeout=12, expect_rc=0):
        """Waits for exit (-C reached, -E, or -W); returns the parsed message lines."""
        try:
            rc = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        with self.cond:
            self.cond.wait_for(lambda: self.done, EVENT_TIMEOUT)
        err = self.process.stderr.read().decode("utf-8", "replace")
        if expect_rc is not None:
            check(rc == expect_rc, "mosquitto_sub exited %s: %s %s" % (rc, err.strip(), self.lines[-5:]))
        return self.messages()

    def messages(self):
        out = []
        for line in self.lines:
            if line.startswith("MSG|"):
                f = line.split("|")
                m = {"topic": f[1], "qos": int(f[2]), "retain": f[3] == "1", "length": int(f[4]),
                     "payload": bytes.fromhex(f[5])}
                if len(f) > 6:
                    m.update({"content_type": f[6], "format": f[7], "response_topic": f[8], "correlation": f[9],
                              "expiry": f[10], "subid": f[11], "user": "|".join(f[12:])})
                out.append(m)
        return out

    def kill(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()


def mosquitto_pub(port, version, topic, qos, message=None, extra=(), file=None, null=False, expect_rc=0):
    args = ["mosquitto_pub", "-h", HOST, "-p", str(port), "-V", version, "-q", str(qos), "-t", topic]
    if null:
        args.append("-n")
    elif file:
        args += ["-f", file]
    else:
        args += ["-m", message]
    args += list(extra)
    done = subprocess.run(args, capture_output=True, timeout=15)
    if expect_rc is not None:
        check(done.returncode == expect_rc, "mosquitto_pub exited %d: %s" % (done.returncode,
                                                                          done.stderr.decode().strip()))
    return done


class Rows:
    def __init__(self, args):
        self.args = args

    def broker(self):
        return Broker(self.args.hermesd)

    def pubsub(self, version, qos):
        with self.broker() as b:
            sub = MosquittoSub(b.port, version, "interop/+/data", qos, 2)
            sub.wait_subscribed()
            payload = "héllo wörld %s q%d" % (version, qos)
            mosquitto_pub(b.port, version, "interop/%s/data" % version, qos, payload)
            mosquitto_pub(b.port, version, "interop/%s/data" % version, qos, null=True)
            msgs = sub.finish()
            check(len(msgs) == 2, "expected 2 messages, got %r" % msgs)
            check(msgs[0]["payload"] == payload.encode() and msgs[0]["topic"] == "interop/%s/data" % version,
                  "message %r" % msgs[0])
            check(msgs[1]["payload"] == b"" and msgs[1]["length"] == 0, "zero-length payload %r" % msgs[1])
            check(all(m["qos"] == qos and not m["retain"] for m in msgs), "qos/retain %r" % msgs)

    def qos_downgrade(self, version, qos):
        # published at QoS 2, delivered at the subscription's QoS [MQTT-3.8.4-8]
        with self.broker() as b:
            sub = MosquittoSub(b.port, version, "interop/down", qos, 1)
            sub.wait_subscribed()
            mosquitto_pub(b.port, version, "interop/down", 2, "down")
            msgs = sub.finish()
            check(len(msgs) == 1 and msgs[0]["qos"] == qos, "expected QoS %d, got %r" % (qos, msgs))

    def watcher(self, broker, topic):
        """A paho subscriber that sees a mosquitto_pub message arrive, so we know the broker
        has handled it (stored, routed, queued) before the next client connects: separate
        connections are not ordered with each other."""
        w = PahoClient(broker.port, "watcher", "mqttv311")
        w.connect()
        w.subscribe(topic, 0)
        return w

    def retained(self, version, qos):
        with self.broker() as b:
            w = self.watcher(b, "interop/retained")
            mosquitto_pub(b.port, version, "interop/retained", qos, "kept", extra=["-r"])
            w.wait_messages(1)
            sub = MosquittoSub(b.port, version, "interop/#", 2, 1)
            msgs = sub.finish()
            check(len(msgs) == 1 and msgs[0]["retain"] and msgs[0]["payload"] == b"kept" and msgs[0]["qos"] == qos,
                  "retained message %r" % msgs)
            mosquitto_pub(b.port, version, "interop/retained", qos, null=True, extra=["-r"])
            w.wait_messages(2)
            w.disconnect()
            sub = MosquittoSub(b.port, version, "interop/#", 2, 1)
            sub.wait_subscribed()
            mosquitto_pub(b.port, version, "interop/after", qos, "sentinel")
            msgs = sub.finish()
            check(len(msgs) == 1 and msgs[0]["payload"] == b"sentinel",
                  "retained message not cleared by an empty retained publish: %r" % msgs)

    def offline_queue(self, version, qos):
        with self.broker() as b:
            session = ["-c"] + (["-x", "300"] if version == "mqttv5" else [])
            sub = MosquittoSub(b.port, version, "interop/queued", qos, 0, extra=session + ["-E"], client_id="qsub")
            sub.finish()
            w = self.watcher(b, "interop/queued")
            for i in range(3):
                mosquitto_pub(b.port, version, "interop/queued", qos, "queued %d" % i)
            w.wait_messages(3)
            w.disconnect()
            sub = MosquittoSub(b.port, version, "interop/queued", qos, 3 if qos else 1, extra=session,
                               client_id="qsub", timeout=2 if qos == 0 else 10)
            msgs = sub.finish(expect_rc=None if qos == 0 else 0)
            if qos == 0:
                check(msgs == [], "QoS 0 messages queued for an offline client: %r" % msgs)
                return
            check([m["payload"] for m in msgs] == [b"queued 0", b"queued 1", b"queued 2"],
                  "queued messages in order [MQTT-4.6.0-6]: %r" % msgs)

    def will(self, version, qos):
        with self.broker() as b:
            watcher = MosquittoSub(b.port, version, "interop/will", 2, 1)
            watcher.wait_subscribed()
            dying = MosquittoSub(b.port, version, "interop/unused", 0, 0, extra=[
                "--will-topic", "interop/will", "--will-payload", "gone", "--will-qos", str(qos)])
            dying.wait_subscribed()
            dying.kill()
            msgs = watcher.finish()
            check(len(msgs) == 1 and msgs[0]["payload"] == b"gone" and msgs[0]["qos"] == qos, "will %r" % msgs)

    def large_payload(self, version, qos):
        with self.broker() as b, tempfile.NamedTemporaryFile() as f:
            data = os.urandom(256 * 1024)
            f.write(data)
            f.flush()
            sub = MosquittoSub(b.port, version, "interop/large", qos, 1)
            sub.wait_subscribed()
            mosquitto_pub(b.port, version, "interop/large", qos, file=f.name)
            msgs = sub.finish()
            check(len(msgs) == 1 and msgs[0]["payload"] == data, "256 KiB payload altered or lost")

    def to_paho(self, version, qos):
        with self.broker() as b:
            p = PahoClient(b.port, "paho-sub", version)
            p.connect()
            p.subscribe("interop/cross", 2)
            mosquitto_pub(b.port, version, "interop/cross", qos, "from mosquitto")
            m = p.wait_messages(1)[0]
            check(m.payload == b"from mosquitto" and m.qos == qos, "paho received %r" % m)
            p.disconnect()

    def from_paho(self, version, qos):
        with self.broker() as b:
            sub = MosquittoSub(b.port, version, "interop/cross", 2, 1)
            sub.wait_subscribed()
            p = PahoClient(b.port, "paho-pub", version)
            p.connect()
            p.publish("interop/cross", b"from paho", qos)
            msgs = sub.finish()
            check(len(msgs) == 1 and msgs[0]["payload"] == b"from paho" and msgs[0]["qos"] == qos,
                  "mosquitto_sub received %r" % msgs)
            p.disconnect()

    def v5_properties(self, version, qos):
        with self.broker() as b:
            sub = MosquittoSub(b.port, version, "interop/props", 2, 1,
                               extra=["-D", "SUBSCRIBE", "subscription-identifier", "42"])
            sub.wait_subscribed()
            mosquitto_pub(b.port, version, "interop/props", qos, "{}", extra=[
                "-D", "PUBLISH", "user-property", "tenant", "acme",
                "-D", "PUBLISH", "content-type", "application/json",
                "-D", "PUBLISH", "payload-format-indicator", "1",
                "-D", "PUBLISH", "response-topic", "interop/reply",
                "-D", "PUBLISH", "correlation-data", "req-7",
                "-D", "PUBLISH", "message-expiry-interval", "60"])
            msgs = sub.finish()
            check(len(msgs) == 1, "messages %r" % msgs)
            m = msgs[0]
            check(m["content_type"] == "application/json", "content type %r [MQTT-3.3.2-20]" % m)
            check(m["format"] == "1", "payload format indicator %r [MQTT-3.3.2-4]" % m)
            check(m["response_topic"] == "interop/reply" and m["correlation"] == "req-7",
                  "request/response properties %r [MQTT-3.3.2-15/16]" % m)
            check(m["expiry"] in ("59", "60"), "message expiry %r [MQTT-3.3.2-6]" % m)
            check(m["subid"] == "42", "subscription identifier %r [MQTT-3.3.4-3]" % m)
            check(m["user"] == "tenant:acme", "user property %r [MQTT-3.3.2-17]" % m)

    def v5_to_v3(self, version, qos):
        """A v5 publish with properties reaches an older-protocol subscriber intact."""
        with self.broker() as b:
            sub = MosquittoSub(b.port, version, "interop/mixed", 2, 1)
            sub.wait_subscribed()
            mosquitto_pub(b.port, "mqttv5", "interop/mixed", qos, "v5 to old", extra=[
                "-D", "PUBLISH", "user-property", "k", "v", "-D", "PUBLISH", "message-expiry-interval", "60"])
            msgs = sub.finish()
            check(len(msgs) == 1 and msgs[0]["payload"] == b"v5 to old" and msgs[0]["qos"] == qos,
                  "%s subscriber got %r" % (version, msgs))


ALL = VERSIONS
FEATURES = [("pubsub", ALL), ("qos_downgrade", ALL), ("retained", ALL), ("offline_queue", ALL), ("will", ALL),
            ("large_payload", ALL), ("to_paho", ALL), ("from_paho", ALL), ("v5_properties", ("mqttv5",)),
            ("v5_to_v3", ("mqttv31", "mqttv311"))]


def main():
    args = common_arguments("mosquitto clients against hermesd")
    rows = Rows(args)
    suite = Suite("interop mosquitto", args, KNOWN_FAILURES)
    for feature, versions in FEATURES:
        for version in versions:
            for qos in (0, 1, 2):
                suite.run("mosquitto/%s/q%d/%s" % (version, qos, feature), getattr(rows, feature), version, qos)
    suite.print_matrix()
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
