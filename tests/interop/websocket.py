#!/usr/bin/python3
"""MQTT over WebSocket against hermesd: paho-mqtt's websockets transport through QoS 0/1/2
(both directions, TCP on the other side), a Will after 1.5 x keep-alive, take-over, the
device ACL, a push sent with POST /api/v1/pushes; and a byte-level WebSocket client for what
paho cannot do: an MQTT packet split across frames (separate messages and one fragmented
message), several packets in one frame, a text frame, and the handshake refusals (no `mqtt`
sub-protocol, wrong path, foreign Origin).
"""

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlparse

from hermesinterop import (EVENT_TIMEOUT, HOST, Broker, PahoClient, Suite, check, common_arguments, wait_until)


def ws_port(broker, index=0):
    return urlparse(broker.ws_urls[index]).port


def ws_client(broker, client_id, version="mqttv311", index=0, **kwargs):
    url = urlparse(broker.ws_urls[index])
    return PahoClient(url.port, client_id, version, websocket_path=url.path, **kwargs)


class RawWebSocket:
    """A WebSocket client at frame level (RFC 6455): masked client frames, any opcode/FIN."""

    def __init__(self, port, path="/mqtt", protocols="mqtt", origin=None):
        self.sock = socket.create_connection((HOST, port), timeout=EVENT_TIMEOUT)
        lines = ["GET %s HTTP/1.1" % path, "Host: %s:%d" % (HOST, port), "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Key: " + base64.b64encode(os.urandom(16)).decode(),
                 "Sec-WebSocket-Version: 13"]
        if protocols:
            lines.append("Sec-WebSocket-Protocol: " + protocols)
        if origin:
            lines.append("Origin: " + origin)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            check(chunk, "the server closed during the handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in
                        (line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)}
        self.stream = b""  # MQTT bytes received, not yet parsed

    def send_frame(self, payload, opcode=2, fin=True):
        header = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count, deadline):
        while len(self.buffer) < count:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self, timeout=EVENT_TIMEOUT):
        """(opcode, payload), or None when the connection ended."""
        deadline = time.monotonic() + timeout
        head = self._read(2, deadline)
        if head is None:
            return None
        length = head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2, deadline))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8, deadline))[0]
        return head[0] & 0x0F, self._read(length, deadline)

    def read_packet(self, timeout=EVENT_TIMEOUT):
        """The next whole MQTT packet from binary frames, as bytes."""
        deadline = time.monotonic() + timeout
        while True:
            if len(self.stream) >= 2:
                length, shift, index = 0, 0, 1
                while index < len(self.stream):
                    byte = self.stream[index]
                    length |= (byte & 0x7F) << shift
                    shift += 7
                    index += 1
                    if not byte & 0x80:
                        if len(self.stream) >= index + length:
                            packet, self.stream = self.stream[:index + length], self.stream[index + length:]
                            return packet
                        break
            frame = self.read_frame(max(0.01, deadline - time.monotonic()))
            check(frame is not None, "connection closed while waiting for an MQTT packet")
            opcode, payload = frame
            check(opcode == 2, "a frame with opcode %d, not binary" % opcode)
            self.stream += payload

    def close_code(self, timeout=EVENT_TIMEOUT):
        """The server's close frame status code (None when it just dropped the connection)."""
        while True:
            frame = self.read_frame(timeout)
            if frame is None:
                return None
            if frame[0] == 8:
                return struct.unpack("!H", frame[1][:2])[0] if len(frame[1]) >= 2 else 1005

    def close(self):
        self.sock.close()


def mqtt_string(text):
    data = text.encode()
    return struct.pack("!H", len(data)) + data


CONNECT = bytes([0x10, 12 + len("raw-ws")]) + mqtt_string("MQTT") + bytes([4, 0x02, 0, 60]) + mqtt_string("raw-ws")
SUBSCRIBE = bytes([0x82, 2 + 2 + len("raw/#") + 1, 0, 1]) + mqtt_string("raw/#") + bytes([1])
PINGREQ = bytes([0xC0, 0])


# ---- cases ------------------------------------------------------------------------------


def round_trip(broker, version, qos):
    ws_sub = ws_client(broker, "ws-sub-%s-%d" % (version, qos), version)
    tcp_pub = PahoClient(broker.port, "tcp-pub-%s-%d" % (version, qos), version)
    tcp_sub = PahoClient(broker.port, "tcp-sub-%s-%d" % (version, qos), version)
    ws_pub = ws_client(broker, "ws-pub-%s-%d" % (version, qos), version)
    clients = (ws_sub, tcp_pub, tcp_sub, ws_pub)
    try:
        for client in clients:
            client.connect()
        ws_sub.subscribe("rt/to-ws", qos)
        tcp_sub.subscribe("rt/to-tcp", qos)
        big = os.urandom(200 * 1024)  # several WebSocket frames and TCP segments
        tcp_pub.publish("rt/to-ws", b"small", qos)
        tcp_pub.publish("rt/to-ws", big, qos)
        ws_pub.publish("rt/to-tcp", b"from ws", qos)
        ws_sub.wait_messages(2)
        tcp_sub.wait_messages(1)
        check([m.payload for m in ws_sub.messages] == [b"small", big], "WebSocket subscriber got %r" % ws_sub.messages)
        check(ws_sub.messages[0].qos == qos and tcp_sub.messages[0].qos == qos, "QoS changed on the way")
        check(tcp_sub.messages[0].payload == b"from ws", "TCP subscriber got %r" % tcp_sub.messages)
    finally:
        for client in clients:
            client.disconnect()


def will_after_keepalive(broker):
    watcher = PahoClient(broker.port, "will-watcher", "mqttv311")
    dying = ws_client(broker, "ws-dying")
    watcher.connect()
    watcher.subscribe("wills/#", 1)
    dying.will_set("wills/ws-dying", b"gone", 1)
    dying.connect(keepalive=1)
    # The client stops its network loop: no PINGREQ, the socket stays open.
    dying.client.loop_stop()
    silent_since = time.monotonic()
    watcher.wait_messages(1, timeout=10)
    elapsed = watcher.messages[0].time - silent_since
    check(watcher.messages[0].payload == b"gone", "will payload %r" % watcher.messages[0].payload)
    # 1.5 x 1 s of silence, measured from the client's last packet; generous for a busy machine.
    check(1.2 <= elapsed <= 4.0, "will published %.2f s after the client went silent (expected ~1.5 s)" % elapsed)
    watcher.disconnect()
    dying.client.socket() and dying.client.socket().close()


def take_over(broker):
    first = ws_client(broker, "ws-same", "mqttv5")
    second = ws_client(broker, "ws-same", "mqttv5")
    try:
        first.connect()
        second.connect()
        first.wait_disconnect()
        check(second.client.is_connected(), "the new connection was not kept")
    finally:
        second.disconnect()
        first.client.loop_stop()


def device_acl(broker):
    device = ws_client(broker, "acl-dev", "mqttv5")
    device.client.username_pw_set("acl-dev", "device-password")
    try:
        device.connect()
        granted = device.subscribe("devices/someone-else/push", 1)
        check(any(int(getattr(code, "value", code)) >= 0x80 for code in granted),
              "a device subscribed to another device's topic over WebSocket: %r" % (granted,))
        own = device.subscribe("devices/acl-dev/push", 1)
        check(all(int(getattr(code, "value", code)) < 0x80 for code in own), "own topic refused: %r" % (own,))
    finally:
        device.disconnect()


def push_over_websocket(broker, key):
    device = ws_client(broker, "ws-device")
    try:
        device.connect()
        device.subscribe("devices/ws-device/push", 1)
        request = urllib.request.Request(broker.http_url + "/api/v1/pushes", method="POST", data=json.dumps(
            {"target": {"devices": ["ws-device"]}, "payload": "over websocket", "qos": 1}).encode(),
            headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            check(response.status == 201, "POST %d" % response.status)
            push_id = json.loads(response.read())["pushId"]
        device.wait_messages(1)

        def acknowledged():
            report = urllib.request.Request(broker.http_url + "/api/v1/pushes/" + push_id,
                                            headers={"Authorization": "Bearer " + key})
            with urllib.request.urlopen(report, timeout=10) as response:
                return json.loads(response.read())["counts"]["acknowledged"] == 1
        check(wait_until(acknowledged), "the report never showed the WebSocket device's PUBACK")
    finally:
        device.disconnect()


def split_and_coalesced_frames(broker):
    raw = RawWebSocket(ws_port(broker))
    try:
        check(raw.status == 101 and raw.headers.get(b"sec-websocket-protocol") == b"mqtt",
              "handshake: %d %r" % (raw.status, raw.headers))
        # CONNECT in two binary messages.
        raw.send_frame(CONNECT[:5])
        raw.send_frame(CONNECT[5:])
        check(raw.read_packet() == bytes([0x20, 2, 0, 0]), "no CONNACK for a CONNECT split across frames")
        # SUBSCRIBE and PINGREQ in one frame.
        raw.send_frame(SUBSCRIBE + PINGREQ)
        check(raw.read_packet() == bytes([0x90, 3, 0, 1, 1]), "no SUBACK")
        check(raw.read_packet() == bytes([0xD0, 0]), "no PINGRESP after a SUBSCRIBE in the same frame")
        # PINGREQ as one fragmented message: first fragment, then continuation.
        raw.send_frame(PINGREQ[:1], opcode=2, fin=False)
        raw.send_frame(PINGREQ[1:], opcode=0, fin=True)
        check(raw.read_packet() == bytes([0xD0, 0]), "no PINGRESP for a fragmented message")
    finally:
        raw.close()


def text_frame_closes(broker):
    # Valid UTF-8 reaches the broker's check [MQTT-6.0.0-1]; invalid UTF-8 is refused by the
    # WebSocket layer itself (1007). Either way the connection ends.
    for text, codes in ((b"\x10\x00", (1000, None)), (b"\xc0\x00", (1007,))):
        raw = RawWebSocket(ws_port(broker))
        try:
            raw.send_frame(CONNECT)
            check(raw.read_packet() == bytes([0x20, 2, 0, 0]), "no CONNACK")
            raw.send_frame(text, opcode=1)
            code = raw.close_code()
            check(code in codes, "text frame %r: closed with %r, expected one of %r" % (text, code, codes))
        finally:
            raw.close()


def refused_handshakes(broker):
    cases = (("no sub-protocol", dict(protocols=None), 1002),
             ("another sub-protocol", dict(protocols="chat"), 1002),
             ("wrong path", dict(path="/other"), 1008),
             ("foreign origin", dict(origin="https://evil.example"), 1008))
    for name, kwargs, expected in cases:
        raw = RawWebSocket(ws_port(broker), **kwargs)
        try:
            code = raw.close_code() if raw.status == 101 else raw.status
            check(code == expected, "%s: closed with %r, expected %d" % (name, code, expected))
        finally:
            raw.close()
    same_origin = RawWebSocket(ws_port(broker), origin="http://%s:%d" % (HOST, ws_port(broker)))
    try:
        same_origin.send_frame(CONNECT)
        check(same_origin.read_packet() == bytes([0x20, 2, 0, 0]), "a same-origin page was refused")
    finally:
        same_origin.close()


def allowed_origins(args):
    config = {"listener_ws": HOST + ":0/ws", "ws_allowed_origins": "http://app.example:8000"}
    with Broker(args.hermesd, config=config, log_level="info") as broker:
        url = urlparse(broker.ws_urls[0])
        check(url.path == "/ws", "listener path %r" % url.path)
        for origin, accepted in (("http://app.example:8000", True), ("http://%s:%d" % (HOST, url.port), False)):
            raw = RawWebSocket(url.port, path="/ws", origin=origin)
            try:
                if accepted:
                    raw.send_frame(CONNECT)
                    check(raw.read_packet() == bytes([0x20, 2, 0, 0]), "%s refused" % origin)
                else:
                    check(raw.close_code() == 1008, "%s accepted though not listed" % origin)
            finally:
                raw.close()


def check_config_names_them(args):
    with tempfile.TemporaryDirectory(prefix="hermes-ws-") as directory:
        path = os.path.join(directory, "hermesd.conf")
        with open(path, "w") as f:
            f.write("listener_ws 127.0.0.1:8083\nlistener_wss [::1]:8084/ws\nhttp_listener 127.0.0.1:8080\n")
        done = subprocess.run([args.hermesd, "--config", path, "--check-config"], capture_output=True, text=True,
                              timeout=30)
        check(done.returncode == 0, "check-config failed: %s" % done.stderr)
        check("ws://127.0.0.1:8083/mqtt, wss://[::1]:8084/ws" in done.stdout and "HTTP API: 127.0.0.1:8080" in done.stdout,
              "check-config printed %r" % done.stdout)


def hash_password(hermesd, password):
    return subprocess.run([hermesd, "--hash-password"], input=password + "\n", capture_output=True, text=True,
                          check=True, timeout=30).stdout.strip()


def main():
    def extra(parser):
        parser.add_argument("--hermesctl", help="creates the API key for the push case (skipped without it)")
    args = common_arguments("MQTT over WebSocket against hermesd", extra)
    suite = Suite("interop websocket", args)
    config = {"listener_ws": HOST + ":0", "http_listener": HOST + ":0",
              "account": "acl-dev device " + hash_password(args.hermesd, "device-password")}
    with Broker(args.hermesd, config=config, log_level="info") as broker:
        for version in ("mqttv311", "mqttv5"):
            for qos in (0, 1, 2):
                suite.run("paho-ws/%s/q%d/round-trip" % (version, qos), round_trip, broker, version, qos)
        suite.run("paho-ws/will-after-1.5-keepalive", will_after_keepalive, broker)
        suite.run("paho-ws/take-over", take_over, broker)
        suite.run("paho-ws/device-acl", device_acl, broker)
        if args.hermesctl:
            key = subprocess.run([args.hermesctl, "apikeys", "create", "ws-test", "--broker", "%s:%d" % (HOST, broker.port)],
                                 capture_output=True, text=True, check=True, timeout=30).stdout.strip().splitlines()[-1]
            suite.run("paho-ws/push-from-http-api", push_over_websocket, broker, key)
        suite.run("raw-ws/split-and-coalesced-frames", split_and_coalesced_frames, broker)
        suite.run("raw-ws/text-frame-closes", text_frame_closes, broker)
        suite.run("raw-ws/refused-handshakes", refused_handshakes, broker)
    suite.run("raw-ws/allowed-origins", allowed_origins, args)
    suite.run("config/check-config-names-websocket-and-http", check_config_names_them, args)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
