#!/usr/bin/python3
"""Conformance cases for hermesd, ported from the Eclipse Paho interoperability tests
(eclipse/paho.mqtt.testing interoperability/client_test.py for 3.1.1 and client_test5.py for
5.0) to paho-mqtt 1.6 and a raw-socket client.

Differences from the originals, on purpose:
- every case gets its own hermesd (config per case, no clean-up phase, independent results);
- no sleeps to "let things settle": a case waits for the event it expects, and proves that
  something did NOT arrive with a round trip through the broker (PahoClient.sync /
  RawClient.sync) after the action that could have caused it;
- where paho 1.6 cannot do what the original's own client did (stop acknowledging, read
  each packet, stay silent past keep-alive) the case uses RawClient;
- the only waits on the clock are in cases whose subject is time (expiry, delay, keep-alive).

Usage: conformance.py --hermesd PATH --protocol mqttv311|mqttv5|mqttv31 [-k CASE]
"""

import struct
import sys
import time

from hermesinterop import (CONNACK, DISCONNECT, SUBACK, ConnectionClosed, PINGRESP, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL,
                           Broker, PacketTypes, NotApplicable, PahoClient, RawClient, SubscribeOptions, Suite,
                           check, common_arguments, let_time_pass, packet, utf8, v5props, wait_until)

TOPICS = ("TopicA", "TopicA/B", "Topic/C", "TopicA/C", "/TopicA")
WILDTOPICS = ("TopicA/+", "+/C", "#", "/#", "/+", "+/+", "TopicA/#")

# Cases that fail because of a broker bug: case name -> one-line diagnosis. The run reports
# them as XFAIL and still succeeds; if one passes it reports XPASS and the run fails, so
# remove the entry when the bug is fixed.
KNOWN_FAILURES = {
}


def main():
    args = common_arguments("Paho interoperability cases against hermesd", lambda parser: parser.add_argument(
        "--protocol", choices=["mqttv31", "mqttv311", "mqttv5"], default="mqttv311"))
    protocol = args.protocol
    c = Cases(args, protocol)
    mine = {case: why for case, why in KNOWN_FAILURES.items() if case.startswith(protocol + "/")}
    suite = Suite("conformance " + protocol, args, mine)
    for name in c.names():
        suite.run("%s/%s" % (protocol, name), getattr(c, "test_" + name))
    return suite.finish()


class Cases:
    COMMON = ["basic", "second_connect", "wrong_protocol_name", "retained_messages", "zero_length_clientid",
              "will_message", "will_not_sent_on_disconnect", "offline_message_queueing",
              "overlapping_subscriptions", "keepalive", "redelivery_on_reconnect", "redelivery_of_pubrel",
              "subscribe_failure", "dollar_topics", "unsubscribe", "take_over",
              # beyond the Paho originals
              "qos2_duplicate_not_redelivered", "take_over_publishes_will", "retained_qos_downgrade",
              "max_queued_messages", "max_inflight_messages", "sys_publish_refused", "unsupported_protocol_level",
              "client_id_longer_than_23", "inbound_qos2_resumed_across_connections",
              "resubscribe_replaces_subscription", "take_over_resumes_inflight", "pubrel_unknown_packet_id",
              "unsubscribe_shared", "topic_names_edge_cases", "malformed_filter_closes_connection"]
    V5 = ["session_expiry", "user_properties", "payload_format", "publication_expiry", "no_local",
          "retain_as_published", "retain_handling", "assigned_clientid", "subscription_identifiers",
          "request_response", "client_topic_alias", "server_topic_alias", "maximum_packet_size_server",
          "maximum_packet_size_client", "server_keep_alive", "flow_control_client_receive_maximum",
          "flow_control_server_receive_maximum", "will_delay", "will_delay_cancelled_by_reconnect",
          "will_delay_elapsed_before_resume",
          "shared_subscriptions",
          # beyond the Paho originals
          "disconnect_with_will_message", "will_properties_forwarded", "retained_message_expiry",
          "unsubscribe_reason_codes", "subscription_identifier_zero",
          "request_problem_information_zero", "connack_capabilities", "shared_subscription_no_local",
          "client_publish_with_subscription_identifier", "max_session_expiry_clamped",
          "expired_inflight_still_redelivered", "retained_too_large_for_client_dropped",
          "topic_alias_maximum_zero_config", "unsupported_authentication_method",
          "connect_properties_protocol_errors", "retained_carries_subscription_identifier",
          "resume_respects_new_receive_maximum", "will_delay_clean_start_ends_session",
          "disconnect_cannot_raise_zero_expiry"]

    def __init__(self, args, protocol):
        self.args = args
        self.protocol = protocol
        self.v5 = protocol == "mqttv5"
        # MQTT 3.1's CONNACK byte 1 is reserved: no Session Present flag to check.
        self.has_session_present = protocol != "mqttv31"

    def names(self):
        return self.COMMON + (self.V5 if self.v5 else [])

    # helpers ---------------------------------------------------------------------------
    def broker(self, **config):
        return Broker(self.args.hermesd, config=config)

    def paho(self, broker, client_id, clean=True):
        return PahoClient(broker.port, client_id, self.protocol, clean)

    def raw(self, broker):
        return RawClient(broker.port, self.protocol)

    def persistent_props(self, expiry=300):
        """v5 needs a Session Expiry Interval for a session to outlive the connection."""
        return v5props(PacketTypes.CONNECT, SessionExpiryInterval=expiry) if self.v5 else None

    def qos_set(self, messages):
        return sorted(m.qos for m in messages)

    # common cases ----------------------------------------------------------------------
    def test_basic(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.disconnect()
            a = self.paho(b, "myclientid")
            flags, rc, _ = a.connect()
            a.subscribe(TOPICS[0], 2)
            for qos in range(3):
                a.publish(TOPICS[0], b"qos %d" % qos, qos)
            messages = a.wait_messages(3)
            a.sync()
            check(len(a.messages) == 3, "expected 3 messages, got %r" % a.messages)
            check(self.qos_set(messages) == [0, 1, 2], "QoS of delivered messages %r" % messages)
            check([m.payload for m in messages] == [b"qos 0", b"qos 1", b"qos 2"], "payloads %r" % messages)
            a.disconnect()

    def test_second_connect(self):
        # [MQTT-3.1.0-2] a second CONNECT on one connection is a protocol violation: closed.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid")
            r.send(r.connect_bytes("myclientid"))
            seen, closed = r.wait_closed()
            check(closed, "connection still open after a second CONNECT; saw %r" % seen)
            check(all(p.type == DISCONNECT for p in seen), "unexpected packets before close: %r" % seen)
            if self.v5 and seen:
                check(seen[0].reason == 0x82, "DISCONNECT reason 0x%02x, expected 0x82" % seen[0].reason)

    def test_wrong_protocol_name(self):
        # [MQTT-3.1.2-1] wrong protocol name: the server MAY disconnect; it must not accept.
        with self.broker() as b:
            r = self.raw(b)
            level = {"mqttv31": 3, "mqttv311": 4, "mqttv5": 5}[self.protocol]
            body = utf8("hj") + bytes([level, 0x02]) + struct.pack("!H", 60)  # name, level, clean, keep-alive
            body += (b"\x00" if self.v5 else b"") + utf8("myclientid")      # v5 properties, client id
            r.send(packet(0x10, body))
            seen, closed = r.wait_closed()
            check(closed, "connection with protocol name 'hj' still open; saw %r" % seen)
            accepted = [p for p in seen if p.type == CONNACK and p.reason == 0]
            check(not accepted, "CONNECT with protocol name 'hj' was accepted: %r" % seen)
            b2 = self.paho(b, "myclientid")
            b2.connect()  # the broker is still serving
            b2.disconnect()

    def test_retained_messages(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            props = v5props(PacketTypes.PUBLISH, UserProperty=[("a", "2"), ("c", "3")]) if self.v5 else None
            for qos in range(3):
                a.publish(TOPICS[qos + 1], b"qos %d" % qos, qos, retain=True, properties=props)
            a.subscribe(WILDTOPICS[5], 2)
            messages = a.wait_messages(3)
            a.sync()
            check(len(a.messages) == 3, "expected 3 retained messages, got %r" % a.messages)
            check(all(m.retain for m in messages), "retained messages on subscribe need RETAIN=1 "
                  "[MQTT-3.3.1-8]: %r" % messages)
            check(self.qos_set(messages) == [0, 1, 2], "QoS %r" % messages)
            if self.v5:
                for m in messages:
                    check(m.prop("UserProperty") == [("a", "2"), ("c", "3")],
                          "user properties of a retained message %r [MQTT-3.3.2-17]" % m)
            a.disconnect()
            # clear them with zero-length retained payloads [MQTT-3.3.1-10]
            a = self.paho(b, "myclientid")
            a.connect()
            for qos in range(3):
                a.publish(TOPICS[qos + 1], b"", qos, retain=True)
            a.subscribe(WILDTOPICS[5], 2)
            a.sync()
            check(a.messages == [], "retained messages not cleared: %r" % a.messages)
            a.disconnect()

    def test_zero_length_clientid(self):
        with self.broker() as b:
            if self.protocol == "mqttv31":
                raise NotApplicable("MQTT 3.1 requires a 1-23 character client id; nothing to port")
            r = self.raw(b)
            if self.v5:
                # v5 lets the server accept an empty id with Clean Start 0 too (3.1.3.1); the
                # original does not assert that case either, so only Clean Start 1 is checked.
                connack = r.connect("", clean=True)
                check(connack.prop("AssignedClientIdentifier"), "no Assigned Client Identifier: %r" % connack)
                r.disconnect()
                return
            # [MQTT-3.1.3-8] empty id with CleanSession 0 -> CONNACK 0x02 and close.
            connack = r.connect("", clean=False, expect_reason=None)
            check(connack.reason == 0x02, "CONNACK %r, expected return code 0x02 [MQTT-3.1.3-8]" % connack)
            check(not connack.session_present, "session present on a refusal [MQTT-3.2.2-4]")
            _, closed = r.wait_closed()
            check(closed, "connection left open after CONNACK 0x02 [MQTT-3.2.2-5]")
            r = self.raw(b)
            r.connect("", clean=True)  # [MQTT-3.1.3-7] accepted with CleanSession 1
            r.disconnect()

    def test_will_message(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.will_set(TOPICS[2], b"client not disconnected", 0)
            a.connect(keepalive=2)
            c = self.paho(b, "myclientid2", clean=False)
            c.connect(properties=self.persistent_props())
            c.subscribe(TOPICS[2], 2)
            a.drop()  # network failure: the will goes out [MQTT-3.1.2-8]
            messages = c.wait_messages(1)
            c.sync()
            check(len(c.messages) == 1, "expected exactly one will message, got %r" % c.messages)
            check(messages[0].topic == TOPICS[2] and messages[0].payload == b"client not disconnected",
                  "will message %r" % messages[0])
            c.disconnect()

    def test_will_not_sent_on_disconnect(self):
        # [MQTT-3.1.2-10] the will is removed on a normal DISCONNECT.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[2], 2)
            a = self.paho(b, "myclientid")
            a.will_set(TOPICS[2], b"should not be sent", 1)
            a.connect()
            a.disconnect()
            c.sync()
            check(c.messages == [], "will published after a normal DISCONNECT: %r" % c.messages)
            c.disconnect()

    def test_offline_message_queueing(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid", clean=False)
            a.connect(clean_start=False, properties=self.persistent_props())
            a.subscribe(WILDTOPICS[5], 2)
            a.disconnect()
            p = self.paho(b, "myclientid2")
            p.connect()
            for qos in range(3):
                p.publish(TOPICS[qos + 1], b"qos %d" % qos, qos)
            p.sync()
            p.disconnect()
            a = self.paho(b, "myclientid", clean=False)
            flags, _, _ = a.connect(clean_start=False, properties=self.persistent_props())
            check(flags.get("session present") or not self.has_session_present,
                  "session not present on reconnect: %r" % flags)
            a.wait_messages(2)
            a.sync()
            check(len(a.messages) in (2, 3), "expected 2 or 3 queued messages, got %r" % a.messages)
            check(self.qos_set(a.messages)[-2:] == [1, 2], "QoS 1 and 2 must be queued: %r" % a.messages)
            print("      note: hermesd %s QoS 0 messages for offline clients"
                  % ("queues" if len(a.messages) == 3 else "does not queue"))
            a.disconnect()

    def test_overlapping_subscriptions(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe([(WILDTOPICS[6], 2), (WILDTOPICS[0], 1)])
            a.publish(TOPICS[3], b"overlapping topic filters", 2)
            a.wait_messages(1)
            a.sync()
            qos = self.qos_set(a.messages)
            check(qos in ([2], [1, 2]), "one message at QoS 2 or one per subscription (1 and 2) "
                  "[MQTT-3.3.5-1]; got %r" % a.messages)
            print("      note: hermesd sends %s" % ("one message for overlapping subscriptions" if qos == [2]
                                                     else "one message per matching subscription"))
            a.disconnect()

    def test_keepalive(self):
        # The original waits 15 s with keep-alive 5; keep-alive 2 shows the same in 3 s.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect(keepalive=0)
            c.subscribe(TOPICS[4], 2)
            a = self.raw(b)
            a.connect("myclientid", keepalive=2, will=(TOPICS[4], b"keepalive expiry", 0, False, None))
            start = time.monotonic()
            messages = c.wait_messages(1, timeout=6)
            elapsed = messages[0].time - start
            print("      measured: will of the silent client after %.2f s" % elapsed)
            check(messages[0].payload == b"keepalive expiry", "will %r" % messages[0])
            check(2.5 <= elapsed <= 3.6, "will after %.2f s; keep-alive 2 closes at 1.5 x 2 = 3 s "
                  "[MQTT-3.1.2-24]" % elapsed)
            seen, closed = a.wait_closed(1)
            check(closed, "silent client still connected after its will went out")
            if self.v5 and seen:
                check(seen[-1].type == DISCONNECT and seen[-1].reason == 0x8D,
                      "expected DISCONNECT 0x8D (keep alive timeout), got %r" % seen)
            c.disconnect()

    def test_redelivery_on_reconnect(self):
        # [MQTT-4.4.0-1] unacknowledged PUBLISH are resent with DUP=1 [MQTT-3.3.1-1] on resume.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid2", clean=False, properties=self.persistent_props())
            r.subscribe(1, [(WILDTOPICS[6], 2)])
            r.publish(TOPICS[1], b"", qos=1, pid=2)
            r.publish(TOPICS[3], b"", qos=2, pid=3)
            # Complete our own flows, but leave the broker's PUBLISHes unacknowledged.
            got = []
            def step(seen):
                for p in seen[len(got):]:
                    got.append(p)
                    if p.type == PUBREC:
                        r.ack(PUBREL, p.pid)
                return (any(p.type == PUBACK for p in got) and any(p.type == PUBCOMP for p in got)
                        and len([p for p in got if p.type == PUBLISH]) == 2)
            r.pump(step, auto_ack=False, what="PUBACK, PUBCOMP and two PUBLISH")
            first = {p.qos: p for p in r.publishes()}
            check(sorted(first) == [1, 2], "first deliveries %r" % r.publishes())
            r.disconnect()
            r.close()
            r = self.raw(b)
            connack = r.connect("myclientid2", clean=False, properties=self.persistent_props())
            check(connack.session_present or not self.has_session_present, "session not present on reconnect")
            r.pump(lambda seen: len([p for p in seen if p.type == PUBLISH]) >= 2, auto_ack=False,
                   what="two redelivered PUBLISH")
            r.sync(auto_ack=False)
            again = r.publishes()
            check(len(again) == 2, "expected the 2 unacknowledged messages again, got %r" % again)
            for p in again:
                check(p.dup, "redelivered PUBLISH without DUP=1 [MQTT-3.3.1-1]: %r" % p)
                check(p.qos in first and first[p.qos].pid == p.pid and first[p.qos].topic == p.topic,
                      "redelivered %r does not match first delivery %r" % (p, first.get(p.qos)))
            # now finish both flows and make sure nothing else comes
            r.seen.clear()
            for p in again:
                r.ack(PUBACK if p.qos == 1 else PUBREC, p.pid)
            r.pump(lambda seen: any(p.type == PUBREL for p in seen), what="PUBREL")
            r.sync()
            check(not r.publishes(), "messages after completion: %r" % r.seen)
            r.disconnect()

    def test_redelivery_of_pubrel(self):
        # [MQTT-4.4.0-1] a QoS 2 flow that reached PUBREL resumes with PUBREL, not PUBLISH.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid2", clean=False, properties=self.persistent_props())
            r.subscribe(1, [(TOPICS[0], 2)])
            p = self.paho(b, "myclientid")
            p.connect()
            p.publish(TOPICS[0], b"exactly once", 2)
            publish = r.pump(lambda seen: seen, auto_ack=False, what="PUBLISH")[0]
            check(publish.type == PUBLISH and publish.qos == 2, "got %r" % publish)
            r.ack(PUBREC, publish.pid)
            r.pump(lambda seen: len(seen) >= 2, auto_ack=False, what="PUBREL")
            check(r.seen[1].type == PUBREL and r.seen[1].pid == publish.pid, "got %r" % r.seen)
            r.close()  # no PUBCOMP
            r = self.raw(b)
            r.connect("myclientid2", clean=False, properties=self.persistent_props())
            r.pump(lambda seen: seen, auto_ack=False, what="PUBREL again")
            r.sync(auto_ack=False)
            check([q.type for q in r.seen if q.type != PINGRESP] == [PUBREL] and r.seen[0].pid == publish.pid,
                  "expected only PUBREL pid=%d on resume, got %r" % (publish.pid, r.seen))
            r.ack(PUBCOMP, publish.pid)
            r.seen.clear()
            r.sync()
            check(not r.publishes(), "message delivered twice: %r" % r.seen)
            r.disconnect()
            p.disconnect()

    def test_subscribe_failure(self):
        raise NotApplicable("needs a broker-side 'nosubscribe' topic filter (ACL); hermesd has no such configuration")

    def test_dollar_topics(self):
        # [MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with $.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect(keepalive=0)
            c.subscribe([(WILDTOPICS[5], 2), (WILDTOPICS[2], 2)])
            c.clear()
            c.publish("$" + TOPICS[1], b"", 1)
            c.sync()
            check(c.messages == [], "'+/+' or '#' matched a $ topic: %r" % c.messages)
            # positive control: an explicit $ filter does get it
            c.subscribe("$TopicA/+", 1)
            c.publish("$" + TOPICS[1], b"control", 1)
            c.wait_messages(1)
            check(c.messages[0].topic == "$" + TOPICS[1], "control message %r" % c.messages)
            c.disconnect()

    def test_unsubscribe(self):
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            for t in TOPICS[:3]:
                c.subscribe(t, 2)
            c.unsubscribe(TOPICS[0])
            a = self.paho(b, "myclientid")
            a.connect()
            a.publish(TOPICS[0], b"topic 0 - unsubscribed", 1)
            a.publish(TOPICS[1], b"topic 1", 1)
            a.publish(TOPICS[2], b"topic 2", 1)
            c.wait_messages(2)
            c.sync()
            check([m.topic for m in c.messages] == [TOPICS[1], TOPICS[2]], "messages %r" % c.messages)
            a.disconnect()
            c.disconnect()

    def test_take_over(self):
        # [MQTT-3.1.4-3] a second connection with the same client id closes the first
        # (v5: DISCONNECT 0x8E Session taken over first).
        with self.broker() as b:
            first = self.raw(b)
            first.connect("myclientid")
            second = self.raw(b)
            second.connect("myclientid")
            seen, closed = first.wait_closed()
            check(closed, "first connection still open after take-over")
            if self.v5:
                check(seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x8E,
                      "expected DISCONNECT 0x8E, got %r" % seen)
            second.sync()
            second.disconnect()

    # v5 cases ---------------------------------------------------------------------------
    def test_session_expiry(self):
        with self.broker() as b:
            def connect(clean, expiry):
                a = self.paho(b, "myclientid")
                flags, _, _ = a.connect(clean_start=clean, properties=v5props(PacketTypes.CONNECT,
                                                                             SessionExpiryInterval=expiry))
                return a, bool(flags.get("session present"))

            a, present = connect(True, 0)
            a.subscribe(TOPICS[0], 2)
            a.disconnect()
            a, present = connect(False, 0)
            check(not present, "expiry 0: the session must end with the connection [MQTT-3.1.2-23]")
            a.disconnect()

            a, present = connect(True, 2)
            a.subscribe(TOPICS[0], 2)
            a.disconnect()
            a, present = connect(False, 2)
            check(present, "expiry 2: session gone on immediate reconnect")
            a.disconnect()
            let_time_pass(3)
            a, present = connect(False, 2)
            check(not present, "expiry 2: session still present after 3 s")
            a.disconnect()

            a, present = connect(True, 1)
            a.subscribe(TOPICS[0], 2)
            a.disconnect(properties=v5props(PacketTypes.DISCONNECT, SessionExpiryInterval=4))
            let_time_pass(2)
            a, present = connect(False, 1)
            check(present, "DISCONNECT raised the expiry to 4 s but the session was gone after 2 s")
            a.disconnect(properties=v5props(PacketTypes.DISCONNECT, SessionExpiryInterval=0))
            a, present = connect(False, 1)
            check(not present, "DISCONNECT set expiry 0 but the session survived")
            a.disconnect()

    def _three_with(self, props):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe(TOPICS[0], 2)
            for qos in range(3):
                a.publish(TOPICS[0], b"", qos, properties=props)
            messages = a.wait_messages(3)
            a.sync()
            check(len(a.messages) == 3, "expected 3 messages, got %r" % a.messages)
            check(self.qos_set(messages) == [0, 1, 2], "QoS %r" % messages)
            a.disconnect()
            return messages

    def test_user_properties(self):
        # [MQTT-3.3.2-17] user properties forwarded unchanged, [MQTT-3.3.2-18] in order.
        for m in self._three_with(v5props(PacketTypes.PUBLISH, UserProperty=[("a", "2"), ("c", "3")])):
            check(m.prop("UserProperty") == [("a", "2"), ("c", "3")], "user properties of %r" % m)

    def test_payload_format(self):
        # [MQTT-3.3.2-4] payload format indicator and [MQTT-3.3.2-20] content type unaltered.
        for m in self._three_with(v5props(PacketTypes.PUBLISH, PayloadFormatIndicator=1, ContentType="My name")):
            check(m.prop("PayloadFormatIndicator") == 1 and m.prop("ContentType") == "My name",
                  "properties of %r" % m)

    def test_publication_expiry(self):
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect(properties=self.persistent_props(99999))
            c.subscribe(TOPICS[0], 2)
            c.disconnect(properties=v5props(PacketTypes.DISCONNECT, SessionExpiryInterval=999999))
            a = self.paho(b, "myclientid")
            a.connect()
            short = v5props(PacketTypes.PUBLISH, MessageExpiryInterval=1)
            long_ = v5props(PacketTypes.PUBLISH, MessageExpiryInterval=6)
            a.publish(TOPICS[0], b"qos 1 - expire", 1, properties=short)
            a.publish(TOPICS[0], b"qos 2 - expire", 2, properties=short)
            a.publish(TOPICS[0], b"qos 1 - don't expire", 1, properties=long_)
            a.publish(TOPICS[0], b"qos 2 - don't expire", 2, properties=long_)
            let_time_pass(2.5)
            c = self.paho(b, "myclientid2", clean=False)
            c.connect(clean_start=False, properties=self.persistent_props(99999))
            c.wait_messages(2)
            c.sync()
            payloads = [m.payload for m in c.messages]
            check(payloads == [b"qos 1 - don't expire", b"qos 2 - don't expire"],
                  "expired messages must not be delivered [MQTT-3.3.2-5]; got %r" % c.messages)
            for m in c.messages:
                left = m.prop("MessageExpiryInterval")
                check(left is not None and 3 <= left <= 4, "forwarded expiry %r after 2.5 s of 6: must be "
                      "reduced by the time waited [MQTT-3.3.2-6]" % left)
            a.disconnect()
            c.disconnect()

    def test_no_local(self):
        # [MQTT-3.8.3-3] No Local: not sent back to the publishing connection.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            c = self.paho(b, "myclientid2")
            c.connect()
            a.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, noLocal=True))
            c.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, noLocal=True))
            a.publish(TOPICS[0], b"noLocal test", 1)
            c.wait_messages(1)
            a.sync()
            check(a.messages == [], "No Local subscriber got its own message: %r" % a.messages)
            a.disconnect()
            c.disconnect()

    def test_retain_as_published(self):
        # [MQTT-3.3.1-12] without RAP the forwarded RETAIN is 0; [MQTT-3.3.1-13] with RAP as published.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, retainAsPublished=True))
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[0], 2)
            a.publish(TOPICS[0], b"retain as published false", 1)
            a.publish(TOPICS[0], b"retain as published true", 1, retain=True)
            a.wait_messages(2)
            c.wait_messages(2)
            check([m.retain for m in a.messages] == [False, True], "RAP subscriber saw %r" % a.messages)
            check([m.retain for m in c.messages] == [False, False], "plain subscriber saw %r" % c.messages)
            a.publish(TOPICS[0], b"", 0, retain=True)
            a.disconnect()
            c.disconnect()

    def test_retain_handling(self):
        # [MQTT-3.3.1-9] 0: send on subscribe; [MQTT-3.3.1-10] 1: only if new; [MQTT-3.3.1-11] 2: never.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            for qos in range(3):
                a.publish(TOPICS[qos + 1], b"qos %d" % qos, qos, retain=True)
            sub = lambda rh: a.subscribe(WILDTOPICS[5], options=SubscribeOptions(qos=2, retainHandling=rh))
            sub(1)
            a.wait_messages(3)
            a.sync()
            check(len(a.messages) == 3 and self.qos_set(a.messages) == [0, 1, 2], "rh=1 new: %r" % a.messages)
            a.clear()
            sub(1)
            a.sync()
            check(a.messages == [], "rh=1 on an existing subscription sent %r" % a.messages)
            a.disconnect()

            a = self.paho(b, "myclientid")
            a.connect()
            sub(2)
            a.sync()
            sub(2)
            a.sync()
            check(a.messages == [], "rh=2 sent %r" % a.messages)
            a.disconnect()

            a = self.paho(b, "myclientid")
            a.connect()
            sub(0)
            a.wait_messages(3)
            a.sync()
            check(len(a.messages) == 3, "rh=0 first: %r" % a.messages)
            a.clear()
            sub(0)
            a.wait_messages(3)
            a.sync()
            check(len(a.messages) == 3 and self.qos_set(a.messages) == [0, 1, 2], "rh=0 again: %r" % a.messages)
            a.disconnect()

    def test_assigned_clientid(self):
        with self.broker() as b:
            a = self.paho(b, "")
            _, _, props = a.connect()
            assigned = getattr(props, "AssignedClientIdentifier", "")
            check(assigned, "no Assigned Client Identifier in CONNACK [MQTT-3.2.2-16]: %s" % props)
            a.disconnect()

    def test_subscription_identifiers(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe(TOPICS[0], 2, properties=v5props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=456789))
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[0], 2, properties=v5props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=2))
            c.subscribe(TOPICS[0] + "/#", 2, properties=v5props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=3))
            c.publish(TOPICS[0], b"sub identifier test", 1)
            a.wait_messages(1)
            check(a.messages[0].prop("SubscriptionIdentifier") == [456789],
                  "[MQTT-3.3.4-3] identifiers %r" % a.messages[0].prop("SubscriptionIdentifier"))
            c.wait_messages(1)
            c.sync()
            ids = [m.prop("SubscriptionIdentifier") for m in c.messages]
            if len(c.messages) == 1:
                check(sorted(ids[0] or []) == [2, 3], "one copy must carry both ids [MQTT-3.3.4-4]: %r" % ids)
            else:
                check(sorted(ids) == [[2], [3]], "one copy per subscription, each with its id "
                      "[MQTT-3.3.4-5]: %r" % ids)
            a.disconnect()
            c.disconnect()

    def test_request_response(self):
        # [MQTT-3.3.2-15] Response Topic and [MQTT-3.3.2-16] Correlation Data forwarded unaltered.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            c = self.paho(b, "myclientid2")
            c.connect()
            a.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, noLocal=True))
            c.subscribe(TOPICS[0], options=SubscribeOptions(qos=2, noLocal=True))
            a.publish(TOPICS[0], b"request", 1,
                      properties=v5props(PacketTypes.PUBLISH, ResponseTopic=TOPICS[0], CorrelationData=b"334"))
            request = c.wait_messages(1)[0]
            check(request.prop("ResponseTopic") == TOPICS[0] and request.prop("CorrelationData") == b"334",
                  "request properties %s" % request.properties)
            c.publish(request.prop("ResponseTopic"), b"response", 1,
                      properties=v5props(PacketTypes.PUBLISH, CorrelationData=request.prop("CorrelationData")))
            response = a.wait_messages(1)[0]
            check(response.payload == b"response" and response.prop("CorrelationData") == b"334",
                  "response %r" % response)
            a.disconnect()
            c.disconnect()

    def test_client_topic_alias(self):
        with self.broker() as b:
            r = self.raw(b)
            connack = r.connect("myclientid")
            maximum = connack.prop("TopicAliasMaximum", 0)
            # paho refuses to encode alias 0: properties length 3, Topic Alias (0x23) = 0
            r.publish(TOPICS[0], b"topic alias 0", 1, pid=1, properties=b"\x03\x23\x00\x00")
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x94,
                  "alias 0 needs DISCONNECT 0x94 [MQTT-3.3.2-8]; got %r closed=%s" % (seen, closed))
            if maximum == 0:
                raise NotApplicable("hermesd announces Topic Alias Maximum 0: aliases from clients not accepted")

            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=self.persistent_props())
            r.subscribe(1, [(TOPICS[0], 2)])
            alias1 = v5props(PacketTypes.PUBLISH, TopicAlias=1)
            r.publish(TOPICS[0], b"topic alias 1", 1, pid=2, properties=alias1)
            r.publish("", b"topic alias 2", 1, pid=3, properties=alias1)
            r.pump(lambda seen: len([p for p in seen if p.type == PUBLISH]) == 2, what="two PUBLISH")
            r.sync()
            pubs = r.publishes()
            check([(p.topic, p.payload) for p in pubs] == [(TOPICS[0], b"topic alias 1"), (TOPICS[0], b"topic alias 2")],
                  "aliased publishes delivered as %r" % pubs)
            check(all(p.prop("TopicAlias") is None for p in pubs),
                  "alias sent to a client with Topic Alias Maximum 0 [MQTT-3.1.2-26]: %r" % pubs)
            r.publish(TOPICS[0], b"too high", 1, pid=4, properties=v5props(PacketTypes.PUBLISH, TopicAlias=maximum + 1))
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x94,
                  "alias above maximum %d needs DISCONNECT 0x94 [MQTT-3.3.2-9]; got %r" % (maximum, seen))

            # aliases do not survive the connection [MQTT-3.3.2-7]
            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=self.persistent_props())
            r.publish(TOPICS[0], b"topic alias 3", 1, pid=5)
            r.pump(lambda seen: len([p for p in seen if p.type == PUBLISH]) == 1, what="PUBLISH")
            r.publish("", b"topic alias 4", 1, pid=6, properties=alias1)
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason in (0x82, 0x94),
                  "unknown alias with empty topic needs DISCONNECT 0x82/0x94; got %r" % seen)

    def test_server_topic_alias(self):
        with self.broker() as b:
            for client_maximum in (1, None, 0):
                r = self.raw(b)
                props = v5props(PacketTypes.CONNECT, TopicAliasMaximum=client_maximum) \
                    if client_maximum is not None else None
                r.connect("myclientid", properties=props)
                r.subscribe(1, [(TOPICS[0], 2)])
                for qos in range(3):
                    r.publish(TOPICS[0], b"topic alias 1", qos, pid=10 + qos)
                r.pump(lambda seen: len([p for p in seen if p.type == PUBLISH]) == 3, what="3 PUBLISH")
                r.sync()
                pubs = r.publishes()
                aliases = [p.prop("TopicAlias") for p in pubs]
                if not client_maximum:
                    check(aliases == [None] * 3 and all(p.topic == TOPICS[0] for p in pubs),
                          "Topic Alias Maximum %s: no aliases allowed [MQTT-3.1.2-26/27]; got %r"
                          % (client_maximum, pubs))
                elif aliases == [None] * 3:
                    print("      note: hermesd does not assign outbound topic aliases (a server MAY; "
                          "the Paho original requires it)")
                else:
                    check(all(a is not None and 1 <= a <= client_maximum for a in aliases),
                          "aliases %r outside 1..%d [MQTT-3.1.2-26]" % (aliases, client_maximum))
                    check(pubs[0].topic == TOPICS[0] and all(p.topic in ("", TOPICS[0]) for p in pubs[1:]),
                          "aliased topics %r" % pubs)
                r.disconnect()

    def test_maximum_packet_size_server(self):
        with self.broker(max_packet_size=1000) as b:
            r = self.raw(b)
            connack = r.connect("myclientid")
            check(connack.prop("MaximumPacketSize") == 1000, "CONNACK Maximum Packet Size %r, configured 1000"
                  % connack.prop("MaximumPacketSize"))
            r.publish(TOPICS[0], b"." * 1000, 0)
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x95,
                  "oversized PUBLISH needs DISCONNECT 0x95 [MQTT-3.2.2-?, 4.13]; got %r closed=%s" % (seen, closed))
            c = self.paho(b, "myclientid2")
            c.connect()
            c.disconnect()

    def test_maximum_packet_size_client(self):
        # [MQTT-3.1.2-24] never send a packet above the client's Maximum Packet Size;
        # [MQTT-3.1.2-25] such a message is discarded as if delivered.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid", properties=v5props(PacketTypes.CONNECT, MaximumPacketSize=64))
            r.subscribe(1, [(TOPICS[0], 2)])
            r.publish(TOPICS[0], b"." * 32, 0)
            r.pump(lambda seen: r.publishes(), what="the small message")
            r.publish(TOPICS[0], b"." * 64, 1, pid=2)
            r.pump(lambda seen: any(p.type == PUBACK for p in seen), what="PUBACK")
            r.publish(TOPICS[0], b"small again", 1, pid=3)
            r.pump(lambda seen: len(r.publishes()) >= 2, what="the next small message")
            r.sync()
            sizes = [len(p.body) + 2 for p in r.publishes()]
            check([p.payload for p in r.publishes()] == [b"." * 32, b"small again"],
                  "expected the 2 small messages only, got %r" % r.publishes())
            check(max(sizes) <= 64, "packet sizes %r above 64" % sizes)
            r.disconnect()

    def test_server_keep_alive(self):
        with self.broker(server_keepalive=60) as b:
            a = self.paho(b, "myclientid")
            _, _, props = a.connect(keepalive=120)
            check(getattr(props, "ServerKeepAlive", None) == 60,
                  "CONNACK Server Keep Alive %s, configured 60 [MQTT-3.2.2-21]" % props)
            a.disconnect()

    def test_flow_control_client_receive_maximum(self):
        # [MQTT-3.3.4-7] no more unacknowledged QoS>0 PUBLISH than the client's Receive Maximum.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid", properties=v5props(PacketTypes.CONNECT, ReceiveMaximum=2, SessionExpiryInterval=0))
            r.subscribe(1, [(TOPICS[0], 2)])
            for pid in (1, 2, 3):
                r.publish(TOPICS[0], b"message %d" % pid, 1, pid=pid)
            r.pump(lambda seen: len([p for p in seen if p.type == PUBACK]) == 3, auto_ack=False, what="3 PUBACK")
            r.sync(auto_ack=False)
            pubs = r.publishes()
            check(len(pubs) == 2, "with Receive Maximum 2 and nothing acknowledged, expected 2 PUBLISH, got %r" % pubs)
            r.ack(PUBACK, pubs[0].pid)
            r.pump(lambda seen: len(r.publishes()) == 3, auto_ack=False, what="the third PUBLISH after one PUBACK")
            r.sync(auto_ack=False)
            check(len(r.publishes()) == 3, "PUBLISH count %r" % r.publishes())
            for p in r.publishes()[1:]:
                r.ack(PUBACK, p.pid)
            r.disconnect()

    def test_flow_control_server_receive_maximum(self):
        # [MQTT-3.3.4-9] more unacknowledged QoS>0 PUBLISH than our Receive Maximum: 0x93.
        with self.broker(receive_maximum=3) as b:
            r = self.raw(b)
            connack = r.connect("myclientid")
            check(connack.prop("ReceiveMaximum") == 3, "CONNACK Receive Maximum %r, configured 3"
                  % connack.prop("ReceiveMaximum"))
            for pid in range(1, 4):
                r.publish(TOPICS[0], b"message %d" % pid, 2, pid=pid)  # never PUBREL
            # three unreleased QoS 2 messages are within the quota: all get PUBREC
            r.pump(lambda seen: len([p for p in seen if p.type == PUBREC]) == 3, auto_ack=False, what="3 PUBREC")
            r.sync(auto_ack=False)
            r.publish(TOPICS[0], b"message 4", 2, pid=4)
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x93,
                  "expected DISCONNECT 0x93 for a 4th unreleased QoS 2 PUBLISH; got %r" % seen)
            # the Paho original's burst: four at once on a fresh connection
            r = self.raw(b)
            r.connect("myclientid")
            r.send(b"".join(self._qos2_publish(pid) for pid in range(1, 5)))
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x93,
                  "burst of 4: expected DISCONNECT 0x93, got %r" % seen)

    def _qos2_publish(self, pid):
        # PUBLISH QoS 2, topic "TopicA", packet id, empty properties, payload "burst"
        return packet(0x34, utf8(TOPICS[0]) + struct.pack("!H", pid) + b"\x00" + b"burst")

    def _will_after(self, b, will_delay, session_expiry):
        """Connects a raw client with a delayed will, drops it, returns seconds until the will."""
        c = self.paho(b, "myclientid2")
        c.connect()
        c.subscribe(TOPICS[0], 2)
        r = self.raw(b)
        r.connect("myclientid", properties=v5props(PacketTypes.CONNECT, SessionExpiryInterval=session_expiry),
                  will=(TOPICS[0], b"test_will_delay will message", 0, False,
                        v5props(PacketTypes.WILLMESSAGE, WillDelayInterval=will_delay)))
        r.sync()
        start = time.monotonic()
        r.close()
        message = c.wait_messages(1, timeout=will_delay + 3)[0]
        check(message.payload == b"test_will_delay will message", "will %r" % message)
        c.disconnect()
        return message.time - start

    def test_will_delay(self):
        # [MQTT-3.1.3-9] the will goes out after min(Will Delay, Session Expiry).
        with self.broker() as b:
            for delay, expiry, expected in ((3, 5, 3.0), (5, 0, 0.0), (5, 2, 2.0)):
                elapsed = self._will_after(b, delay, expiry)
                print("      measured: will delay %d, session expiry %d -> will after %.2f s" % (delay, expiry, elapsed))
                check(expected - 0.1 <= elapsed <= expected + 0.6,
                      "will delay %d, session expiry %d: will after %.2f s, expected %.1f s"
                      % (delay, expiry, elapsed, expected))

    def _resume_after(self, b, seconds, payload):
        """A client with Will Delay 2 s and session expiry 10 s drops and resumes its session
        after `seconds`; returns the watcher subscribed to the will's topic and the client."""
        c = self.paho(b, "myclientid2")
        c.connect()
        c.subscribe(TOPICS[0], 2)
        r = self.raw(b)
        r.connect("myclientid", properties=self.persistent_props(10),
                  will=(TOPICS[0], payload, 0, False, v5props(PacketTypes.WILLMESSAGE, WillDelayInterval=2)))
        r.close()
        let_time_pass(seconds)
        r = self.raw(b)
        connack = r.connect("myclientid", clean=False, properties=self.persistent_props(10))
        check(connack.session_present, "session lost on reconnect")
        return c, r

    def test_will_delay_cancelled_by_reconnect(self):
        # [MQTT-3.1.3-9] reconnecting before the delay ends means no will.
        with self.broker() as b:
            c, r = self._resume_after(b, 0, b"should not be sent")
            let_time_pass(2.5)
            c.sync()
            check(c.messages == [], "will published although the client came back: %r" % c.messages)
            r.disconnect()
            c.disconnect()

    def test_will_delay_elapsed_before_resume(self):
        # [MQTT-3.1.2-8] [MQTT-3.1.3-9] back after 2.05 s: the delay is over, so the will is
        # published even though the session resumes.
        with self.broker() as b:
            c, r = self._resume_after(b, 2.05, b"due before the resume")
            message = c.wait_messages(1)[0]
            check(message.payload == b"due before the resume", "will %r" % message)
            r.disconnect()
            c.disconnect()

    def test_shared_subscriptions(self):
        with self.broker() as b:
            shared_sub, shared_pub = "$share/sharename/x", "x"
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe([(shared_sub, 2), (TOPICS[0], 2)])
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe([(shared_sub, 2), (TOPICS[0], 2)])
            c.publish(TOPICS[0], b"message 0", 0)
            a.wait_messages(1)
            c.wait_messages(1)
            a.clear()
            c.clear()
            count = 10
            for i in range(count):
                c.publish(shared_pub, b"message %d" % i, 1)
            wait_until(lambda: len(a.messages) + len(c.messages) >= count)
            a.sync()
            c.sync()
            got = sorted(m.payload for m in a.messages + c.messages)
            check(got == sorted(b"message %d" % i for i in range(count)),
                  "each shared message exactly once [MQTT-4.8.2-?]; got %r / %r" % (a.messages, c.messages))
            print("      note: shared group split %d/%d" % (len(a.messages), len(c.messages)))
            a.disconnect()
            c.disconnect()

    # Beyond the Paho originals ---------------------------------------------------------
    def test_qos2_duplicate_not_redelivered(self):
        # [MQTT-4.3.3-10] method B: a resent QoS 2 PUBLISH (DUP=1, same id) before PUBREL is
        # acknowledged again but not delivered again.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[0], 2)
            r = self.raw(b)
            r.connect("myclientid")
            r.publish(TOPICS[0], b"once", 2, pid=7)
            first = r.expect(PUBREC)
            r.publish(TOPICS[0], b"once", 2, pid=7, dup=True)
            second = r.expect(PUBREC)
            check(first.pid == second.pid == 7, "PUBREC ids %r %r" % (first, second))
            r.ack(PUBREL, 7)
            r.expect(PUBCOMP)
            c.wait_messages(1)
            c.sync()
            check(len(c.messages) == 1, "QoS 2 message delivered %d times" % len(c.messages))
            r.disconnect()
            c.disconnect()

    def test_take_over_publishes_will(self):
        # v5 3.1.4 after [MQTT-3.1.4-3]: the existing client's will is published (no delay
        # here); 3.1.1: the old connection ends without DISCONNECT, so its will goes out.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[2], 2)
            first = self.raw(b)
            first.connect("myclientid", will=(TOPICS[2], b"taken over", 1, False, None))
            second = self.raw(b)
            second.connect("myclientid")
            m = c.wait_messages(1)[0]
            check(m.payload == b"taken over", "will %r" % m)
            second.disconnect()
            c.disconnect()

    def test_retained_qos_downgrade(self):
        # a retained message goes out at min(its QoS, the subscription's) [MQTT-3.8.4-8]
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.publish(TOPICS[0], b"retained at 2", 2, retain=True)
            for granted in (0, 1, 2):
                c = self.paho(b, "sub%d" % granted)
                c.connect()
                c.subscribe(TOPICS[0], granted)
                m = c.wait_messages(1)[0]
                check(m.qos == granted and m.retain, "subscription QoS %d got %r" % (granted, m))
                c.disconnect()
            a.disconnect()

    def test_max_queued_messages(self):
        with self.broker(max_queued_messages=2) as b:
            c = self.paho(b, "myclientid2", clean=False)
            c.connect(properties=self.persistent_props())
            c.subscribe(TOPICS[0], 1)
            c.disconnect()
            a = self.paho(b, "myclientid")
            a.connect()
            for i in range(4):
                a.publish(TOPICS[0], b"queued %d" % i, 1)
            c = self.paho(b, "myclientid2", clean=False)
            c.connect(properties=self.persistent_props())
            c.wait_messages(2)
            c.sync()
            check(len(c.messages) == 2, "max_queued_messages 2 but %d delivered: %r" % (len(c.messages), c.messages))
            a.disconnect()
            c.disconnect()

    def test_max_inflight_messages(self):
        with self.broker(max_inflight_messages=2) as b:
            r = self.raw(b)
            r.connect("myclientid2")
            r.subscribe(1, [(TOPICS[0], 1)])
            a = self.paho(b, "myclientid")
            a.connect()
            for i in range(4):
                a.publish(TOPICS[0], b"m%d" % i, 1)
            r.pump(lambda seen: len(r.publishes()) >= 2, auto_ack=False, what="2 PUBLISH")
            r.sync(auto_ack=False)
            check(len(r.publishes()) == 2, "max_inflight_messages 2 but %d unacknowledged PUBLISH" % len(r.publishes()))
            r.ack(PUBACK, r.publishes()[0].pid)
            r.pump(lambda seen: len(r.publishes()) >= 3, auto_ack=False, what="the third PUBLISH")
            r.sync(auto_ack=False)
            check([p.payload for p in r.publishes()] == [b"m0", b"m1", b"m2"], "window: %r" % r.publishes())
            a.disconnect()
            r.disconnect()

    def test_sys_publish_refused(self):
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe("$SYS/test/#", 1)
            r = self.raw(b)
            r.connect("myclientid")
            r.publish("$SYS/test/forged", b"forged", 1, pid=1)
            ack = r.expect(PUBACK)
            if self.v5:
                check(ack.reason == 0x87, "PUBACK 0x%02x for a client write to $SYS, expected 0x87" % ack.reason)
            c.sync()
            check(c.messages == [], "a client wrote the $SYS tree: %r" % c.messages)
            r.disconnect()
            c.disconnect()

    def test_disconnect_with_will_message(self):
        # v5 3.14.2.1 reason 0x04: disconnect normally but publish the will.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[2], 2)
            r = self.raw(b)
            r.connect("myclientid", will=(TOPICS[2], b"asked for", 0, False, None))
            r.disconnect(reason=0x04)
            m = c.wait_messages(1)[0]
            check(m.payload == b"asked for", "will %r" % m)
            c.disconnect()

    def test_will_properties_forwarded(self):
        # [MQTT-3.1.3-?] 3.1.3.2: the will's properties are sent with it (Will Delay aside).
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[2], 2)
            r = self.raw(b)
            props = v5props(PacketTypes.WILLMESSAGE, ContentType="text/plain", PayloadFormatIndicator=1,
                            ResponseTopic="reply/here", CorrelationData=b"abc", UserProperty=[("k", "v")],
                            MessageExpiryInterval=60)
            r.connect("myclientid", will=(TOPICS[2], b"with props", 1, False, props))
            r.close()
            m = c.wait_messages(1)[0]
            got = (m.prop("ContentType"), m.prop("PayloadFormatIndicator"), m.prop("ResponseTopic"),
                   m.prop("CorrelationData"), m.prop("UserProperty"))
            check(got == ("text/plain", 1, "reply/here", b"abc", [("k", "v")]), "will properties %s" % m.properties)
            check(m.prop("MessageExpiryInterval") in (59, 60), "will expiry %r" % m.prop("MessageExpiryInterval"))
            c.disconnect()

    def test_retained_message_expiry(self):
        # [MQTT-3.3.2-5] an expired retained message is not sent to new subscribers;
        # [MQTT-3.3.2-6] a live one carries the time it has left.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.publish(TOPICS[1], b"short", 1, retain=True, properties=v5props(PacketTypes.PUBLISH, MessageExpiryInterval=1))
            a.publish(TOPICS[2], b"long", 1, retain=True, properties=v5props(PacketTypes.PUBLISH, MessageExpiryInterval=30))
            let_time_pass(2)
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(WILDTOPICS[5], 1)
            c.wait_messages(1)
            c.sync()
            check([m.payload for m in c.messages] == [b"long"], "retained after 2 s: %r" % c.messages)
            left = c.messages[0].prop("MessageExpiryInterval")
            check(left is not None and 27 <= left <= 28, "retained expiry left %r, expected 28 (30 - 2)" % left)
            a.disconnect()
            c.disconnect()

    def test_unsubscribe_reason_codes(self):
        # UNSUBACK 0x00 for a removed subscription, 0x11 No subscription existed otherwise.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe(TOPICS[0], 1)
            codes = a.unsubscribe([TOPICS[0], TOPICS[1]])
            values = [c.value for c in (codes if isinstance(codes, list) else [codes])]
            check(values == [0x00, 0x11], "UNSUBACK reason codes %r" % values)
            a.disconnect()

    def test_subscription_identifier_zero(self):
        # 3.8.2.1.2: a Subscription Identifier of 0 is a Protocol Error (DISCONNECT 0x82).
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid")
            # SUBSCRIBE pid 1, properties: length 2, Subscription Identifier (0x0B) = varint 0
            r.send(packet(0x82, struct.pack("!H", 1) + b"\x02\x0b\x00" + utf8(TOPICS[0]) + b"\x01"))
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x82,
                  "expected DISCONNECT 0x82, got %r closed=%s" % (seen, closed))

    def test_request_problem_information_zero(self):
        # [MQTT-3.1.2-29] with Request Problem Information 0 no Reason String or User
        # Property on anything but PUBLISH, CONNACK and DISCONNECT.
        with self.broker(max_subscriptions_per_client=1) as b:
            r = self.raw(b)
            r.connect("myclientid", properties=v5props(PacketTypes.CONNECT, RequestProblemInformation=0))
            r.subscribe(1, [(TOPICS[0], 1), (TOPICS[1], 1)])  # the second is over the quota
            r.publish("nobody/listens", b"", 1, pid=2)
            r.publish("$SYS/x", b"", 2, pid=3)
            r.pump(lambda seen: len(seen) >= 2, what="PUBACK and PUBREC")
            r.sync()
            for p in r.seen:
                if p.type in (PUBACK, PUBREC, PUBCOMP):
                    check(p.prop("ReasonString") is None and p.prop("UserProperty") is None,
                          "%r carries problem information" % p)
            r.disconnect()

    def test_connack_capabilities(self):
        with self.broker(receive_maximum=20, topic_alias_maximum=5, max_packet_size=5000) as b:
            r = self.raw(b)
            connack = r.connect("myclientid")
            got = {name: connack.prop(name) for name in ("ReceiveMaximum", "TopicAliasMaximum", "MaximumPacketSize",
                                                         "MaximumQoS", "RetainAvailable")}
            check(got["ReceiveMaximum"] == 20 and got["TopicAliasMaximum"] == 5 and got["MaximumPacketSize"] == 5000,
                  "CONNACK does not announce the configured limits: %r" % got)
            check(got["MaximumQoS"] in (None, 2) and got["RetainAvailable"] in (None, 1),
                  "CONNACK announces less than hermesd does: %r" % got)
            r.disconnect()

    def test_unsupported_protocol_level(self):
        # 3.1.1 [MQTT-3.1.2-2]: CONNACK 0x01 then close; v5: CONNACK 0x84 (MAY) then close.
        with self.broker() as b:
            # read as 3.1.1: the broker cannot know level 6's CONNACK layout, 0x01 is the 3.x one
            r = RawClient(b.port, "mqttv311")
            # CONNECT: "MQTT", level 6, clean start, keep-alive 60, client id "lvl6"
            r.send(packet(0x10, utf8("MQTT") + b"\x06\x02\x00\x3c" + utf8("lvl6")))
            seen, closed = r.wait_closed()
            check(closed, "connection open after protocol level 6")
            allowed = (0x01,) if not self.v5 else (0x01, 0x84)
            check(all(p.type == CONNACK and p.reason in allowed for p in seen) and (seen or self.v5),
                  "expected CONNACK %s then close, got %r" % ("/".join("0x%02x" % a for a in allowed), seen))

    def test_client_id_longer_than_23(self):
        # MQTT 3.1 (3.1 spec, CONNECT payload): a client id over 23 characters is refused with
        # CONNACK return code 2 (Identifier Rejected). 3.1.1 and 5.0 lifted that limit.
        if self.protocol != "mqttv31":
            with self.broker() as b:
                r = self.raw(b)
                r.connect("a-client-id-of-more-than-23-characters")
                r.disconnect()
            return
        with self.broker() as b:
            r = self.raw(b)
            connack = r.connect("a-client-id-of-more-than-23-characters", expect_reason=None)
            check(connack.reason == 0x02, "3.1 CONNACK %r for a 38-character client id, expected 0x02" % connack)

    def test_shared_subscription_no_local(self):
        # [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid")
            r.send(packet(0x82, struct.pack("!H", 1) + b"\x00" + utf8("$share/g/x") + b"\x05"))  # QoS 1 | No Local
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x82,
                  "expected DISCONNECT 0x82, got %r closed=%s" % (seen, closed))

    def test_client_publish_with_subscription_identifier(self):
        # [MQTT-3.3.4-6] a PUBLISH from a client MUST NOT carry a Subscription Identifier.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid")
            r.publish(TOPICS[0], b"x", 0, properties=b"\x02\x0b\x05")  # Subscription Identifier 5
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x82,
                  "expected DISCONNECT 0x82, got %r closed=%s" % (seen, closed))

    def test_max_session_expiry_clamped(self):
        # The server may shorten the Session Expiry Interval and says so in CONNACK (3.2.2.3.2).
        with self.broker(max_session_expiry=10) as b:
            r = self.raw(b)
            connack = r.connect("myclientid", properties=v5props(PacketTypes.CONNECT, SessionExpiryInterval=100))
            check(connack.prop("SessionExpiryInterval") == 10, "CONNACK %r must announce the clamped 10 s" % connack)
            r.disconnect()

    def test_inbound_qos2_resumed_across_connections(self):
        # [MQTT-4.4.0-1]/4.3.3: PUBREC sent, client reconnects (session kept) and sends PUBREL:
        # the server answers PUBCOMP and the message is delivered exactly once.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[0], 2)
            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=self.persistent_props())
            r.publish(TOPICS[0], b"exactly once", 2, pid=9)
            r.expect(PUBREC)
            r.close()
            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=self.persistent_props())
            r.ack(PUBREL, 9)
            comp = r.expect(PUBCOMP)
            check(comp.pid == 9 and comp.reason == 0, "PUBCOMP %r (v5 0x92 would mean the state was lost)" % comp)
            c.wait_messages(1)
            c.sync()
            check([m.payload for m in c.messages] == [b"exactly once"], "delivered %r" % c.messages)
            r.disconnect()
            c.disconnect()

    def test_resubscribe_replaces_subscription(self):
        # [MQTT-3.8.4-3] a SUBSCRIBE for an existing filter replaces it: new QoS, one copy.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe(TOPICS[0], 0)
            a.subscribe(TOPICS[0], 2)
            a.publish(TOPICS[0], b"replaced", 2)
            a.wait_messages(1)
            a.sync()
            check([m.qos for m in a.messages] == [2], "after resubscribing at QoS 2: %r" % a.messages)
            a.disconnect()

    def test_take_over_resumes_inflight(self):
        # Take-over with a kept session [MQTT-3.1.4-3]: the new connection gets the old one's
        # unacknowledged QoS 1 message again with DUP=1 [MQTT-4.4.0-1].
        with self.broker() as b:
            first = self.raw(b)
            first.connect("myclientid", clean=False, properties=self.persistent_props())
            first.subscribe(1, [(TOPICS[0], 1)])
            p = self.paho(b, "myclientid2")
            p.connect()
            p.publish(TOPICS[0], b"in flight", 1)
            sent = first.pump(lambda seen: first.publishes(), auto_ack=False, what="PUBLISH")[-1]
            second = self.raw(b)
            connack = second.connect("myclientid", clean=False, properties=self.persistent_props())
            check(connack.session_present or not self.has_session_present, "session not resumed on take-over")
            again = second.pump(lambda seen: second.publishes(), auto_ack=False, what="redelivery")[-1]
            check(again.dup and again.pid == sent.pid and again.payload == b"in flight",
                  "redelivered %r, first sent %r" % (again, sent))
            second.ack(PUBACK, again.pid)
            second.sync()
            second.disconnect()
            p.disconnect()

    def test_expired_inflight_still_redelivered(self):
        # [MQTT-3.3.2-5] only a message whose onward delivery has NOT started may be dropped on
        # expiry; one already sent (unacknowledged) is resent on resume [MQTT-4.4.0-1].
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=self.persistent_props())
            r.subscribe(1, [(TOPICS[0], 1)])
            p = self.paho(b, "myclientid2")
            p.connect()
            p.publish(TOPICS[0], b"short-lived", 1, properties=v5props(PacketTypes.PUBLISH, MessageExpiryInterval=1))
            sent = r.pump(lambda seen: r.publishes(), auto_ack=False, what="PUBLISH")[-1]
            r.close()
            let_time_pass(2)
            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=self.persistent_props())
            r.sync(auto_ack=False)
            check([(q.pid, q.dup) for q in r.publishes()] == [(sent.pid, True)],
                  "expected the in-flight message again (DUP, pid %d) although expired, got %r" % (sent.pid, r.seen))
            r.ack(PUBACK, sent.pid)
            r.disconnect()
            p.disconnect()

    def test_retained_too_large_for_client_dropped(self):
        # [MQTT-3.1.2-25] a retained message over the client's Maximum Packet Size is not sent,
        # and the connection goes on.
        with self.broker() as b:
            a = self.paho(b, "myclientid2")
            a.connect()
            a.publish(TOPICS[1], b"." * 200, 1, retain=True)
            a.publish(TOPICS[2], b"small", 1, retain=True)
            r = self.raw(b)
            r.connect("myclientid", properties=v5props(PacketTypes.CONNECT, MaximumPacketSize=100))
            r.subscribe(1, [(WILDTOPICS[5], 1)])
            r.sync()
            check([q.payload for q in r.publishes()] == [b"small"], "retained sent: %r" % r.publishes())
            r.disconnect()
            a.disconnect()

    def test_topic_alias_maximum_zero_config(self):
        # topic_alias_maximum 0: the server accepts no alias; using one is 0x94 [MQTT-3.2.2-18].
        with self.broker(topic_alias_maximum=0) as b:
            r = self.raw(b)
            connack = r.connect("myclientid")
            check(connack.prop("TopicAliasMaximum") in (None, 0), "CONNACK %r" % connack)
            r.publish(TOPICS[0], b"x", 0, properties=v5props(PacketTypes.PUBLISH, TopicAlias=1))
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x94,
                  "expected DISCONNECT 0x94, got %r" % seen)

    def test_unsupported_authentication_method(self):
        # [MQTT-4.12.0-1] an Authentication Method the server does not support: CONNACK 0x8C
        # (or 0x87) and close; never a successful CONNACK. hermesd offers no method.
        with self.broker() as b:
            r = self.raw(b)
            connack = r.connect("myclientid", expect_reason=None,
                                properties=v5props(PacketTypes.CONNECT, AuthenticationMethod="SCRAM-SHA-1"))
            check(connack.reason in (0x8C, 0x87), "CONNACK reason 0x%02x for an unsupported Authentication "
                  "Method, expected 0x8C or 0x87" % connack.reason)
            _, closed = r.wait_closed()
            check(closed, "connection left open after a refused CONNACK")

    def test_connect_properties_protocol_errors(self):
        # 3.1.2.11: Receive Maximum 0 and Maximum Packet Size 0 are Protocol Errors; the server
        # may answer CONNACK 0x82 [MQTT-3.2.2-?] and must close, never accept.
        with self.broker() as b:
            for name, raw_props in (("Receive Maximum 0", b"\x03\x21\x00\x00"),
                                    ("Maximum Packet Size 0", b"\x05\x27\x00\x00\x00\x00")):
                r = self.raw(b)
                r.send(r.connect_bytes("myclientid", properties=raw_props))
                seen, closed = r.wait_closed()
                check(closed and all(p.type == CONNACK and p.reason in (0x81, 0x82) for p in seen),
                      "%s: expected CONNACK 0x82 (or a plain close), got %r closed=%s" % (name, seen, closed))

    def test_pubrel_unknown_packet_id(self):
        # 4.3.3: PUBREL for an identifier with no state: answer PUBCOMP (v5: 0x92 Packet
        # Identifier not found), keep the connection.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid")
            r.ack(PUBREL, 4242)
            comp = r.expect(PUBCOMP)
            check(comp.pid == 4242, "PUBCOMP %r" % comp)
            if self.v5:
                check(comp.reason == 0x92, "PUBCOMP reason 0x%02x, expected 0x92" % comp.reason)
            r.sync()
            r.disconnect()

    def test_unsubscribe_shared(self):
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.subscribe("$share/g/shared/x", 1)
            a.unsubscribe("$share/g/shared/x")
            a.publish("shared/x", b"after unsubscribe", 1)
            a.sync()
            check(a.messages == [], "still a shared subscriber after UNSUBSCRIBE: %r" % a.messages)
            a.disconnect()

    def test_retained_carries_subscription_identifier(self):
        # [MQTT-3.3.4-3] retained messages sent on SUBSCRIBE carry its Subscription Identifier.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            a.publish(TOPICS[0], b"retained", 1, retain=True)
            a.subscribe(TOPICS[0], 1, properties=v5props(PacketTypes.SUBSCRIBE, SubscriptionIdentifier=77))
            m = a.wait_messages(1)[0]
            check(m.retain and m.prop("SubscriptionIdentifier") == [77], "retained %r" % m)
            a.disconnect()

    def test_resume_respects_new_receive_maximum(self):
        # [MQTT-3.3.4-7] counts resent PUBLISH too: 5 unacknowledged, reconnect with Receive
        # Maximum 2: two come back at once, the others as acknowledgements free the window.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid", clean=False, properties=v5props(PacketTypes.CONNECT, SessionExpiryInterval=300))
            r.subscribe(1, [(TOPICS[0], 1)])
            p = self.paho(b, "myclientid2")
            p.connect()
            for i in range(5):
                p.publish(TOPICS[0], b"m%d" % i, 1)
            r.pump(lambda seen: len(r.publishes()) == 5, auto_ack=False, what="5 PUBLISH")
            r.close()
            r = self.raw(b)
            r.connect("myclientid", clean=False,
                      properties=v5props(PacketTypes.CONNECT, SessionExpiryInterval=300, ReceiveMaximum=2))
            r.pump(lambda seen: len(r.publishes()) >= 2, auto_ack=False, what="2 resent PUBLISH")
            r.sync(auto_ack=False)
            check(len(r.publishes()) == 2, "Receive Maximum 2 on resume, but %d unacknowledged PUBLISH: %r"
                  % (len(r.publishes()), r.publishes()))
            got = []
            while len(got) < 5:
                pubs = r.publishes()
                check(pubs, "window stalled after %r" % got)
                for q in pubs:
                    got.append(q.payload)
                    r.ack(PUBACK, q.pid)
                r.seen.clear()
                if len(got) < 5:
                    r.pump(lambda seen: r.publishes(), auto_ack=False, what="the next PUBLISH")
            check(got == [b"m%d" % i for i in range(5)], "resumed order %r" % got)
            r.disconnect()
            p.disconnect()

    def test_will_delay_clean_start_ends_session(self):
        # [MQTT-3.1.3-9] the will goes out when the session ends: a Clean Start reconnection
        # ends it, so the delayed will is published then, not cancelled.
        with self.broker() as b:
            c = self.paho(b, "myclientid2")
            c.connect()
            c.subscribe(TOPICS[0], 2)
            r = self.raw(b)
            r.connect("myclientid", properties=self.persistent_props(60),
                      will=(TOPICS[0], b"session ended", 0, False, v5props(PacketTypes.WILLMESSAGE, WillDelayInterval=30)))
            r.close()
            r = self.raw(b)
            r.connect("myclientid", clean=True)
            m = c.wait_messages(1, timeout=3)[0]
            check(m.payload == b"session ended", "will %r" % m)
            r.disconnect()
            c.disconnect()

    def test_disconnect_cannot_raise_zero_expiry(self):
        # [MQTT-3.14.2-2] CONNECT with expiry 0 then DISCONNECT with non-zero: Protocol Error.
        with self.broker() as b:
            r = self.raw(b)
            r.connect("myclientid")
            r.disconnect(properties=v5props(PacketTypes.DISCONNECT, SessionExpiryInterval=60))
            seen, closed = r.wait_closed()
            check(closed and seen and seen[-1].type == DISCONNECT and seen[-1].reason == 0x82,
                  "expected DISCONNECT 0x82, got %r closed=%s" % (seen, closed))
            r = self.raw(b)
            connack = r.connect("myclientid", clean=False)
            check(not connack.session_present, "the session outlived its expiry 0")
            r.disconnect()

    def test_topic_names_edge_cases(self):
        # 4.7 / 1.5.4: maximum-length and deep topics, multibyte UTF-8, case sensitivity
        # [MQTT-4.7.3-?], U+FEFF kept as is [MQTT-1.5.4-3], empty levels are levels.
        with self.broker() as b:
            a = self.paho(b, "myclientid")
            a.connect()
            long_topic = "l/" + "x" * 65533             # 65,535 bytes, the maximum [MQTT-1.5.4-1 length]
            deep_topic = "/".join(["d"] * 1000)
            names = [long_topic, deep_topic, "ünï/cødé/话题", "\ufeffbom", "Case/Sensitive", "case/sensitive",
                     "empty//level", "/leading", "trailing/"]
            a.subscribe([("l/#", 1), ("d/#", 1), ("ünï/+/话题", 1), ("\ufeffbom", 1), ("Case/Sensitive", 1),
                         ("empty/+/level", 1), ("+/leading", 1), ("trailing/+", 1)])
            for n in names:
                a.publish(n, n[:20].encode(), 1)
            a.sync()
            got = [m.topic for m in a.messages]
            expected = [n for n in names if n != "case/sensitive"]
            check(got == expected, "delivered %r, expected %r" % ([t[:24] for t in got], [t[:24] for t in expected]))
            a.disconnect()

    def test_malformed_filter_closes_connection(self):
        # A filter breaking the wildcard rules [MQTT-4.7.1-1] [MQTT-4.7.1-2] (3.1.1: -2, -3) or
        # empty [MQTT-4.7.3-1] is a protocol error, not a SUBACK failure: v5 DISCONNECT 0x82
        # [MQTT-4.13.1-1], 3.x closes [MQTT-4.8.0-1]. The packet's good filter is not granted.
        with self.broker() as b:
            for first in (0x82, 0xA2):
                for bad in ("a/#/b", "#/x", "a/b#", "a+/b", ""):
                    r = self.raw(b)
                    r.connect("myclientid")
                    options = b"\x01" if first == 0x82 else b""
                    props = b"\x00" if self.v5 else b""
                    body = struct.pack("!H", 1) + props + utf8("x/y") + options + utf8(bad) + options
                    r.send(packet(first, body))
                    seen, closed = r.wait_closed()
                    what = "%s with %r" % ("SUBSCRIBE" if first == 0x82 else "UNSUBSCRIBE", bad)
                    check(closed, "%s left the connection open; saw %r" % (what, seen))
                    expected = [(DISCONNECT, 0x82)] if self.v5 else []
                    check([(p.type, p.reason) for p in seen] == expected,
                          "%s: saw %r, expected %r" % (what, seen, expected))

if __name__ == "__main__":
    sys.exit(main())
