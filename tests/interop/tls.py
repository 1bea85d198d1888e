#!/usr/bin/python3
"""paho-mqtt over TLS against hermesd: a plain and a TLS listener side by side, a CA and a
server certificate made with the openssl CLI. Cases: a round trip over TLS with the right
CA, and a client that trusts another CA fails the handshake (and the broker keeps serving).
"""

import os
import re
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time

import paho.mqtt.client as mqtt

import urllib.request
from urllib.parse import urlparse

from hermesinterop import (HOST, Broker, PahoClient, Skip, Suite, TestFailure, check, common_arguments,
                           die_with_parent, wait_until)

LISTENING = re.compile(r"hermesd listening on (\S+):(\d+)( \(TLS\))?")


def openssl(*arguments):
    subprocess.run(["openssl", *arguments], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(directory, name):
    key, cert = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".pem")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
            "-keyout", key, "-out", cert)
    return key, cert


def make_server_cert(directory, ca_key, ca_cert):
    key, csr, cert = (os.path.join(directory, "server" + suffix) for suffix in (".key", ".csr", ".pem"))
    ext = os.path.join(directory, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr)
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
            "-extfile", ext, "-out", cert)
    return key, cert


class TlsBroker:
    """hermesd with one plain and one TLS listener on ephemeral loopback ports."""

    def __init__(self, hermesd, directory, key, cert):
        config = os.path.join(directory, "hermesd.conf")
        with open(config, "w") as f:
            f.write("listener %s:0\nlistener_tls %s:0\ntls_certificate %s\ntls_key %s\nanonymous_role operator\n"
                    % (HOST, HOST, cert, key))
        self.process = subprocess.Popen([hermesd, "--config", config, "--no-persistence", "--data-dir",
                                         os.path.join(directory, "data"), "--log-level", "info"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.plain_port = self.tls_port = None
        deadline = time.monotonic() + 10
        while (self.plain_port is None or self.tls_port is None) and time.monotonic() < deadline:
            line = self.process.stdout.readline().decode()
            if not line:
                break
            match = LISTENING.search(line)
            if match and match.group(3):
                self.tls_port = int(match.group(2))
            elif match:
                self.plain_port = int(match.group(2))
        if self.plain_port is None or self.tls_port is None:
            self.stop()
            raise TestFailure("hermesd did not report a plain and a TLS listener")

    def stop(self):
        self.process.terminate()
        code = self.process.wait(timeout=10)
        check(code == 0, "hermesd exited with %s" % code)


def tls_client(client_id, ca_cert):
    client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311)
    client.tls_set(ca_certs=ca_cert, cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    return client


def round_trip(broker, ca_cert):
    received = []
    subscribed = threading.Event()
    subscriber = tls_client("paho-tls-sub", ca_cert)
    subscriber.on_subscribe = lambda *a: subscribed.set()
    subscriber.on_message = lambda client, userdata, message: received.append(message.payload)
    subscriber.connect(HOST, broker.tls_port)
    subscriber.loop_start()
    subscriber.subscribe("tls/test", qos=1)
    check(subscribed.wait(10), "no SUBACK over TLS")
    publisher = tls_client("paho-tls-pub", ca_cert)
    publisher.connect(HOST, broker.tls_port)
    publisher.loop_start()
    publisher.publish("tls/test", b"over tls", qos=1).wait_for_publish()
    wait_until(lambda: received == [b"over tls"])
    for client in (publisher, subscriber):
        client.disconnect()
        client.loop_stop()


def wrong_ca_fails(broker, other_ca_cert):
    client = tls_client("paho-tls-wrong-ca", other_ca_cert)
    try:
        client.connect(HOST, broker.tls_port)
    except ssl.SSLError:
        pass  # the certificate does not verify: what the case wants
    else:
        client.disconnect()
        raise TestFailure("a client trusting another CA completed the TLS handshake")
    # The broker is still serving (plain listener).
    probe = mqtt.Client(client_id="paho-plain-probe", protocol=mqtt.MQTTv311)
    probe.connect(HOST, broker.plain_port)
    probe.disconnect()


def https_and_wss(hermesd, key, cert, ca_cert):
    """The HTTP API and MQTT over WebSocket on TLS with the MQTT listener's certificate keys."""
    config = {"tls_certificate": cert, "tls_key": key, "http_listener_tls": HOST + ":0", "listener_wss": HOST + ":0"}
    with Broker(hermesd, config=config, log_level="info") as broker:
        check(broker.http_url.startswith("https://") and broker.ws_urls[0].startswith("wss://"),
              "announced %s and %s" % (broker.http_url, broker.ws_urls))
        context = ssl.create_default_context(cafile=ca_cert)
        with urllib.request.urlopen(broker.http_url + "/healthz", context=context, timeout=10) as response:
            check(response.status == 200, "https /healthz: %d" % response.status)
        url = urlparse(broker.ws_urls[0])
        clients = [PahoClient(url.port, name, "mqttv311", websocket_path=url.path) for name in ("wss-sub", "wss-pub")]
        for client in clients:
            client.client.tls_set(ca_certs=ca_cert, cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
            client.connect()
        subscriber, publisher = clients
        subscriber.subscribe("wss/test", 1)
        publisher.publish("wss/test", b"over wss", 1)
        subscriber.wait_messages(1)
        check(subscriber.messages[0].payload == b"over wss", "wss got %r" % subscriber.messages)
        for client in clients:
            client.disconnect()


def main():
    args = common_arguments("paho-mqtt over TLS against hermesd")
    suite = Suite("interop tls", args)
    if not shutil.which("openssl"):
        def no_openssl():
            raise Skip("openssl is not installed: no certificates to test with")
        suite.run("paho/tls/round-trip", no_openssl)
        return suite.finish()
    directory = tempfile.mkdtemp(prefix="hermes-tls-")
    try:
        ca_key, ca_cert = make_ca(directory, "ca")
        _, other_ca = make_ca(directory, "other-ca")
        key, cert = make_server_cert(directory, ca_key, ca_cert)
        broker = TlsBroker(args.hermesd, directory, key, cert)
        try:
            suite.run("paho/tls/round-trip", round_trip, broker, ca_cert)
            suite.run("paho/tls/wrong-ca-fails-handshake", wrong_ca_fails, broker, other_ca)
        finally:
            broker.stop()
        suite.run("https-and-wss/same-certificate", https_and_wss, args.hermesd, key, cert, ca_cert)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
