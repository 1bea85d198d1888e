"""Shared pieces of the Hermes interop and conformance tests.

- Broker: starts one hermesd on a free loopback port (--listen 127.0.0.1:0, the real port is
  read from its "hermesd listening on" line), stops it with SIGTERM and checks it exits 0.
- PahoClient: a paho-mqtt 1.6 client whose callbacks feed lists guarded by one condition
  variable, so tests wait for events with deadlines instead of sleeping.
- RawClient: a byte-level MQTT 3.1/3.1.1/5.0 client over a plain socket, for what paho does
  not let us do (withhold acknowledgements, send malformed bytes, stay silent, read every
  packet the broker sends). v5 properties are packed/unpacked with paho's Properties class.
- Suite: runs named cases and prints one PASS/FAIL/SKIP/N/A/XFAIL/XPASS line per case. Cases
  listed in a KNOWN_FAILURES dict report XFAIL without failing the run; a listed case that
  passes reports XPASS and fails the run, so the list has to be kept honest. A case that
  cannot run here (a missing program) raises Skip, and a run with skips and no failure exits
  with SKIPPED_EXIT_CODE, which ctest reports as skipped; a case about a feature hermesd does
  not offer raises NotApplicable and does not make the run skipped.

Runs with Debian's /usr/bin/python3 and python3-paho-mqtt 1.6.x.
"""

import argparse
import ctypes
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import traceback

import paho.mqtt
import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions  # noqa: F401 (for the test scripts)

HOST = "127.0.0.1"
SYNC_PREFIX = "hermes-interop/sync/"
# Upper bound for anything that should happen "at once" on loopback.
EVENT_TIMEOUT = 5.0

VERSIONS = {
    "mqttv31": mqtt.MQTTv31,
    "mqttv311": mqtt.MQTTv311,
    "mqttv5": mqtt.MQTTv5,
}


class TestFailure(AssertionError):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def wait_until(predicate, timeout=EVENT_TIMEOUT, poll=0.01):
    """Polls a condition until it holds or the deadline passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(poll)


def let_time_pass(seconds):
    """For cases whose subject is time itself (expiry intervals, delays): not synchronisation."""
    time.sleep(seconds)


def common_arguments(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    if extra:
        extra(parser)
    parser.add_argument("--hermesd", required=True, help="path to the hermesd executable")
    parser.add_argument("-k", "--case", action="append", default=[], help="run only cases containing this text")
    parser.add_argument("-v", "--verbose", action="store_true", help="print hermesd's log after each case")
    return parser.parse_args()


# --------------------------------------------------------------------------------------
# hermesd


def die_with_parent():
    """Runs in the child before exec: SIGKILL it if this script dies (e.g. a ctest timeout),
    so no hermesd outlives its test. Linux PR_SET_PDEATHSIG = 1."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


class Broker:
    """One hermesd process on an ephemeral port; use as a context manager."""

    LISTENING = re.compile(r"hermesd listening on (\S+):(\d+)")
    HTTP_LISTENING = re.compile(r"hermesd HTTP API on (\S+)")
    WS_LISTENING = re.compile(r"hermesd WebSocket listener on (\S+)")

    def __init__(self, hermesd, config=None, extra_args=(), log_level="debug", data_dir=None):
        self.hermesd = hermesd
        self.config = config or {}
        self.extra_args = list(extra_args)
        self.log_level = log_level
        self.port = None
        self.http_url = None   # "http://127.0.0.1:PORT" with http_listener in the config
        self.ws_urls = []      # "ws://127.0.0.1:PORT/mqtt" per listener_ws / listener_wss
        self.process = None
        self.exit_code = None
        self._dir = None
        self._stdout_lines = queue.Queue()
        self.data_dir = data_dir  # set: persistence on, in this directory (kept after stop)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.stop()
            else:
                try:  # the case already failed: report that, not a follow-on shutdown problem
                    self.stop()
                except Exception as stop_error:
                    print("      note: after the failure, stopping hermesd also failed: %s" % stop_error)
        finally:
            if self._dir:
                shutil.rmtree(self._dir, ignore_errors=True)
        return False

    def start(self):
        self._dir = tempfile.mkdtemp(prefix="hermes-interop-")
        if self.data_dir:
            args = [self.hermesd, "--listen", HOST + ":0", "--data-dir", self.data_dir]
        else:
            args = [self.hermesd, "--listen", HOST + ":0", "--no-persistence",
                    "--data-dir", os.path.join(self._dir, "data")]
        args += ["--log-level", self.log_level]
        # The suites publish and subscribe on any topic as anonymous loopback clients: the
        # config says so explicitly (hermesd's default anonymous role is device).
        config = {"anonymous_role": "operator"}
        config.update(self.config or {})
        path = os.path.join(self._dir, "hermesd.conf")
        with open(path, "w") as f:
            for key, value in config.items():
                f.write("%s %s\n" % (key, value))
        args += ["--config", path]
        args += self.extra_args
        self._log = open(os.path.join(self._dir, "stderr.log"), "w+b")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._log, preexec_fn=die_with_parent)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        deadline = time.monotonic() + 10
        while self.port is None:
            remaining = deadline - time.monotonic()
            try:
                line = self._stdout_lines.get(timeout=max(0.0, remaining))
            except queue.Empty:
                line = None
            if line is None:
                self.process.kill()
                self.process.wait()
                raise TestFailure("hermesd did not report a listening port (exit %s): %s"
                                  % (self.process.returncode, self.log()[-2000:]))
            match = self.LISTENING.search(line)
            if match:
                self.port = int(match.group(2))
                # --listen 127.0.0.1:0 must report the port the kernel chose, not 0.
                check(self.port != 0, "hermesd printed port 0 instead of the bound port: %r" % line)
        # The HTTP API and WebSocket listeners are announced after the MQTT ones.
        want_http = any(key.startswith("http_listener") for key in self.config)
        want_ws = any(key in ("listener_ws", "listener_wss") for key in self.config)
        while (want_http and self.http_url is None) or (want_ws and not self.ws_urls):
            try:
                line = self._stdout_lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise TestFailure("hermesd did not announce its HTTP/WebSocket listeners: %s" % self.log()[-2000:])
            match = self.HTTP_LISTENING.search(line)
            if match:
                self.http_url = match.group(1)
            match = self.WS_LISTENING.search(line)
            if match:
                self.ws_urls.append(match.group(1))

    def _read_stdout(self):
        for raw in self.process.stdout:
            self._stdout_lines.put(raw.decode("utf-8", "replace"))
        self._stdout_lines.put(None)

    def log(self):
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def probe(self):
        """CONNECT/CONNACK round trip: proves the event loop runs (and so that hermesd's
        SIGTERM handler is installed: it prints "listening" before installing it, see
        lifecycle.py sigterm_right_after_listening_line)."""
        probe = RawClient(self.port, "mqttv311")
        try:
            probe.connect("hermes-interop-probe")
            probe.disconnect()
        finally:
            probe.close()

    def stop(self, probe=True):
        """SIGTERM, then require a clean exit 0 within 10 s."""
        if self.process is None or self.exit_code is not None:
            return
        if self.process.poll() is None:
            if probe:
                self.probe()
            self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self.exit_code = "timeout"
            raise TestFailure("hermesd did not exit within 10 s of SIGTERM")
        check(self.exit_code == 0, "hermesd exited with %s after SIGTERM; log tail: %s"
              % (self.exit_code, self.log()[-1500:]))


# --------------------------------------------------------------------------------------
# paho-mqtt 1.6


class Message:
    def __init__(self, msg):
        self.topic = msg.topic
        self.payload = msg.payload
        self.qos = msg.qos
        self.retain = bool(msg.retain)
        self.mid = msg.mid
        self.properties = getattr(msg, "properties", None)
        self.time = time.monotonic()

    def prop(self, name, default=None):
        return getattr(self.properties, name, default) if self.properties is not None else default

    def __repr__(self):
        return "<%s q%d r%d %r %s>" % (self.topic, self.qos, self.retain, self.payload[:40],
                                       self.properties if self.properties is not None else "")


class PahoClient:
    """One paho connection; every callback appends to a list and notifies one condition."""

    def __init__(self, port, client_id="", version="mqttv5", clean=True, websocket_path=None):
        """websocket_path: MQTT over WebSocket (paho's "websockets" transport) on that path."""
        self.port = port
        self.version = version
        self.v5 = version == "mqttv5"
        # No automatic reconnect: a test decides when a client comes back.
        kwargs = {"client_id": client_id, "protocol": VERSIONS[version], "reconnect_on_failure": False}
        if not self.v5:
            kwargs["clean_session"] = clean
        if websocket_path:
            kwargs["transport"] = "websockets"
        self.clean = clean
        self.client = mqtt.Client(**kwargs)
        if websocket_path:
            self.client.ws_set_options(path=websocket_path)
        self.cond = threading.Condition()
        self.messages = []
        self.connacks = []      # (flags, rc, properties)
        self.disconnects = []   # (rc, properties)
        self.subacks = {}       # mid -> granted qos / reason codes
        self.unsubacks = {}     # mid -> reason codes (v5) or None
        self.published = set()  # mids completed (PUBACK / PUBCOMP, or sent for QoS 0)
        c = self.client
        c.on_connect = self._on_connect
        c.on_disconnect = self._on_disconnect
        c.on_message = self._on_message
        c.on_subscribe = self._on_subscribe
        c.on_unsubscribe = self._on_unsubscribe
        c.on_publish = self._on_publish

    # callbacks -------------------------------------------------------------------------
    def _note(self, fn):
        with self.cond:
            fn()
            self.cond.notify_all()

    def _on_connect(self, client, userdata, flags, rc, properties=None):
        self._note(lambda: self.connacks.append((flags, rc, properties)))

    def _on_disconnect(self, client, userdata, rc, properties=None):
        self._note(lambda: self.disconnects.append((rc, properties)))

    def _on_message(self, client, userdata, msg):
        if msg.topic.startswith(SYNC_PREFIX):
            return  # a sync() echo that a wide filter ("#") also matched
        self._note(lambda: self.messages.append(Message(msg)))

    def _on_subscribe(self, client, userdata, mid, granted, properties=None):
        self._note(lambda: self.subacks.__setitem__(mid, granted))

    def _on_unsubscribe(self, client, userdata, mid, properties=None, reasons=None):
        self._note(lambda: self.unsubacks.__setitem__(mid, reasons))

    def _on_publish(self, client, userdata, mid):
        self._note(lambda: self.published.add(mid))

    # waiting ---------------------------------------------------------------------------
    def wait(self, predicate, timeout=EVENT_TIMEOUT, what="event"):
        with self.cond:
            ok = self.cond.wait_for(predicate, timeout=timeout)
        check(ok, "timed out after %.1f s waiting for %s (messages=%r, disconnects=%r)"
              % (timeout, what, self.messages, self.disconnects))

    def wait_messages(self, count, timeout=EVENT_TIMEOUT):
        self.wait(lambda: len(self.messages) >= count, timeout, "%d message(s)" % count)
        return list(self.messages)

    def wait_disconnect(self, timeout=EVENT_TIMEOUT):
        self.wait(lambda: self.disconnects, timeout, "a disconnect")
        return self.disconnects[0]

    def clear(self):
        with self.cond:
            self.messages.clear()

    # operations ------------------------------------------------------------------------
    def will_set(self, topic, payload=None, qos=0, retain=False, properties=None):
        self.client.will_set(topic, payload, qos, retain, properties)

    def connect(self, keepalive=60, clean_start=None, properties=None, expect_rc=0, timeout=EVENT_TIMEOUT):
        """Connects and waits for the CONNACK; returns (flags, rc, properties)."""
        kwargs = {}
        if self.v5:
            kwargs["clean_start"] = self.clean if clean_start is None else clean_start
            kwargs["properties"] = properties
        self.client.connect(HOST, self.port, keepalive, **kwargs)
        self.client.loop_start()
        self.wait(lambda: self.connacks or self.disconnects, timeout, "CONNACK")
        check(self.connacks, "no CONNACK; connection closed with %r" % (self.disconnects,))
        flags, rc, props = self.connacks[-1]
        if expect_rc is not None:
            check(rc == expect_rc, "CONNACK rc %s, expected %s" % (rc, expect_rc))
        return flags, rc, props

    def subscribe(self, topic, qos=0, options=None, properties=None, timeout=EVENT_TIMEOUT):
        """Subscribes (one filter or a list of (filter, qos|SubscribeOptions)); waits for SUBACK."""
        if options is not None:
            rc, mid = self.client.subscribe(topic, options=options, properties=properties)
        elif properties is not None:
            rc, mid = self.client.subscribe(topic, qos, properties=properties)
        else:
            rc, mid = self.client.subscribe(topic, qos)
        check(rc == mqtt.MQTT_ERR_SUCCESS, "subscribe returned %s" % rc)
        self.wait(lambda: mid in self.subacks, timeout, "SUBACK %d" % mid)
        return self.subacks[mid]

    def unsubscribe(self, topic, properties=None, timeout=EVENT_TIMEOUT):
        rc, mid = self.client.unsubscribe(topic, properties)
        check(rc == mqtt.MQTT_ERR_SUCCESS, "unsubscribe returned %s" % rc)
        self.wait(lambda: mid in self.unsubacks, timeout, "UNSUBACK %d" % mid)
        return self.unsubacks[mid]

    def publish(self, topic, payload=b"", qos=0, retain=False, properties=None, wait=True):
        """Publishes; for QoS 1/2 waits for the flow to complete (PUBACK / PUBCOMP)."""
        info = self.client.publish(topic, payload, qos, retain, properties)
        check(info.rc == mqtt.MQTT_ERR_SUCCESS, "publish returned %s" % info.rc)
        if wait and qos > 0:
            self.wait(lambda: info.mid in self.published, EVENT_TIMEOUT, "completion of publish %d" % info.mid)
        return info.mid

    def sync(self, topic=None):
        """Round trip through the broker: every message the broker routed to this client
        before it handles this PUBLISH reaches us before it does (one broker thread, one TCP
        stream). Needs no subscription: the QoS 1 PUBACK is the echo."""
        self.publish(topic or SYNC_PREFIX + str(id(self)), b"", 1)

    def disconnect(self, properties=None, reasoncode=None):
        if self.client.is_connected():
            if self.v5:
                self.client.disconnect(reasoncode=reasoncode, properties=properties)
            else:
                self.client.disconnect()
            self.wait(lambda: self.disconnects, EVENT_TIMEOUT, "own disconnect")
        self.client.loop_stop()

    def drop(self):
        """Closes the socket without DISCONNECT: the broker sees a network failure."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def v5props(packet_type, **values):
    props = Properties(packet_type)
    for name, value in values.items():
        setattr(props, name, value)
    return props


# --------------------------------------------------------------------------------------
# Raw MQTT over a socket

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, \
    UNSUBACK, PINGREQ, PINGRESP, DISCONNECT, AUTH = range(1, 16)
PACKET_NAMES = {1: "CONNECT", 2: "CONNACK", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC", 6: "PUBREL",
                7: "PUBCOMP", 8: "SUBSCRIBE", 9: "SUBACK", 10: "UNSUBSCRIBE", 11: "UNSUBACK",
                12: "PINGREQ", 13: "PINGRESP", 14: "DISCONNECT", 15: "AUTH"}
PROPERTY_PACKET = {CONNACK: PacketTypes.CONNACK, PUBLISH: PacketTypes.PUBLISH, PUBACK: PacketTypes.PUBACK,
                   PUBREC: PacketTypes.PUBREC, PUBREL: PacketTypes.PUBREL, PUBCOMP: PacketTypes.PUBCOMP,
                   SUBACK: PacketTypes.SUBACK, UNSUBACK: PacketTypes.UNSUBACK,
                   DISCONNECT: PacketTypes.DISCONNECT, AUTH: PacketTypes.AUTH}


def varint(n):
    out = bytearray()
    while True:
        byte = n % 128
        n //= 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def utf8(text):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return struct.pack("!H", len(data)) + data


def packet(first_byte, body):
    return bytes([first_byte]) + varint(len(body)) + body


def props_bytes(props):
    """Properties object, pre-encoded bytes (for values paho refuses to encode), or none."""
    if props is None:
        return b"\x00"
    return props if isinstance(props, bytes) else props.pack()


def summary(items, limit=8):
    """repr of a list, shortened to its first and last few items for failure messages."""
    items = list(items)
    if len(items) <= limit:
        return repr(items)
    half = limit // 2
    return "[%s, ... %d more ..., %s] (%d)" % (", ".join(map(repr, items[:half])), len(items) - limit,
                                             ", ".join(map(repr, items[-half:])), len(items))


class ConnectionClosed(Exception):
    pass


class Packet:
    """A decoded packet from the broker; fields depend on the type."""

    def __init__(self, ptype, flags, body, v5):
        self.type = ptype
        self.flags = flags
        self.body = body
        self.properties = None
        self.reason = None
        self.pid = None
        if ptype == CONNACK:
            self.session_present = bool(body[0] & 1)
            self.reason = body[1]
            if v5:
                self.properties = Properties(PacketTypes.CONNACK).unpack(body[2:])[0]
        elif ptype == PUBLISH:
            self.qos = (flags >> 1) & 3
            self.dup = bool(flags & 8)
            self.retain = bool(flags & 1)
            (tlen,) = struct.unpack("!H", body[:2])
            self.topic = body[2:2 + tlen].decode("utf-8")
            rest = body[2 + tlen:]
            if self.qos:
                (self.pid,) = struct.unpack("!H", rest[:2])
                rest = rest[2:]
            if v5:
                self.properties, used = Properties(PacketTypes.PUBLISH).unpack(rest)
                rest = rest[used:]
            self.payload = bytes(rest)
        elif ptype in (PUBACK, PUBREC, PUBREL, PUBCOMP):
            (self.pid,) = struct.unpack("!H", body[:2])
            self.reason = body[2] if len(body) > 2 else 0
        elif ptype in (SUBACK, UNSUBACK):
            (self.pid,) = struct.unpack("!H", body[:2])
            rest = body[2:]
            if v5:
                _, used = Properties(PROPERTY_PACKET[ptype]).unpack(rest)
                rest = rest[used:]
            self.codes = list(rest)
        elif ptype == DISCONNECT:
            self.reason = body[0] if body else 0
            if v5 and len(body) > 1:
                self.properties = Properties(PacketTypes.DISCONNECT).unpack(body[1:])[0]

    def prop(self, name, default=None):
        return getattr(self.properties, name, default) if self.properties is not None else default

    def __repr__(self):
        text = PACKET_NAMES.get(self.type, "?%d" % self.type)
        if self.type == PUBLISH:
            text += " %s q%d dup%d r%d pid=%s len=%d" % (self.topic, self.qos, self.dup, self.retain,
                                                         self.pid, len(self.payload))
        elif self.pid is not None:
            text += " pid=%d" % self.pid
        if self.reason is not None:
            text += " rc=0x%02x" % self.reason
        if self.properties is not None and not self.properties.isEmpty():
            text += " " + str(self.properties)
        return text


class RawClient:
    def __init__(self, port, version="mqttv5", timeout=EVENT_TIMEOUT):
        self.version = version
        self.v5 = version == "mqttv5"
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = bytearray()
        self.offset = 0
        self.closed = False
        self.seen = []  # every packet pump() read, in order

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data):
        self.sock.sendall(data)

    # encoders --------------------------------------------------------------------------
    def connect_bytes(self, client_id, keepalive=60, clean=True, properties=None, will=None,
                      username=None, password=None):
        """will = (topic, payload, qos, retain, properties-or-None)."""
        if self.version == "mqttv31":
            head = utf8("MQIsdp") + b"\x03"
        else:
            head = utf8("MQTT") + (b"\x05" if self.v5 else b"\x04")
        flags = 0x02 if clean else 0
        payload = utf8(client_id)
        if will is not None:
            wtopic, wpayload, wqos, wretain, wprops = will
            flags |= 0x04 | (wqos << 3) | (0x20 if wretain else 0)
            if self.v5:
                payload += props_bytes(wprops)
            payload += utf8(wtopic) + utf8(wpayload)
        if username is not None:
            flags |= 0x80
            payload += utf8(username)
        if password is not None:
            flags |= 0x40
            payload += utf8(password)
        body = head + bytes([flags]) + struct.pack("!H", keepalive)
        if self.v5:
            body += props_bytes(properties)
        return packet(0x10, body + payload)

    def connect(self, client_id, expect_reason=0, **kwargs):
        self.send(self.connect_bytes(client_id, **kwargs))
        connack = self.expect(CONNACK)
        if expect_reason is not None:
            check(connack.reason == expect_reason, "CONNACK reason 0x%02x, expected 0x%02x"
                  % (connack.reason, expect_reason))
        return connack

    def publish(self, topic, payload=b"", qos=0, pid=None, retain=False, dup=False, properties=None):
        body = utf8(topic)
        if qos:
            body += struct.pack("!H", pid)
        if self.v5:
            body += props_bytes(properties)
        self.send(packet(0x30 | (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0), body + payload))

    def ack(self, ptype, pid, reason=None):
        body = struct.pack("!H", pid)
        if self.v5 and reason is not None:
            body += bytes([reason])
        self.send(packet((ptype << 4) | (0x02 if ptype == PUBREL else 0), body))

    def subscribe(self, pid, filters, properties=None):
        """filters: list of (filter, options byte)."""
        body = struct.pack("!H", pid)
        if self.v5:
            body += props_bytes(properties)
        for topic_filter, options in filters:
            body += utf8(topic_filter) + bytes([options])
        self.send(packet(0x82, body))
        suback = self.expect(SUBACK)
        check(suback.pid == pid, "SUBACK pid %d, expected %d" % (suback.pid, pid))
        return suback

    def pingreq(self):
        self.send(b"\xc0\x00")

    def disconnect(self, reason=0, properties=None):
        if self.v5 and (reason or properties is not None):
            self.send(packet(0xe0, bytes([reason]) + props_bytes(properties)))
        else:
            self.send(b"\xe0\x00")

    # decoding --------------------------------------------------------------------------
    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout()
        self.sock.settimeout(remaining)
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
            raise ConnectionClosed()
        self.buffer += data

    def recv(self, timeout=EVENT_TIMEOUT):
        """The next packet, or None if none arrives in time; raises ConnectionClosed on EOF."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                p = self._take()
                if p is not None:
                    return p
                self._fill(deadline)
        except socket.timeout:
            return None
        except ConnectionResetError:
            self.closed = True
            raise ConnectionClosed()

    def _take(self):
        """One complete frame from the buffer (read position self.offset), or None."""
        buf, start = self.buffer, self.offset
        if len(buf) - start < 2:
            return None
        multiplier, length, index = 1, 0, start + 1
        while True:
            if index >= len(buf) or index - start > 4:
                return None
            byte = buf[index]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            index += 1
            if not byte & 0x80:
                break
        if len(buf) < index + length:
            return None
        first = buf[start]
        body = bytes(buf[index:index + length])
        self.offset = index + length
        if self.offset > 65536:  # compact now and then, not per packet
            del self.buffer[:self.offset]
            self.offset = 0
        return Packet(first >> 4, first & 0x0F, body, self.v5)

    def expect(self, ptype, timeout=EVENT_TIMEOUT):
        try:
            p = self.recv(timeout)
        except ConnectionClosed:
            raise TestFailure("connection closed while waiting for %s" % PACKET_NAMES[ptype])
        check(p is not None, "no %s within %.1f s" % (PACKET_NAMES[ptype], timeout))
        check(p.type == ptype, "got %r, expected %s" % (p, PACKET_NAMES[ptype]))
        return p

    def pump(self, until, timeout=EVENT_TIMEOUT, auto_ack=True, what="condition"):
        """Reads packets into self.seen until until(self.seen) holds. With auto_ack it plays
        a well-behaved client: PUBACK/PUBREC inbound PUBLISH, PUBREL our PUBRECs, PUBCOMP
        the broker's PUBRELs."""
        deadline = time.monotonic() + timeout
        while not until(self.seen):
            try:
                p = self.recv(max(0.0, deadline - time.monotonic()))
            except ConnectionClosed:
                raise TestFailure("connection closed while waiting for %s; seen %s" % (what, summary(self.seen)))
            check(p is not None, "timed out waiting for %s; seen %s" % (what, summary(self.seen)))
            self.seen.append(p)
            if auto_ack:
                if p.type == PUBLISH and p.qos == 1:
                    self.ack(PUBACK, p.pid)
                elif p.type == PUBLISH and p.qos == 2:
                    self.ack(PUBREC, p.pid)
                elif p.type == PUBREC:
                    self.ack(PUBREL, p.pid)
                elif p.type == PUBREL:
                    self.ack(PUBCOMP, p.pid)
        return self.seen

    def sync(self, auto_ack=True):
        """PINGREQ round trip: the broker answers in order, so everything it had decided to
        send us before reading the PINGREQ is in self.seen afterwards."""
        start = len(self.seen)
        self.pingreq()
        self.pump(lambda seen: any(p.type == PINGRESP for p in seen[start:]), auto_ack=auto_ack,
                  what="PINGRESP")

    def publishes(self):
        return [p for p in self.seen if p.type == PUBLISH]

    def wait_closed(self, timeout=EVENT_TIMEOUT):
        """Reads until EOF; returns (packets read before it, True if closed in time)."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                p = self.recv(max(0.0, deadline - time.monotonic()))
            except ConnectionClosed:
                return seen, True
            if p is None:
                return seen, False
            seen.append(p)


# --------------------------------------------------------------------------------------
# Reporting


class Skip(Exception):
    """The case cannot run on this machine (a program it needs is missing)."""


class NotApplicable(Exception):
    """The case checks an optional feature hermesd does not offer."""


# ctest's SKIP_RETURN_CODE for these scripts (tests/interop/CMakeLists.txt).
SKIPPED_EXIT_CODE = 77


class Suite:
    def __init__(self, name, args, known_failures=None):
        self.name = name
        self.args = args
        self.known_failures = known_failures or {}
        self.counts = {"PASS": 0, "FAIL": 0, "SKIP": 0, "N/A": 0, "XFAIL": 0, "XPASS": 0}
        self.results = []

    def wanted(self, case):
        return not self.args.case or any(text in case for text in self.args.case)

    def run(self, case, fn, *fn_args):
        if not self.wanted(case):
            return
        started = time.monotonic()
        reason = ""
        try:
            fn(*fn_args)
            outcome = "PASS"
        except Skip as skip:
            outcome, reason = "SKIP", str(skip)
        except NotApplicable as why:
            outcome, reason = "N/A", str(why)
        except Exception as exc:  # any failure of the case, including broker startup
            outcome = "FAIL"
            reason = "%s: %s" % (type(exc).__name__, exc) if not isinstance(exc, TestFailure) else str(exc)
            if not isinstance(exc, TestFailure):
                frames = traceback.extract_tb(exc.__traceback__)
                if frames:
                    reason += " | %s:%d" % (os.path.basename(frames[-1].filename), frames[-1].lineno)
        if case in self.known_failures:
            if outcome == "FAIL":
                outcome = "XFAIL"
                reason = "%s (observed: %s)" % (self.known_failures[case], reason)
            elif outcome == "PASS":
                outcome = "XPASS"
                reason = "listed in KNOWN_FAILURES but passed: remove it from the list"
        self.counts[outcome] += 1
        self.results.append((case, outcome, reason))
        elapsed = time.monotonic() - started
        print("%-5s %s%s  [%.2fs]" % (outcome, case, (": " + reason) if reason else "", elapsed), flush=True)

    def print_matrix(self):
        """For "client/version/qN/feature" cases: one row per feature, one column per
        version and QoS, cells P(ass) F(ail) X(fail) ! (xpass) S(kip) - (n/a) or '.' (not run)."""
        cells, features, columns = {}, [], []
        for case, outcome, _ in self.results:
            parts = case.split("/")
            if len(parts) != 4:
                continue
            column, feature = "%s %s" % (parts[1], parts[2]), parts[3]
            if feature not in features:
                features.append(feature)
            if column not in columns:
                columns.append(column)
            cells[(feature, column)] = {"PASS": "P", "FAIL": "F", "XFAIL": "X", "XPASS": "!", "SKIP": "S", "N/A": "-"}[outcome]
        if not cells:
            return
        width = max(len(f) for f in features)
        print("%-*s  %s" % (width, "feature", " ".join("%-11s" % c for c in columns)))
        for feature in features:
            print("%-*s  %s" % (width, feature, " ".join("%-11s" % cells.get((feature, c), ".") for c in columns)))

    def finish(self):
        unknown = [c for c in self.known_failures if c not in {r[0] for r in self.results}]
        if unknown and not self.args.case:
            print("FAIL  KNOWN_FAILURES names cases that do not exist: %s" % ", ".join(unknown))
            self.counts["FAIL"] += 1
        print("%s: %s  (paho-mqtt %s)" % (self.name, ", ".join("%d %s" % (n, k) for k, n in self.counts.items()),
                                         paho.mqtt.__version__), flush=True)
        if self.counts["FAIL"] or self.counts["XPASS"]:
            return 1
        return SKIPPED_EXIT_CODE if self.counts["SKIP"] else 0
