#!/usr/bin/python3
"""Keep-alive enforcement, measured on the wire.

A raw socket sends CONNECT with Keep Alive 2 and then stays silent: the broker must close
it after 1.5 x 2 = 3 s [MQTT-3.1.2-24] (3.1.1 and 5.0; v5 may first send DISCONNECT 0x8D).
We time from the CONNACK to the socket's EOF and require 3.0 s +/- 0.2 s.

mosquitto_sub cannot show this (it pings, and refuses -k below 5), so it is the positive
control instead: with -k 5 it stays connected past 7.5 s because its PINGREQ resets the timer.
"""

import subprocess
import sys
import time

from hermesinterop import DISCONNECT, HOST, PINGRESP, Broker, RawClient, Suite, check, common_arguments

KNOWN_FAILURES = {
}

TOLERANCE = 0.2


def silent_client_closed_at_3s(hermesd, version):
    with Broker(hermesd) as b:
        r = RawClient(b.port, version, timeout=10)
        r.connect("silent", keepalive=2)
        start = time.monotonic()
        seen, closed = r.wait_closed(timeout=6)
        elapsed = time.monotonic() - start
        check(closed, "still connected 6 s after CONNACK with Keep Alive 2")
        check(abs(elapsed - 3.0) <= TOLERANCE, "closed after %.3f s, expected 3.0 +/- %.1f s" % (elapsed, TOLERANCE))
        if version == "mqttv5":
            check(len(seen) == 1 and seen[0].type == DISCONNECT and seen[0].reason == 0x8D,
                  "v5 expects DISCONNECT 0x8D (Keep alive timeout) before the close, got %r" % seen)
        else:
            check(seen == [], "3.x has no DISCONNECT from the server; got %r" % seen)
        print("      measured: closed %.3f s after CONNACK" % elapsed)


def last_packet_resets_timer(hermesd, version):
    """A PINGREQ at 2.0 s moves the deadline to 2.0 + 3.0 s."""
    with Broker(hermesd) as b:
        r = RawClient(b.port, version, timeout=10)
        r.connect("pinger", keepalive=2)
        start = time.monotonic()
        # Waiting is the subject here: the ping must come late, but inside 1.5 x T.
        _, closed = r.wait_closed(timeout=2.0)
        check(not closed, "closed before 1.5 x Keep Alive")
        ping_at = time.monotonic()
        r.pingreq()
        p = r.recv(1)
        check(p is not None and p.type == PINGRESP, "PINGREQ answered with %r [MQTT-3.12.4-1]" % p)
        _, closed = r.wait_closed(timeout=6)
        elapsed = time.monotonic() - ping_at
        check(closed, "never closed after the last PINGREQ")
        check(abs(elapsed - 3.0) <= TOLERANCE, "closed %.3f s after the last PINGREQ, expected 3.0 s" % elapsed)
        print("      measured: connected %.3f s in total, closed %.3f s after the PINGREQ"
              % (time.monotonic() - start, elapsed))


def keepalive_zero_never_times_out(hermesd):
    """Keep Alive 0 switches the mechanism off [MQTT-3.1.2-22 note]: silent for 4 s, still there."""
    with Broker(hermesd) as b:
        r = RawClient(b.port, "mqttv311", timeout=10)
        r.connect("forever", keepalive=0)
        _, closed = r.wait_closed(timeout=4)
        check(not closed, "Keep Alive 0 connection was closed")
        r.sync()
        r.disconnect()


def server_keep_alive_enforced(hermesd):
    """server_keepalive 2 overrides the client's 0 [MQTT-3.2.2-21] and is enforced."""
    with Broker(hermesd, config={"server_keepalive": 2}) as b:
        r = RawClient(b.port, "mqttv5", timeout=10)
        connack = r.connect("told", keepalive=0)
        check(connack.prop("ServerKeepAlive") == 2, "CONNACK %r lacks Server Keep Alive 2" % connack)
        start = time.monotonic()
        seen, closed = r.wait_closed(timeout=6)
        elapsed = time.monotonic() - start
        check(closed and abs(elapsed - 3.0) <= TOLERANCE,
              "closed=%s after %.3f s; the server's Keep Alive 2 means 3.0 s" % (closed, elapsed))


def mosquitto_sub_pings(hermesd):
    """mosquitto_sub refuses -k below 5, so: -k 5 for 9 s, 3.1.1 and 5.0 side by side. It must
    ping once (~5 s) and still be connected at 9 s, past the 7.5 s it would get unpinged."""
    with Broker(hermesd) as b:
        started = time.monotonic()
        procs = {v: subprocess.Popen(["mosquitto_sub", "-h", HOST, "-p", str(b.port), "-V", v, "-k", "5",
                                      "-t", "ka/none", "-W", "9", "-d"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE) for v in ("mqttv311", "mqttv5")}
        for version, proc in procs.items():
            out, err = proc.communicate(timeout=20)
            elapsed = time.monotonic() - started
            text = (out + err).decode()
            check(text.count("received PINGRESP") >= 1, "%s: no PINGRESP in 9 s: %r" % (version, text[-400:]))
            check("Timed out" in text and elapsed >= 8.5,
                  "%s: mosquitto_sub did not last until its -W 9 timeout (rc %d after %.1f s): %r"
                  % (version, proc.returncode, elapsed, text[-400:]))


def main():
    args = common_arguments("keep-alive enforcement in hermesd")
    suite = Suite("interop keepalive", args, KNOWN_FAILURES)
    for version in ("mqttv311", "mqttv5"):
        suite.run("keepalive/%s/silent_client_closed_at_1.5T" % version, silent_client_closed_at_3s,
                  args.hermesd, version)
    suite.run("keepalive/mqttv311/pingreq_resets_deadline", last_packet_resets_timer, args.hermesd, "mqttv311")
    suite.run("keepalive/mqttv311/zero_disables", keepalive_zero_never_times_out, args.hermesd)
    suite.run("keepalive/mqttv5/server_keep_alive_enforced", server_keep_alive_enforced, args.hermesd)
    suite.run("keepalive/mosquitto_sub_k5_pings_and_stays_connected", mosquitto_sub_pings, args.hermesd)
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
