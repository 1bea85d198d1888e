#!/usr/bin/python3
"""The HTTP API, /metrics and the health checks against a real hermesd: every endpoint and
error status over urllib (and a push and its report over curl), each live response checked
against docs/openapi.yaml, API keys made and revoked with hermesctl, /metrics parsed with
prometheus_client's parser while MQTT traffic moves its counters.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from hermesinterop import (HOST, Broker, PahoClient, Skip, Suite, TestFailure, check, common_arguments,
                           wait_until)
from openapicheck import OpenApi

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:  # python3-prometheus-client missing: the metrics cases skip
    text_string_to_metric_families = None


class Http:
    """urllib with the API key; every answer is checked against the OpenAPI document."""

    def __init__(self, base, api, key=None):
        self.base, self.api, self.key = base, api, key

    def call(self, method, path, body=None, key="default", raw=None, headers=None, validate=True):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        key = self.key if key == "default" else key
        if key:
            request.add_header("Authorization", "Bearer " + key)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, answer, content = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, answer, content = error.code, dict(error.headers), error.read()
        kind = answer.get("Content-Type", "")
        if validate:
            self.api.check(method, path, status, content, kind)
        parsed = json.loads(content) if kind.startswith("application/json") and content else content
        return status, answer, parsed


def hermesctl(args, broker, *arguments):
    result = subprocess.run([args.hermesctl, *arguments, "--broker", "%s:%d" % (HOST, broker.port)],
                            capture_output=True, text=True, timeout=30)
    check(result.returncode == 0, "hermesctl %s failed (%d): %s" % (" ".join(arguments), result.returncode,
                                                                   result.stderr))
    return result.stdout


def create_key(args, broker, name="backend"):
    output = hermesctl(args, broker, "apikeys", "create", name)
    key = output.strip().splitlines()[-1]
    check(key.startswith("hk_"), "apikeys create printed no key: %r" % output)
    return key


def expect_error(answer, status, code):
    got_status, headers, body = answer
    check(got_status == status, "expected %d, got %d: %r" % (status, got_status, body))
    check(isinstance(body, dict) and body.get("error", {}).get("code") == code,
          "expected error code %s, got %r" % (code, body))
    return headers


# ---- cases ------------------------------------------------------------------------------


def health(http):
    status, _, body = http.call("GET", "/healthz", key=None)
    check(status == 200 and body == {"status": "ok"}, "healthz: %d %r" % (status, body))
    status, _, body = http.call("GET", "/readyz", key=None)
    check(status == 200 and body["status"] == "ready" and body["checks"]["store"] == "writable",
          "readyz: %d %r" % (status, body))


def every_operation_needs_a_key(http):
    for method, template, status in sorted(http.api.documented()):
        if status != "401":
            continue
        path = template.replace("{pushId}", "p").replace("{deviceId}", "d").replace("{clientId}", "c")
        headers = expect_error(http.call(method, path, body={} if method in ("POST", "PUT") else None, key=None),
                               401, "unauthorized")
        check(headers.get("WWW-Authenticate", "").startswith("Bearer"), "%s %s: no WWW-Authenticate" % (method, path))
    expect_error(http.call("GET", "/api/v1/devices", key="hk_000000000000_forged"), 401, "unauthorized")
    expect_error(http.call("GET", "/api/v1/devices", key=None, headers={"Authorization": "Basic YTpi"}),
                 401, "unauthorized")


def push_and_report(http, broker):
    device = PahoClient(broker.port, "dev-1", "mqttv311")
    try:
        device.connect()
        device.subscribe("devices/dev-1/push", 1)
        status, headers, accepted = http.call("POST", "/api/v1/pushes",
                                              {"target": {"devices": ["dev-1"]}, "payload": "hello", "qos": 1,
                                               "ttlSeconds": 60})
        check(status == 201 and accepted["audience"] == 1, "push: %d %r" % (status, accepted))
        location = headers.get("Location")
        check(location == "/api/v1/pushes/" + accepted["pushId"], "Location %r" % location)
        check(wait_until(lambda: device.messages), "the device got no push")

        def acknowledged():
            return http.call("GET", location)[2]["counts"]["acknowledged"] == 1
        check(wait_until(acknowledged), "the report never showed the acknowledgement")
        _, _, report = http.call("GET", location)
        check(report["targets"][0]["state"] == "acknowledged" and report["targets"][0]["device"] == "dev-1",
              "report targets: %r" % report["targets"])
        check(report["settled"] and "arrivalRatePerSecond" in report, "report: %r" % report)
        _, _, summary = http.call("GET", location + "?targets=false")
        check("targets" not in summary, "targets=false still lists targets")
        _, _, listing = http.call("GET", "/api/v1/pushes?limit=5")
        check(listing["pushes"][0]["pushId"] == accepted["pushId"], "push list: %r" % listing)
        # Scheduled an hour ahead: accepted with its time, nothing sent yet.
        send_at = int(time.time() * 1000) + 3600 * 1000
        status, _, scheduled = http.call("POST", "/api/v1/pushes", {"target": {"devices": ["dev-1"]}, "payload": "later",
                                                                    "qos": 1, "sendAtMs": send_at, "ratePerSecond": 10})
        check(status == 201 and scheduled.get("scheduledAtMs") == send_at, "scheduled push: %d %r" % (status, scheduled))
        _, _, later = http.call("GET", "/api/v1/pushes/" + scheduled["pushId"])
        check(later["counts"]["pending"] == 1 and later["sendAtMs"] == send_at, "scheduled report: %r" % later)
        check(len(device.messages) == 1, "the scheduled push went out early: %r" % device.messages)
    finally:
        device.disconnect()


def push_with_curl(http, broker):
    if not shutil.which("curl"):
        raise Skip("curl is not installed")
    device = PahoClient(broker.port, "dev-curl", "mqttv311")
    try:
        device.connect()
        device.subscribe("devices/dev-curl/push", 1)
        result = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", "-H", "Authorization: Bearer " + http.key,
                                 "-H", "Content-Type: application/json", "-d",
                                 '{"target":{"devices":["dev-curl"]},"payload":"from curl","qos":1}',
                                 http.base + "/api/v1/pushes"], capture_output=True, text=True, timeout=30)
        body, status = result.stdout.rsplit("\n", 1)
        check(status == "201", "curl POST: %s %s" % (status, body))
        http.api.check("POST", "/api/v1/pushes", 201, body)
        push_id = json.loads(body)["pushId"]
        check(wait_until(lambda: device.messages), "the device got no push")

        def report():
            out = subprocess.run(["curl", "-sS", "-H", "Authorization: Bearer " + http.key,
                                  http.base + "/api/v1/pushes/" + push_id], capture_output=True, text=True, timeout=30)
            return json.loads(out.stdout)
        check(wait_until(lambda: report()["counts"]["acknowledged"] == 1), "curl GET: %r" % report())
    finally:
        device.disconnect()


def errors(http):
    expect_error(http.call("POST", "/api/v1/pushes", raw=b"{not json"), 400, "bad-request")
    expect_error(http.call("POST", "/api/v1/pushes", raw=b"[1, 2]"), 400, "bad-request")
    expect_error(http.call("POST", "/api/v1/pushes", {"payload": "no target"}), 400, "bad-request")
    expect_error(http.call("POST", "/api/v1/pushes", {"target": {"devices": ["never-seen"]}, "payload": "x"}),
                 404, "not-found")
    expect_error(http.call("GET", "/api/v1/pushes/no-such-push"), 404, "not-found")
    expect_error(http.call("GET", "/api/v1/pushes?limit=0"), 400, "bad-request")
    expect_error(http.call("GET", "/api/v1/devices?online=maybe"), 400, "bad-request")
    expect_error(http.call("GET", "/api/v1/sessions?limit=5000"), 400, "bad-request")
    expect_error(http.call("GET", "/api/v1/sessions/nobody"), 404, "not-found")
    expect_error(http.call("DELETE", "/api/v1/sessions/nobody"), 404, "not-found")
    expect_error(http.call("PUT", "/api/v1/devices/d-x", raw=b"oops"), 400, "bad-request")
    expect_error(http.call("PUT", "/api/v1/devices/d-x", {"tags": "vip"}), 400, "bad-request")
    # Outside the documented operations: checked against the shared Error schema.
    for method, path, status, code in (("PATCH", "/api/v1/pushes", 405, "method-not-allowed"),
                                       ("DELETE", "/healthz", 405, "method-not-allowed"),
                                       ("GET", "/api/v1/nothing", 404, "not-found"),
                                       ("GET", "/", 404, "not-found")):
        answer = http.call(method, path, validate=False)
        headers = expect_error(answer, status, code)
        http.api.validate(answer[2], {"$ref": "#/components/schemas/Error"}, "$")
        if status == 405:
            check("GET" in headers.get("Allow", ""), "%s %s: Allow is %r" % (method, path, headers.get("Allow")))
    big = b'{"target": {"all": true}, "payload": "' + b"x" * (96 * 1024) + b'"}'
    expect_error(http.call("POST", "/api/v1/pushes", raw=big), 413, "payload-too-large")
    # The connection that was refused is gone, the API is not.
    check(http.call("GET", "/healthz", key=None)[0] == 200, "healthz after a 413")


def devices(http):
    status, _, device = http.call("PUT", "/api/v1/devices/d-a", {"alias": "kitchen", "tags": ["vip", "beta"]})
    check(status == 200 and device["alias"] == "kitchen" and sorted(device["tags"]) == ["beta", "vip"],
          "PUT: %d %r" % (status, device))
    for name in ("d-b", "d-c"):
        check(http.call("PUT", "/api/v1/devices/" + name, {"tags": ["vip"]})[0] == 200, "PUT " + name)
    _, _, page = http.call("GET", "/api/v1/devices?tag=vip%20%26%26%20beta")
    check([d["id"] for d in page["devices"]] == ["d-a"], "tag filter: %r" % page)
    _, _, first = http.call("GET", "/api/v1/devices?tag=vip&limit=2")
    check(first["total"] == 3 and len(first["devices"]) == 2 and first["nextOffset"] == 2, "page 1: %r" % first)
    _, _, second = http.call("GET", "/api/v1/devices?tag=vip&limit=2&offset=2")
    check([d["id"] for d in second["devices"]] == ["d-c"] and "nextOffset" not in second, "page 2: %r" % second)
    _, _, alias = http.call("GET", "/api/v1/devices?alias=kitchen")
    check([d["id"] for d in alias["devices"]] == ["d-a"], "alias filter: %r" % alias)


def sessions(http, broker):
    client = PahoClient(broker.port, "sess-1", "mqttv5")
    client.connect()
    client.subscribe("news/#", 1)
    _, _, page = http.call("GET", "/api/v1/sessions?filter=sess-1&state=online")
    check([s["clientId"] for s in page["sessions"]] == ["sess-1"] and page["sessions"][0]["protocol"] == "5.0",
          "sessions: %r" % page)
    _, _, detail = http.call("GET", "/api/v1/sessions/sess-1")
    check(detail["subscriptionFilters"] == [{"filter": "news/#", "qos": 1}], "detail: %r" % detail)
    status, _, body = http.call("DELETE", "/api/v1/sessions/sess-1")
    check(status == 200 and body == {"kicked": True}, "kick: %d %r" % (status, body))
    check(wait_until(lambda: client.disconnects), "the kicked client saw no disconnect")
    _, _, gone = http.call("GET", "/api/v1/sessions?filter=sess-1&state=online")
    check(gone["total"] == 0, "the kicked client is still online: %r" % gone)
    expect_error(http.call("DELETE", "/api/v1/sessions/sess-1"), 404, "not-found")


def networks(http, broker):
    # hermesd.conf names "lab" (127.0.0.0/8: these clients); the figures are the admin API's.
    client = PahoClient(broker.port, "net-1", "mqttv5")
    client.connect()
    _, _, body = http.call("GET", "/api/v1/networks")
    lab = [n for n in body["networks"] if n["network"] == "lab"]
    check(len(lab) == 1 and lab[0]["connects"] >= 1 and lab[0]["evidence"] == "insufficient"
          and lab[0]["lowerBoundSeconds"] is None and not lab[0]["acting"]
          and lab[0]["applied"] == {"keepAliveSeconds": None, "offersSent": 0, "changes": []}, "networks: %r" % body)


def revoked_key(args, http, broker):
    key = create_key(args, broker, "short-lived")
    # hk_<id>_<secret>; the secret is base64url, so it may hold "_" itself.
    _, key_id, secret = key.split("_", 2)
    scoped = Http(http.base, http.api, key)
    check(scoped.call("GET", "/api/v1/devices")[0] == 200, "a new key does not work")
    listing = hermesctl(args, broker, "apikeys", "list")
    check(key_id in listing and secret not in listing, "apikeys list: %r" % listing)
    hermesctl(args, broker, "apikeys", "revoke", key_id)
    expect_error(scoped.call("GET", "/api/v1/devices"), 401, "unauthorized")
    check(key_id not in hermesctl(args, broker, "apikeys", "list"), "a revoked key is still listed")


def keys_survive_a_restart(args, data_dir, api):
    with Broker(args.hermesd, config={"http_listener": HOST + ":0"}, data_dir=data_dir, log_level="info") as broker:
        key = create_key(args, broker)
    with Broker(args.hermesd, config={"http_listener": HOST + ":0"}, data_dir=data_dir, log_level="info") as broker:
        status, _, _ = Http(broker.http_url, api, key).call("GET", "/api/v1/sessions")
        check(status == 200, "the key did not survive a restart: %d" % status)


def scrape(http, key="default"):
    status, headers, body = http.call("GET", "/metrics", key=key)
    check(status == 200, "/metrics: %d %r" % (status, body))
    check(headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"), "type %r" % headers)
    samples = {}
    families = {}
    for family in text_string_to_metric_families(body.decode()):
        families[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return families, samples


def metrics(http, broker):
    if text_string_to_metric_families is None:
        raise Skip("python3-prometheus-client is not installed")
    families, before = scrape(http)
    expected = {"hermes_connections": "gauge", "hermes_sessions": "gauge", "hermes_messages_received": "counter",
                "hermes_messages_sent": "counter", "hermes_messages_dropped": "counter",
                "hermes_bytes_received": "counter", "hermes_inflight_messages": "gauge",
                "hermes_queued_messages": "gauge", "hermes_keepalive_timeouts": "counter",
                "hermes_auth_failures": "counter", "hermes_pushes": "counter",
                "hermes_push_delivery_seconds": "histogram", "hermes_store_commit_seconds": "histogram",
                "process_cpu_seconds": "counter", "process_resident_memory_bytes": "gauge",
                "hermes_network_connections": "gauge", "hermes_network_silent_deaths_per_device_hour": "gauge"}
    for name, kind in expected.items():
        check(families.get(name) == kind, "%s is %r, not a %s" % (name, families.get(name), kind))
    check(before[("process_resident_memory_bytes", ())] > 1e6, "RSS %r" % before[("process_resident_memory_bytes", ())])
    for reason in ("queue_full", "expired", "too_large", "slow_reader"):
        check(("hermes_messages_dropped_total", (("reason", reason),)) in before, "no dropped reason " + reason)

    publisher = PahoClient(broker.port, "metrics-pub", "mqttv311")
    device = PahoClient(broker.port, "metrics-dev", "mqttv311")
    try:
        publisher.connect()
        device.connect()
        device.subscribe("devices/metrics-dev/push", 1)
        _, connected = scrape(http)
        check(connected[("hermes_connections", ())] >= before[("hermes_connections", ())] + 2, "connections did not rise")
        lab = ("hermes_network_connections", (("network", "lab"),))
        check(connected.get(lab, 0) >= before.get(lab, 0) + 2, "the lab network's connections did not rise")
        for index in range(5):
            publisher.publish("metrics/%d" % index, b"x" * 100, 1)
        status, _, accepted = http.call("POST", "/api/v1/pushes", {"target": {"devices": ["metrics-dev"]},
                                                                   "payload": "m", "qos": 1})
        check(status == 201, "push: %r" % accepted)
        check(wait_until(lambda: http.call("GET", "/api/v1/pushes/" + accepted["pushId"])[2]["counts"]["acknowledged"]),
              "push not acknowledged")
        _, after = scrape(http)

        def delta(name, labels=()):
            return after.get((name, labels), 0) - before.get((name, labels), 0)
        check(delta("hermes_messages_received_total") >= 5, "messages_received moved by %s" % delta("hermes_messages_received_total"))
        check(delta("hermes_messages_sent_total") >= 1, "messages_sent did not move")
        check(delta("hermes_bytes_received_total") >= 500, "bytes_received moved by %s" % delta("hermes_bytes_received_total"))
        check(delta("hermes_pushes_total", (("state", "accepted"),)) == 1, "pushes_total{accepted} did not move by 1")
        check(delta("hermes_push_delivery_seconds_count") == 1, "push_delivery_seconds_count did not move by 1")
        check(delta("hermes_store_commit_seconds_count") >= 1, "no store commit observed")
        check(after[("hermes_push_delivery_seconds_bucket", (("le", "+Inf"),))] == after[("hermes_push_delivery_seconds_count", ())],
              "+Inf bucket differs from the count")
    finally:
        publisher.disconnect()
        device.disconnect()


def dashboard_charts_real_metrics(http, dashboard_path):
    """Every series installer/grafana-dashboard.json queries is one hermesd exposes."""
    if text_string_to_metric_families is None:
        raise Skip("python3-prometheus-client is not installed")
    _, samples = scrape(http)
    exposed = {name for name, _ in samples}
    with open(dashboard_path) as f:
        dashboard = json.load(f)
    queried = set()
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            queried.update(re.findall(r"\b((?:hermes|process)_[a-z_]+)", target["expr"]))
    check(queried, "the dashboard queries nothing")
    check(queried <= exposed, "the dashboard queries series hermesd does not expose: %s" % sorted(queried - exposed))


def metrics_need_a_key_unless_anonymous(args, api):
    with Broker(args.hermesd, config={"http_listener": HOST + ":0", "metrics_anonymous": "true"},
                log_level="info") as broker:
        status, _, body = Http(broker.http_url, api).call("GET", "/metrics", key=None)
        check(status == 200 and b"hermes_connections" in body, "anonymous /metrics: %d" % status)
        expect_error(Http(broker.http_url, api).call("GET", "/api/v1/devices", key=None), 401, "unauthorized")


def idle_connections_close(args, api):
    with Broker(args.hermesd, config={"http_listener": HOST + ":0", "http_idle_timeout": "1"},
                log_level="info") as broker:
        url = urllib.parse.urlparse(broker.http_url)
        silent = socket.create_connection((url.hostname, url.port), timeout=10)
        used = socket.create_connection((url.hostname, url.port), timeout=10)
        try:
            used.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            check(b" 200 " in used.recv(4096), "no answer on the keep-alive connection")
            started = time.monotonic()
            for sock in (silent, used):
                check(sock.recv(4096) == b"", "the idle connection got data instead of being closed")
            elapsed = time.monotonic() - started
            check(elapsed < 6, "closed after %.1f s with http_idle_timeout 1" % elapsed)
        finally:
            silent.close()
            used.close()
        check(Http(broker.http_url, api).call("GET", "/healthz", key=None)[0] == 200, "healthz after the closes")


def documented_responses_seen(api):
    # 503 from /readyz needs a failing store (covered by the store's own tests, not here).
    missing = api.documented() - api.seen - {("GET", "/readyz", "503")}
    check(not missing, "documented responses never produced: %s" % sorted(missing))


def main():
    def extra(parser):
        parser.add_argument("--hermesctl", required=True)
        parser.add_argument("--openapi", required=True)
    args = common_arguments("the HTTP API against hermesd", extra)
    suite = Suite("interop http api", args)
    api = OpenApi(args.openapi)
    data_dir = tempfile.mkdtemp(prefix="hermes-http-")
    try:
        with Broker(args.hermesd, config={"http_listener": HOST + ":0", "http_max_body_bytes": "65536",
                                            "network": "lab 127.0.0.0/8"},
                    data_dir=os.path.join(data_dir, "main"), log_level="info") as broker:
            http = Http(broker.http_url, api, create_key(args, broker))
            suite.run("http/health", health, http)
            suite.run("http/every-operation-needs-a-key", every_operation_needs_a_key, http)
            suite.run("http/push-and-report", push_and_report, http, broker)
            suite.run("http/push-and-report-with-curl", push_with_curl, http, broker)
            suite.run("http/errors", errors, http)
            suite.run("http/devices", devices, http)
            suite.run("http/sessions", sessions, http, broker)
            suite.run("http/networks", networks, http, broker)
            suite.run("http/revoked-key", revoked_key, args, http, broker)
            suite.run("http/metrics", metrics, http, broker)
            suite.run("http/grafana-dashboard", dashboard_charts_real_metrics, http,
                      os.path.join(os.path.dirname(args.openapi), "..", "installer", "grafana-dashboard.json"))
        suite.run("http/keys-survive-a-restart", keys_survive_a_restart, args, os.path.join(data_dir, "restart"), api)
        suite.run("http/metrics-anonymous", metrics_need_a_key_unless_anonymous, args, api)
        suite.run("http/idle-connections-close", idle_connections_close, args, api)
        if not args.case:
            suite.run("http/openapi-every-documented-response", documented_responses_seen, api)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
