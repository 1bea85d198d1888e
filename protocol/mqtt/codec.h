#pragma once
/// Sans-I/O MQTT framing, decoding and encoding: bytes in, packet values out, and back.

#include "packets.h"

#include <QByteArrayView>

#include <optional>
#include <variant>

namespace hermes::mqtt {

/// Why bytes or a packet were refused. Each maps to exactly one reason code through
/// disconnectReasonFor(); the codec never decides what to do about it.
enum class ProtocolError : quint8 {
    MalformedPacket,            ///< bytes do not follow the packet grammar
    ProtocolViolation,          ///< grammar fine, but a rule of the protocol is broken
    PacketTooLarge,             ///< larger than the negotiated maximum packet size
    UnsupportedProtocolVersion, ///< CONNECT protocol name/level unknown
    ClientIdentifierNotValid,   ///< CONNECT client identifier refused
    TopicNameInvalid,           ///< PUBLISH topic name breaks 4.7
    TopicFilterInvalid,         ///< (UN)SUBSCRIBE topic filter breaks 4.7: a Protocol Error
    TopicAliasInvalid,          ///< topic alias 0 or above the maximum
    ReceiveMaximumExceeded,     ///< more unacknowledged QoS>0 PUBLISH than allowed
    PayloadFormatInvalid,       ///< payload format indicator 1 but payload not UTF-8
    QoSNotSupported,            ///< PUBLISH above the server's maximum QoS
    RetainNotSupported,         ///< retained PUBLISH while retain is not available
};

/// A refused frame or packet: the error, the normative statement it breaks (e.g.
/// "MQTT-3.3.1-2", empty when the rule has no ID) and a human-readable detail.
struct DecodeError {
    ProtocolError error = ProtocolError::MalformedPacket;
    QString specId;
    QString detail;
    bool operator==(const DecodeError &) const = default;
};

/// The single mapping from protocol errors to the reason code of the DISCONNECT (MQTT 5)
/// the server sends before closing (STYLE.md R5).
ReasonCode disconnectReasonFor(ProtocolError error);

/// The reason code for a CONNACK refusing a CONNECT that failed to decode or validate.
ReasonCode connackReasonFor(ProtocolError error);

/// One complete frame found at the start of a buffer. `body` views the caller's buffer.
struct Frame {
    quint8 firstByte = 0;     ///< packet type (high nibble) and flags (low nibble)
    QByteArrayView body;      ///< variable header and payload
    qsizetype totalSize = 0;  ///< bytes the frame occupies, fixed header included

    PacketType type() const { return PacketType(firstByte >> 4); }
    quint8 flags() const { return firstByte & 0x0F; }
};

/// The buffer holds only part of a frame; `atLeast` is the total buffer size needed before
/// calling again can make progress.
struct NeedMore {
    qsizetype atLeast = 0;
};

using FrameResult = std::variant<Frame, NeedMore, DecodeError>;

/// Finds the first frame in `buffer`. Checks the remaining-length varint (at most 4 bytes,
/// [MQTT-1.5.5-1]) and `maxPacketSize` from the fixed header alone, before anything is
/// allocated; a frame larger than the limit is PacketTooLarge even while incomplete.
/// A `maxPacketSize` of 0 means no limit beyond the protocol's own.
FrameResult takeFrame(QByteArrayView buffer, quint32 maxPacketSize);

using DecodeResult = std::variant<Packet, DecodeError>;

/// Decodes one frame. `version` is the connection's negotiated version; a CONNECT frame
/// carries its own version and ignores it. Checks every rule that needs only these bytes:
/// fixed-header flags, lengths, UTF-8 (no U+0000, no surrogates), property identifiers
/// allowed for the packet and not duplicated, reason codes valid for the packet, packet
/// id non-zero, topic name/filter syntax, subscription options reserved bits. A SUBSCRIBE or
/// UNSUBSCRIBE whose only fault is topic filter syntax gives TopicFilterInvalid after the
/// whole packet was checked; its detail names the first bad filter and lists every bad index.
DecodeResult decodePacket(const Frame &frame, ProtocolVersion version);

/// The version a CONNECT frame asks for (protocol name and level only), or nullopt when the
/// frame is not a CONNECT or names no supported version. Lets a server answer a CONNECT
/// that failed to decode with a CONNACK in the client's own version.
std::optional<ProtocolVersion> peekConnectVersion(const Frame &frame);

/// Encodes a packet for `version`. MQTT 3.x drops what 3.x cannot carry (properties,
/// UNSUBACK reason codes, AUTH); reason codes become 3.x CONNACK/SUBACK return codes.
/// CONNECT is written in its own `Connect::version` ("MQIsdp"/3 for 3.1). Returns an empty
/// array when the packet cannot be encoded (AUTH for 3.x, a string or binary field above
/// 65,535 bytes, a body above 268,435,455 bytes).
QByteArray encode(const Packet &packet, ProtocolVersion version);

/// Number of bytes a variable byte integer of `value` takes (1–4), 0 if above 268,435,455.
int varintSize(quint32 value);

} // namespace hermes::mqtt
