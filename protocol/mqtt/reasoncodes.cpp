#include "codec_p.h"

namespace hermes::mqtt {

namespace detail {

// Reason codes valid per packet (MQTT 5.0 table 2-6 and each packet's list).
bool isValidReasonCode(quint8 code, PacketType type)
{
    switch (type) {
    case PacketType::Connack:
        switch (code) {
        case 0x00: case 0x80: case 0x81: case 0x82: case 0x83: case 0x84: case 0x85: case 0x86:
        case 0x87: case 0x88: case 0x89: case 0x8A: case 0x8C: case 0x90: case 0x95: case 0x97:
        case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D: case 0x9F:
            return true;
        }
        return false;
    case PacketType::Puback:
    case PacketType::Pubrec:
        switch (code) {
        case 0x00: case 0x10: case 0x80: case 0x83: case 0x87: case 0x90: case 0x91: case 0x97:
        case 0x99:
            return true;
        }
        return false;
    case PacketType::Pubrel:
    case PacketType::Pubcomp:
        return code == 0x00 || code == 0x92;
    case PacketType::Suback:
        switch (code) {
        case 0x00: case 0x01: case 0x02: case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91:
        case 0x97: case 0x9E: case 0xA1: case 0xA2:
            return true;
        }
        return false;
    case PacketType::Unsuback:
        switch (code) {
        case 0x00: case 0x11: case 0x80: case 0x83: case 0x87: case 0x8F: case 0x91:
            return true;
        }
        return false;
    case PacketType::Disconnect:
        switch (code) {
        case 0x00: case 0x04: case 0x80: case 0x81: case 0x82: case 0x83: case 0x87: case 0x89:
        case 0x8B: case 0x8D: case 0x8E: case 0x8F: case 0x90: case 0x93: case 0x94: case 0x95:
        case 0x96: case 0x97: case 0x98: case 0x99: case 0x9A: case 0x9B: case 0x9C: case 0x9D:
        case 0x9E: case 0x9F: case 0xA0: case 0xA1: case 0xA2:
            return true;
        }
        return false;
    case PacketType::Auth:
        return code == 0x00 || code == 0x18 || code == 0x19;
    default:
        return false;
    }
}

// A reason code outside the packet's list cannot be parsed into the packet, so it is a
// Malformed Packet (1.2 "Malformed Packet: cannot be parsed according to this
// specification"), the same answer HiveMQ and the mosquitto client library give.
// The "MUST use one of the ... Reason Codes" statement of each 5.0 packet.
const char *reasonCodeRule(PacketType type)
{
    switch (type) {
    case PacketType::Connack:
        return "MQTT-3.2.2-8";
    case PacketType::Puback:
        return "MQTT-3.4.2-1";
    case PacketType::Pubrec:
        return "MQTT-3.5.2-1";
    case PacketType::Pubrel:
        return "MQTT-3.6.2-1";
    case PacketType::Pubcomp:
        return "MQTT-3.7.2-1";
    case PacketType::Suback:
        return "MQTT-3.9.3-2";
    case PacketType::Unsuback:
        return "MQTT-3.11.3-2";
    case PacketType::Disconnect:
        return "MQTT-3.14.2-1";
    case PacketType::Auth:
        return "MQTT-3.15.2-1";
    default:
        return "";
    }
}

ReasonCode connackCodeFromV3(quint8 code)
{
    switch (code) {
    case 1:
        return ReasonCode::UnsupportedProtocolVersion;
    case 2:
        return ReasonCode::ClientIdentifierNotValid;
    case 3:
        return ReasonCode::ServerUnavailable;
    case 4:
        return ReasonCode::BadUserNameOrPassword;
    case 5:
        return ReasonCode::NotAuthorized;
    default:
        return ReasonCode::Success;
    }
}

// 3.x CONNACK return codes 0-5 (3.1.1 table 3.1); 5.0 refusals without a 3.x counterpart
// fall back to the closest one.
quint8 connackCodeToV3(ReasonCode code)
{
    switch (code) {
    case ReasonCode::Success:
        return 0;
    case ReasonCode::UnsupportedProtocolVersion:
        return 1;
    case ReasonCode::ClientIdentifierNotValid:
        return 2;
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::BadAuthenticationMethod:
        return 4;
    case ReasonCode::NotAuthorized:
    case ReasonCode::Banned:
        return 5;
    default:
        return 3; // Server unavailable
    }
}

// 3.x SUBACK return codes: granted QoS 0-2 or 0x80 failure [MQTT-3.9.3-2].
quint8 subackCodeToV3(ReasonCode code)
{
    const quint8 value = quint8(code);
    return value <= 2 ? value : 0x80;
}

} // namespace detail

ReasonCode disconnectReasonFor(ProtocolError error)
{
    // Every result is a valid DISCONNECT reason code (5.0 3.14.2.1); errors that only a
    // CONNECT can cause fall back to Protocol Error here and get their own code from
    // connackReasonFor().
    switch (error) {
    case ProtocolError::MalformedPacket:
        return ReasonCode::MalformedPacket;
    case ProtocolError::ProtocolViolation:
        return ReasonCode::ProtocolError;
    case ProtocolError::PacketTooLarge:
        return ReasonCode::PacketTooLarge;
    case ProtocolError::UnsupportedProtocolVersion:
    case ProtocolError::ClientIdentifierNotValid:
        return ReasonCode::ProtocolError;
    case ProtocolError::TopicNameInvalid:
        return ReasonCode::TopicNameInvalid;
    case ProtocolError::TopicFilterInvalid:
        // A filter that breaks the wildcard rules is a Protocol Error [MQTT-4.13.1-1]; 0x8F
        // is for a correctly formed filter the server does not allow.
        return ReasonCode::ProtocolError;
    case ProtocolError::TopicAliasInvalid:
        return ReasonCode::TopicAliasInvalid;
    case ProtocolError::ReceiveMaximumExceeded:
        return ReasonCode::ReceiveMaximumExceeded;
    case ProtocolError::PayloadFormatInvalid:
        return ReasonCode::PayloadFormatInvalid;
    case ProtocolError::QoSNotSupported:
        return ReasonCode::QoSNotSupported;
    case ProtocolError::RetainNotSupported:
        return ReasonCode::RetainNotSupported;
    }
    return ReasonCode::UnspecifiedError;
}

ReasonCode connackReasonFor(ProtocolError error)
{
    // Every result is a valid CONNACK reason code (5.0 3.2.2.2); encode() turns it into a
    // 3.x return code (UnsupportedProtocolVersion -> 0x01 [MQTT-3.1.2-2],
    // ClientIdentifierNotValid -> 0x02).
    switch (error) {
    case ProtocolError::MalformedPacket:
        return ReasonCode::MalformedPacket;
    case ProtocolError::ProtocolViolation:
    case ProtocolError::TopicFilterInvalid:
    case ProtocolError::TopicAliasInvalid:
    case ProtocolError::ReceiveMaximumExceeded:
        return ReasonCode::ProtocolError;
    case ProtocolError::PacketTooLarge:
        return ReasonCode::PacketTooLarge;
    case ProtocolError::UnsupportedProtocolVersion:
        return ReasonCode::UnsupportedProtocolVersion;
    case ProtocolError::ClientIdentifierNotValid:
        return ReasonCode::ClientIdentifierNotValid;
    case ProtocolError::TopicNameInvalid:
        return ReasonCode::TopicNameInvalid;
    case ProtocolError::PayloadFormatInvalid:
        return ReasonCode::PayloadFormatInvalid;
    case ProtocolError::QoSNotSupported:
        return ReasonCode::QoSNotSupported;
    case ProtocolError::RetainNotSupported:
        return ReasonCode::RetainNotSupported;
    }
    return ReasonCode::UnspecifiedError;
}

} // namespace hermes::mqtt
