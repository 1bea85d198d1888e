#!/bin/sh
# The scale-out fleet run (docs/SCALE-OUT.md, "Fleet run"): a two-node RabbitMQ cluster
# (scripts/rabbitmq-cluster.sh), hermesd in upstream mode with both nodes, DEVICES simulated
# devices (hermesctl simulate) spread over both nodes, pushes at a steady rate with a TTL by
# device ID and by tag through hermesd's HTTP API, the node hermesd uses SIGKILLed halfway, and
# at the end one summary block from the push reports and the simulator's statistics: arrival
# rate within the TTL, duplicates, expired / failed / never receipted, sequence numbers reused,
# the devices' reconnect times and hermesd's fail-over time.
#
#   scripts/scale-out-run.sh [DEVICES (1000)] [SECONDS of pushing (240)]
#
# Environment: BUILD_DIR (default build); TTL seconds of every push (60);
# ID_PUSHES_PER_SECOND (1, each to 10 random devices); TAG_PUSH_EVERY seconds between pushes
# to the tag "fleet", i.e. every device (20); PUSH_QOS the devices' subscription (0, below);
# CONNECT_RATE devices connecting per second (100); RECONNECT the scenario's reconnect line
# ("backoff 1s 5s attempts 1000 cap 30s": the first attempt 1-5 s after a loss, each failure
# doubling that, so a struggling node is not stormed); MANAGEMENT_INTERVAL seconds between
# hermesd's reads of the management API (30); NICE (10) for everything started here; KEEP=1
# keeps the work directory (logs, reports.json) and says where.
#
# Pushes are QoS 1; the devices subscribe at PUSH_QOS 0 by default because RabbitMQ 3.10 keeps
# a QoS 1 subscription in a durable classic queue on the node where it was made: while that
# node is down no other node lets the device subscribe at QoS 1 again (queue.declare: "home
# node ... is down", the connection is closed), so PUSH_QOS=1 shows its devices cycling
# until the node returns (docs/SCALE-OUT.md, "Fleet run").
#
# Bounded: DEVICES at most 20000, pushing at most 1800 s, every wait has a deadline. Everything
# listens and connects on 127.0.0.1 only; everything started here is stopped on exit. Exit
# status 77 when rabbitmq-server is not installed, 1 when the run could not be made, else 0
# (the summary says whether the numbers held).
set -eu
cd "$(dirname "$0")/.."
devices=${1:-1000}
seconds=${2:-240}
case "$devices$seconds" in *[!0-9]*) echo "usage: scale-out-run.sh [DEVICES] [SECONDS]" >&2; exit 2 ;; esac
if [ "$devices" -lt 2 ] || [ "$devices" -gt 20000 ]; then echo "scale-out-run.sh: DEVICES is 2..20000" >&2; exit 2; fi
if [ "$seconds" -lt 20 ] || [ "$seconds" -gt 1800 ]; then echo "scale-out-run.sh: SECONDS is 20..1800" >&2; exit 2; fi
build=${BUILD_DIR:-build}
ttl=${TTL:-60}
id_rate=${ID_PUSHES_PER_SECOND:-1}
tag_every=${TAG_PUSH_EVERY:-20}
connect_rate=${CONNECT_RATE:-100}
reconnect=${RECONNECT:-backoff 1s 5s attempts 1000 cap 30s}
push_qos=${PUSH_QOS:-0}
interval=${MANAGEMENT_INTERVAL:-30}
nice=${NICE:-10}
for binary in "$build/app/hermesd/hermesd" "$build/app/hermesctl/hermesctl"; do
    [ -x "$binary" ] || { echo "scale-out-run.sh: $binary is not built" >&2; exit 1; }
done

work=$(mktemp -d /tmp/scale-out-run.XXXXXX)
hermesd_pid=""
fleet_pid=""
cluster_started=""
cleanup() {
    status=$?
    set +e
    [ -z "$fleet_pid" ] || kill "$fleet_pid" 2>/dev/null || true
    [ -z "$hermesd_pid" ] || kill "$hermesd_pid" 2>/dev/null || true
    [ -z "$fleet_pid" ] || wait "$fleet_pid" 2>/dev/null || true
    [ -z "$hermesd_pid" ] || wait "$hermesd_pid" 2>/dev/null || true
    if [ -n "$cluster_started" ]; then
        # SIGKILL first: a graceful stop of a node holding thousands of connections took
        # minutes here, and nothing of the cluster is kept.
        for node in 1 2; do
            scripts/rabbitmq-cluster.sh kill "$work/rabbit" "$node" >/dev/null 2>&1 || true # the killed one is gone
        done
        scripts/rabbitmq-cluster.sh stop "$work/rabbit" >/dev/null 2>&1 || true
    fi
    if [ "${KEEP:-0}" = 1 ]; then
        echo "scale-out-run.sh: logs and reports kept in $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A descriptor per device in the simulator, and per connection in the surviving node.
# shellcheck disable=SC3045 # dash and bash both have ulimit -n / -Hn
ulimit -n "$(ulimit -Hn)"
# shellcheck disable=SC3045
[ "$(ulimit -n)" -gt $((devices + 1000)) ] || echo "scale-out-run.sh: warning: $devices devices and a descriptor limit of $(ulimit -n)" >&2
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# ---- the cluster ----
say "starting the two-node RabbitMQ cluster"
cluster_started=1
set +e
nice -n "$nice" scripts/rabbitmq-cluster.sh start "$work/rabbit" 2 >"$work/cluster.log" 2>&1
started=$?
set -e
if [ "$started" -ne 0 ]; then
    cat "$work/cluster.log" >&2
    [ "$started" -eq 77 ] && exit 77
    exit 1
fi
# shellcheck disable=SC1091 # written by rabbitmq-cluster.sh
. "$work/rabbit/cluster.env"
umask 077
printf '%s\n' "$RABBIT_ADMIN_PASSWORD" >"$work/upstream.secret"
printf '%s\n' "$RABBIT_DEVICE_PASSWORD" >"$work/device.secret"
umask 022

# ---- hermesd in upstream mode ----
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
admin_port=$(free_port)
http_port=$(free_port)
admin_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$admin_password" >"$work/admin.secret"
chmod 600 "$work/admin.secret"
hash=$(printf '%s\n' "$admin_password" | "$build/app/hermesd/hermesd" --hash-password)
cat >"$work/hermesd.conf" <<CONF
sys_interval 0
account admin operator $hash
http_listener 127.0.0.1:$http_port
upstream 127.0.0.1:$RABBIT_MQTT_PORT_1, 127.0.0.1:$RABBIT_MQTT_PORT_2
upstream_user $RABBIT_ADMIN_USER
upstream_password_file upstream.secret
upstream_management http://127.0.0.1:$RABBIT_MANAGEMENT_PORT_1, http://127.0.0.1:$RABBIT_MANAGEMENT_PORT_2
upstream_management_interval $interval
upstream_management_timeout 60
CONF
mkdir "$work/data"
say "starting hermesd (upstream: both nodes, management every $interval s)"
nice -n "$nice" "$build/app/hermesd/hermesd" --config "$work/hermesd.conf" --data-dir "$work/data" \
    --listen "127.0.0.1:$admin_port" --log-level info >"$work/hermesd.log" 2>&1 &
hermesd_pid=$!
# What the run waits for lives in other processes (a log line, RabbitMQ's and hermesd's
# answers), which give a shell nothing to block on: polled every 0.5 s against a deadline.
wait_for() { # seconds, description, command...
    limit=$1 what=$2
    shift 2
    end=$(($(date +%s) + limit))
    until "$@" >/dev/null 2>&1; do
        if [ "$(date +%s)" -ge "$end" ]; then
            say "gave up after $limit s waiting for $what"
            return 1
        fi
        kill -0 "$hermesd_pid" 2>/dev/null || { say "hermesd exited:"; tail -20 "$work/hermesd.log" >&2; return 1; }
        sleep 0.5
    done
}
wait_for 60 "hermesd on the cluster" grep -q "upstream: connected to" "$work/hermesd.log" || exit 1
hermesctl() {
    "$build/app/hermesctl/hermesctl" "$@" --broker "127.0.0.1:$admin_port" --user admin --password-file "$work/admin.secret"
}
api_key=$(hermesctl apikeys create scale-out-run | grep -o 'hk_[0-9a-f]*_[A-Za-z0-9_-]*' | head -1)
[ -n "$api_key" ] || { say "no HTTP API key"; exit 1; }
printf '%s\n' "$api_key" >"$work/api.key"
chmod 600 "$work/api.key"

# ---- the fleet ----
cat >"$work/fleet.scenario" <<SCEN
hermes-scenario 1
name        scale-out fleet run
devices     $devices
id-pattern  dev-{index}
heartbeat   fixed 60s
nat         direct
connect-rate $connect_rate
reconnect   $reconnect
register-tags fleet
push-qos    $push_qos
duration    4h
SCEN
say "starting $devices devices on both nodes ($connect_rate connects/s, subscribed at QoS $push_qos)"
nice -n "$nice" "$build/app/hermesctl/hermesctl" simulate --scenario "$work/fleet.scenario" \
    --broker "127.0.0.1:$RABBIT_MQTT_PORT_1,127.0.0.1:$RABBIT_MQTT_PORT_2" \
    --user "$RABBIT_DEVICE_USER" --password-file "$work/device.secret" --json >"$work/fleet.json" 2>"$work/fleet.log" &
fleet_pid=$!
# Subscribed, not only connected: the cluster declares each device's queue after its CONNACK,
# and a push published before that reaches nobody.
subscribed() { grep -q "connected $devices/$devices .* subscribed $devices " "$work/fleet.log"; }
wait_for $((devices / 20 + 180)) "every device to connect and subscribe" subscribed || { tail -3 "$work/fleet.log" >&2; exit 1; }
connect_done=$(date +%s)
say "all $devices devices connected and subscribed: $(grep "subscribed $devices " "$work/fleet.log" | head -1 | grep -o ' on .*')"
registered() {
    [ "$(curl -sf -H "Authorization: Bearer $api_key" "http://127.0.0.1:$http_port/api/v1/devices?tag=fleet&limit=1" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')" -eq "$devices" ]
}
wait_for 120 "hermesd to know every device (registrations through the cluster)" registered || exit 1
say "hermesd's registry holds all $devices devices (tag fleet), $(($(date +%s) - connect_done)) s after the last connect"

# ---- pushes, the kill, the reports ----
say "pushing for $seconds s (TTL $ttl s); the node hermesd uses is killed at $((seconds / 2)) s"
export WORK="$work" HTTP_PORT="$http_port" DEVICES="$devices" SECONDS_TOTAL="$seconds" TTL="$ttl" \
    ID_RATE="$id_rate" TAG_EVERY="$tag_every" MQTT_PORT_1="$RABBIT_MQTT_PORT_1" MQTT_PORT_2="$RABBIT_MQTT_PORT_2" \
    FLEET_PID="$fleet_pid"
python3 - <<'PY'
import json, os, random, re, subprocess, sys, time, urllib.error, urllib.request

work = os.environ["WORK"]
base = "http://127.0.0.1:%s/api/v1" % os.environ["HTTP_PORT"]
key = open(os.path.join(work, "api.key")).read().strip()
devices, seconds, ttl = int(os.environ["DEVICES"]), int(os.environ["SECONDS_TOTAL"]), int(os.environ["TTL"])
id_rate, tag_every = float(os.environ["ID_RATE"]), int(os.environ["TAG_EVERY"])
ports = {os.environ["MQTT_PORT_1"]: 1, os.environ["MQTT_PORT_2"]: 2}
width = len(str(devices - 1))
random.seed(1)

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.load(answer)

def now_ms():
    return int(time.time() * 1000)

def log(text):
    print("[%s] %s" % (time.strftime("%H:%M:%S", time.gmtime()), text), file=sys.stderr, flush=True)

def node_of(route):
    match = re.search(r":(\d+)$", route or "")
    return ports.get(match.group(1)) if match else None

pushes = []   # {pushId, kind, createdMs}
errors = []
kill = None   # {node, atMs}
start = time.time()
next_id, next_tag, n = 0.0, 0.0, 0
if not devices:
    sys.exit(1)
while True:
    elapsed = time.time() - start
    if elapsed >= seconds:
        break
    if kill is None and elapsed >= seconds / 2:
        # The node hermesd publishes on, as the newest receipted report's route says.
        node = None
        for push in reversed(pushes):
            report = call("GET", "/pushes/%s?targets=true" % push["pushId"])
            routes = [node_of(t.get("route")) for t in report["targets"] if t.get("sentAtMs")]
            routes = [r for r in routes if r]
            if routes:
                node = routes[-1]
                break
        node = node or 1
        at = now_ms()
        subprocess.run(["scripts/rabbitmq-cluster.sh", "kill", os.path.join(work, "rabbit"), str(node)], check=True)
        kill = {"node": node, "atMs": at}
        log("SIGKILLed node %d (the one hermesd used)" % node)
    sends = []
    if elapsed >= next_tag:
        sends.append(("tag", {"target": {"tag": "fleet"}, "payload": "tag push %d" % n}))
        next_tag += tag_every
    if elapsed >= next_id:
        ids = ["dev-%0*d" % (width, i) for i in random.sample(range(devices), min(10, devices))]
        sends.append(("id", {"target": {"devices": ids}, "payload": "id push %d" % n}))
        next_id += 1.0 / id_rate
    for kind, body in sends:
        body.update({"ttlSeconds": ttl, "qos": 1})
        try:
            answer = call("POST", "/pushes", body)
            pushes.append({"pushId": answer["pushId"], "kind": kind, "createdMs": now_ms()})
        except urllib.error.HTTPError as error:  # refused: a result, not the end of the run
            errors.append("%.1f s: %s %s" % (elapsed, error, error.read()[:200]))
            log("push refused: %s" % errors[-1])
        except Exception as error:  # timed out or unreachable: likewise
            errors.append("%.1f s: %s" % (elapsed, error))
            log("push failed: %s" % errors[-1])
        n += 1
    if len(errors) > 20 and len(errors) > len(pushes):
        sys.exit("scale-out-run.sh: most pushes fail; stopping")
    time.sleep(max(0.0, min(next_id, next_tag) - (time.time() - start)))

# Drain: until no target is still on its way, at most TTL + 30 s after the last push (a
# target left at "sent" stays so: the cluster cannot say more). Counts only while waiting,
# then every report whole, once.
deadline = time.time() + ttl + 30
settled = set()
while True:
    open_targets = 0
    for push in pushes:
        if push["pushId"] in settled:
            continue
        counts = call("GET", "/pushes/%s?targets=false" % push["pushId"])["counts"]
        waiting = counts["pending"] + counts["queued"] + counts["sent"] + counts["acknowledged"]
        if waiting == 0:
            settled.add(push["pushId"])
        open_targets += waiting
    if open_targets == 0 or time.time() >= deadline:
        break
    time.sleep(2)
reports = {push["pushId"]: call("GET", "/pushes/%s" % push["pushId"]) for push in pushes}
json.dump({"startMs": int(start * 1000), "pushes": pushes, "kill": kill, "errors": errors, "reports": reports},
          open(os.path.join(work, "reports.json"), "w"))
log("reports read (%d targets still open)" % open_targets)
PY

# The simulator prints its statistics when asked to stop.
kill -TERM "$fleet_pid"
# Waited for as the child it is; a watchdog ends it if it has not finished within 120 s.
(sleep 120 && kill -KILL "$fleet_pid" 2>/dev/null) &
watchdog=$!
wait "$fleet_pid" 2>/dev/null || true
kill "$watchdog" 2>/dev/null || true
fleet_pid=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

export LOAD_BEFORE="$load_before" LOAD_AFTER="$load_after" PUSH_QOS="$push_qos"
python3 - <<'PY'
import json, os, re, statistics

work = os.environ["WORK"]
ttl_ms = int(os.environ["TTL"]) * 1000
data = json.load(open(os.path.join(work, "reports.json")))
fleet = json.load(open(os.path.join(work, "fleet.json")))
kill = data["kill"]
ports = {os.environ["MQTT_PORT_1"]: 1, os.environ["MQTT_PORT_2"]: 2}

targets = within = late = expired = failed = never = duplicates = 0
never_moved = 0  # of them, to a device of the killed node, pushed while it was moving
by_kind = {}
sequences = {}
reused = 0
first_after_kill = None
for push in data["pushes"]:
    report = data["reports"].get(push["pushId"])
    if report is None:
        continue
    duplicates += report.get("duplicates", 0)
    kind = by_kind.setdefault(push["kind"], [0, 0])
    start = report.get("sendAtMs") or report["createdAtMs"]
    for target in report["targets"]:
        targets += 1
        kind[0] += 1
        device, sequence = target["device"], target.get("sequence", 0)
        if sequence:
            other = sequences.setdefault((device, sequence), push["pushId"])
            if other != push["pushId"]:
                reused += 1
        receipted = target.get("receiptedAtMs")
        if receipted and receipted - start <= ttl_ms:
            within += 1
            kind[1] += 1
        elif receipted:
            late += 1
        elif target["state"] == "expired":
            expired += 1
        elif target["state"] == "failed":
            failed += 1
        else:
            never += 1
            index = int(device.rsplit("-", 1)[1])
            if kill and index % 2 == kill["node"] - 1 and start >= kill["atMs"] - 1000:
                never_moved += 1
        sent = target.get("sentAtMs")
        route = target.get("route") or ""
        match = re.search(r":(\d+)$", route)
        if kill and sent and sent > kill["atMs"] and match and ports.get(match.group(1)) != kill["node"]:
            first_after_kill = sent if first_after_kill is None else min(first_after_kill, sent)

# hermesd's own account: its log's first "connected to" after the kill (timestamps are UTC).
log_failover = None
if kill:
    import datetime
    for line in open(os.path.join(work, "hermesd.log"), errors="replace"):
        match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+) info hermes\.upstream: connected to", line)
        if not match:
            continue
        at = datetime.datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
        at_ms = int(at.timestamp() * 1000)
        if at_ms > kill["atMs"]:
            log_failover = at_ms - kill["atMs"]
            break

f = fleet.get("fleet", {})
p = fleet.get("pushes", {})
r = f.get("reconnectMs", {})
rate = 100.0 * within / targets if targets else 0.0
rows = [
    ("devices", "%d on 2 nodes (at the end: %s)" % (f.get("devices", 0),
                                                   ", ".join("%s %d" % kv for kv in sorted(f.get("connectedPerBroker", {}).items())))),
    ("pushes sent", "%d (%s), %d refused or timed out" % (len(data["pushes"]),
                                                         ", ".join("%s %d" % (k, sum(1 for x in data["pushes"] if x["kind"] == k)) for k in ("id", "tag")),
                                                         len(data["errors"]))),
    ("targets", "%d (by id %d, by tag %d)" % (targets, by_kind.get("id", [0])[0], by_kind.get("tag", [0])[0])),
    ("receipted within TTL", "%d = %.2f %% (by id %.2f %%, by tag %.2f %%)" % (
        within, rate,
        100.0 * by_kind.get("id", [0, 0])[1] / max(1, by_kind.get("id", [0, 0])[0]),
        100.0 * by_kind.get("tag", [0, 0])[1] / max(1, by_kind.get("tag", [0, 0])[0]))),
    ("receipted late", str(late)),
    ("expired / failed", "%d / %d" % (expired, failed)),
    ("never receipted", "%d, of them %d to the killed node's devices after the kill (left at sent: published while the device had no subscription, or receipted while hermesd had none)" % (never, never_moved)),
    ("duplicates", "%d receipted as duplicate in the reports; %d dropped by devices" % (duplicates, p.get("duplicates", 0))),
    ("sequence numbers reused", str(reused)),
    ("node killed", "node %d at +%.1f s of pushing" % (kill["node"], (kill["atMs"] - data["startMs"]) / 1000.0) if kill else "none"),
    ("hermesd fail-over", "connected to the other node %s after the kill; first push sent through it %s after" % (
        "%.2f s" % (log_failover / 1000.0) if log_failover is not None else "never",
        "%.2f s" % ((first_after_kill - kill["atMs"]) / 1000.0) if kill and first_after_kill else "never")),
    ("device reconnects", "%d: p50 %d ms, p99 %d ms, max %d ms (min %d ms; loss to push subscription granted)" % (
        f.get("reconnects", 0), r.get("p50", 0), r.get("p99", 0), r.get("max", 0), r.get("min", 0))),
    ("device connections", "%d CONNACKs, %d attempts failed, %d lost after CONNACK (the kill, and any node closing them)" % (
        f.get("connects", 0), f.get("connectFailures", 0), f.get("connectionsLost", 0))),
    ("devices' subscription", "QoS %s; pushes QoS 1, TTL %d s" % (os.environ["PUSH_QOS"], ttl_ms // 1000)),
    ("load average", "%s before, %s after" % (os.environ["LOAD_BEFORE"], os.environ["LOAD_AFTER"])),
    ("verdict", "%s: arrival %s 99 %%, sequence numbers reused %d" % (
        "held" if rate >= 99.0 and reused == 0 else "did NOT hold", ">=" if rate >= 99.0 else "<", reused)),
]
print("==== scale-out fleet run ====")
for name, value in rows:
    print("%-26s%s" % (name, value))
PY
