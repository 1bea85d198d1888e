#!/usr/bin/python3
"""Malformed bytes over a raw socket close only that connection.

One hermesd serves the whole run. A paho "bystander" stays subscribed throughout; for each
case a raw socket sends the bad bytes (before or after a valid CONNECT), and we check that:
- the broker closes that socket (v5: at most a DISCONNECT 0x81/0x82 first [MQTT-4.13.1-1]),
  and never answers the bad packet as if it were good;
- the bystander still gets a fresh message through the broker afterwards;
- at the end hermesd is still running and exits 0 on SIGTERM.
"""

import os
import sys

from hermesinterop import (CONNACK, DISCONNECT, Broker, PahoClient, RawClient, Suite, check,
                           common_arguments)

KNOWN_FAILURES = {
}

# name, protocol, send a valid CONNECT first, bad bytes (annotated)
CASES = [
    ("garbage_instead_of_connect", "mqttv311", False,
     b"\xde\xad\xbe\xef" * 8),                                 # type 13 (PINGRESP) flags 14: not CONNECT
    ("remaining_length_5_bytes", "mqttv311", False,
     b"\x10\xff\xff\xff\xff\x7f"),                             # varint longer than 4 bytes [MQTT-1.5.5-1]
    ("connect_truncated_protocol_name", "mqttv311", False,
     b"\x10\x04\x00\x04MQ"),                                   # name length 4, only 2 bytes follow
    ("connect_reserved_flag_set", "mqttv311", False,
     b"\x10\x0d\x00\x04MQTT\x04\x03\x00\x3c\x00\x01a"),        # connect flags bit 0 set [MQTT-3.1.2-3]
    ("connect_password_without_username", "mqttv311", False,
     b"\x10\x10\x00\x04MQTT\x04\x42\x00\x3c\x00\x01a\x00\x01p"),  # flags: password, clean [MQTT-3.1.2-22]
    ("connect_will_qos_3", "mqttv311", False,
     b"\x10\x13\x00\x04MQTT\x04\x1e\x00\x3c\x00\x01a\x00\x01w\x00\x01p"),  # will flag, QoS 3 [MQTT-3.1.2-14]
    ("connect_will_qos_without_will_flag", "mqttv311", False,
     b"\x10\x0d\x00\x04MQTT\x04\x0a\x00\x3c\x00\x01a"),  # will QoS 1, will flag 0 [MQTT-3.1.2-13]
    ("connect_will_topic_with_wildcard", "mqttv311", False,
     b"\x10\x15\x00\x04MQTT\x04\x06\x00\x3c\x00\x01a\x00\x03a/#\x00\x01p"),  # will topic "a/#" [MQTT-3.1.3-11? 4.7.0-1]
    ("first_packet_not_connect", "mqttv5", False,
     b"\x30\x05\x00\x01a\x00\x00"),                            # PUBLISH before CONNECT [MQTT-3.1.0-1]
    ("publish_qos_3", "mqttv311", True,
     b"\x36\x05\x00\x01a\x00\x01"),                            # QoS bits 11 [MQTT-3.3.1-4]
    ("publish_qos_3_v5", "mqttv5", True,
     b"\x36\x06\x00\x01a\x00\x01\x00"),                        # same, v5 (empty properties)
    ("publish_wildcard_topic", "mqttv311", True,
     b"\x30\x05\x00\x03a/#"),                                  # '#' in a topic name [MQTT-3.3.2-2]
    ("publish_invalid_utf8_topic", "mqttv5", True,
     b"\x30\x05\x00\x02\xc0\x80\x00"),                         # overlong NUL [MQTT-1.5.4-1]
    ("publish_topic_with_nul", "mqttv311", True,
     b"\x30\x05\x00\x03a\x00b"),                            # U+0000 in a topic [MQTT-1.5.4-2]
    ("publish_topic_length_beyond_packet", "mqttv311", True,
     b"\x30\x04\x00\x10ab"),                                   # topic length 16, 2 bytes left
    ("subscribe_reserved_flags_zero", "mqttv311", True,
     b"\x80\x06\x00\x01\x00\x01a\x00"),                        # SUBSCRIBE flags must be 0010 [MQTT-3.8.1-1]
    ("subscribe_no_topic_filter", "mqttv311", True,
     b"\x82\x02\x00\x01"),                                     # empty payload [MQTT-3.8.3-3]
    ("subscribe_options_reserved_bits", "mqttv5", True,
     b"\x82\x07\x00\x01\x00\x00\x01a\xc1"),                    # options bits 6-7 set [MQTT-3.8.3-5]
    ("subscribe_qos_3", "mqttv311", True,
     b"\x82\x06\x00\x01\x00\x01a\x03"),                    # requested QoS 3 [MQTT-3.8.3-4]
    ("subscribe_retain_handling_3", "mqttv5", True,
     b"\x82\x07\x00\x01\x00\x00\x01a\x31"),                # Retain Handling 3 (3.8.3.1)
    ("pubrel_wrong_flags", "mqttv311", True,
     b"\x60\x02\x00\x01"),                                     # PUBREL flags must be 0010 [MQTT-3.6.1-1]
    ("pingreq_with_body", "mqttv311", True,
     b"\xc0\x01\x00"),                                         # PINGREQ remaining length 1
    ("v5_property_not_allowed", "mqttv5", True,
     b"\x30\x09\x00\x01a\x05\x11\x00\x00\x00\x01"),            # Session Expiry (0x11) in PUBLISH
    ("v5_duplicate_property", "mqttv5", True,
     b"\x30\x08\x00\x01a\x04\x01\x01\x01\x00"),                # Payload Format twice
    ("random_bytes_after_connect", "mqttv311", True,
     None),                                                     # 4 KiB of os.urandom (seeded below)
]


def run_case(broker, bystander, name, protocol, connect_first, bad):
    raw = RawClient(broker.port, protocol)
    if connect_first:
        raw.connect("bad-" + name)
    if bad is None:
        # Type 0 is reserved in every version [2.1.2], so a frame of type 0 with a 127-byte
        # body is malformed whatever it holds; random bytes follow it. (The length is fixed:
        # a random one could declare a frame the broker rightly waits for.)
        bad = b"\x00\x7f" + os.urandom(127 + 3968)
    raw.send(bad)
    seen, closed = raw.wait_closed()
    raw.close()
    check(closed, "connection still open after %r; saw %r" % (bad[:16], seen))
    for p in seen:
        check(not (p.type == CONNACK and p.reason == 0), "bad bytes were accepted as a CONNECT: %r" % seen)
        if connect_first:
            check(p.type == DISCONNECT, "unexpected answer to malformed bytes: %r" % seen)
            check(p.reason in (0x81, 0x82, 0x90), "DISCONNECT reason 0x%02x, expected 0x81/0x82/0x90" % p.reason)
    # The bystander's connection is unaffected: a new message goes through.
    before = len(bystander.messages)
    bystander.publish("bystander/echo", name.encode(), 1)
    messages = bystander.wait_messages(before + 1)
    check(messages[-1].payload == name.encode(), "bystander got %r" % messages[-1])
    check(broker.alive(), "hermesd died")


def main():
    args = common_arguments("malformed packets against hermesd")
    suite = Suite("interop malformed", args, KNOWN_FAILURES)
    with Broker(args.hermesd) as broker:
        bystander = PahoClient(broker.port, "bystander", "mqttv311")
        bystander.connect()
        bystander.subscribe("bystander/echo", 1)
        for name, protocol, connect_first, bad in CASES:
            suite.run("malformed/%s" % name, run_case, broker, bystander, name, protocol, connect_first, bad)
        suite.run("malformed/bystander_never_disconnected",
                  lambda: check(not bystander.disconnects, "bystander lost its connection: %r" % bystander.disconnects))
        bystander.disconnect()
    # Broker.__exit__ checked the SIGTERM exit code; reaching here means 0.
    print("PASS  malformed/clean_shutdown_after_all_cases")
    return suite.finish()


if __name__ == "__main__":
    sys.exit(main())
