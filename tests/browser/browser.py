#!/usr/bin/python3
"""A real browser as an MQTT device: headless Chromium loads a page (served here, with
MQTT.js from npm `mqtt`, no CDN) that connects to hermesd over ws://, subscribes to its push
topic, and reports back; the test then sends a push with POST /api/v1/pushes and waits for
the page to receive it and for the report to show the acknowledgement.

Exits 77 (ctest: skipped) when Chromium or MQTT.js is missing; MQTT.js comes from a
test-local `npm ci` against the committed package-lock.json.
"""

import http.server
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
from hermesinterop import HOST, Broker, check, common_arguments, die_with_parent, wait_until  # noqa: E402

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
MQTT_JS = os.path.join(HERE, "node_modules", "mqtt", "dist", "mqtt.min.js")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>hermes browser device</title>
<script src="/mqtt.min.js"></script></head>
<body><pre id="log"></pre><script>
const ws = new URLSearchParams(location.search).get("ws");
function report(kind, data) {
  document.getElementById("log").textContent += kind + " " + JSON.stringify(data) + "\\n";
  fetch("/event", {method: "POST", body: JSON.stringify({kind: kind, data: data})});
}
const client = mqtt.connect(ws, {clientId: "browser-1", protocolVersion: 4, reconnectPeriod: 0});
client.on("connect", () => client.subscribe("devices/browser-1/push", {qos: 1},
    (err) => report(err ? "error" : "ready", err ? String(err) : "")));
client.on("message", (topic, payload) => report("message",
    {topic: topic, text: new TextDecoder().decode(payload)}));
client.on("error", (e) => report("error", String(e)));
</script></body></html>
"""


def skip(reason):
    print("SKIP  browser/push-to-a-page: %s" % reason, flush=True)
    sys.exit(SKIP)


def ensure_mqtt_js():
    if os.path.exists(MQTT_JS):
        return
    npm = shutil.which("npm")
    if not npm:
        skip("npm is not installed (MQTT.js comes from npm `mqtt`)")
    result = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE,
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or not os.path.exists(MQTT_JS):
        skip("npm ci failed: %s" % result.stderr[-500:])


class PageServer(http.server.ThreadingHTTPServer):
    def __init__(self):
        self.events = queue.Queue()
        super().__init__((HOST, 0), PageHandler)


class PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/mqtt.min.js"):
            with open(MQTT_JS, "rb") as f:
                body, kind = f.read(), "application/javascript"
        else:
            body, kind = PAGE.encode(), "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.server.events.put(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_event(server, kind, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            event = server.events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        check(event["kind"] != "error", "the page reported an error: %r" % event)
        if event["kind"] == kind:
            return event
    raise AssertionError("the page sent no %r event within %d s" % (kind, timeout))


def api(broker, key, method, path, body=None):
    request = urllib.request.Request(broker.http_url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def main():
    def extra(parser):
        parser.add_argument("--hermesctl", required=True)
    args = common_arguments("a headless Chromium page as an MQTT-over-WebSocket device", extra)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        skip("chromium is not installed (scripts/setup.sh installs it)")
    ensure_mqtt_js()
    server = PageServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page_origin = "http://%s:%d" % (HOST, server.server_address[1])
    profile = tempfile.mkdtemp(prefix="hermes-chromium-")
    browser = None
    config = {"listener_ws": HOST + ":0", "http_listener": HOST + ":0", "ws_allowed_origins": page_origin}
    try:
        with Broker(args.hermesd, config=config, log_level="info") as broker:
            key = subprocess.run([args.hermesctl, "apikeys", "create", "browser-test", "--broker",
                                  "%s:%d" % (HOST, broker.port)], capture_output=True, text=True, check=True,
                                 timeout=30).stdout.strip().splitlines()[-1]
            browser = subprocess.Popen([chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                                        "--no-first-run", "--user-data-dir=" + profile,
                                        "%s/?ws=%s" % (page_origin, broker.ws_urls[0])],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       preexec_fn=die_with_parent)
            wait_event(server, "ready", 60)  # a cold Chromium start on a busy machine
            status, accepted = api(broker, key, "POST", "/api/v1/pushes",
                                   {"target": {"devices": ["browser-1"]}, "payload": "你好, browser",
                                    "envelope": False, "qos": 1})
            check(status == 201, "POST %d" % status)
            message = wait_event(server, "message", 20)
            check(message["data"] == {"topic": "devices/browser-1/push", "text": "你好, browser"},
                  "the page got %r" % message)
            report = "/api/v1/pushes/" + accepted["pushId"]
            check(wait_until(lambda: api(broker, key, "GET", report)[1]["counts"]["acknowledged"] == 1, 10),
                  "the report never showed the browser's PUBACK")
    finally:
        if browser:
            browser.send_signal(signal.SIGTERM)
            try:
                browser.wait(timeout=10)
            except subprocess.TimeoutExpired:
                browser.kill()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    print("PASS  browser/push-to-a-page", flush=True)
    print("1 passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as error:
        print("FAIL  browser/push-to-a-page: %s" % error, flush=True)
        print("0 passed, 1 failed", flush=True)
        sys.exit(1)
