#pragma once
/// The push envelope and the device receipt (hermes.push.v1, push/envelope.proto) as plain
/// Qt value types. The generated protobuf classes stay inside envelope.cpp.

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>

#include <variant>

namespace hermes::push {

/// The MQTT 5 content type a publisher sets on a PUBLISH that carries an Envelope, so a
/// device can tell an envelope from a raw operator payload (MQTT 3.x has no such property:
/// there the topic's contract decides).
inline constexpr QLatin1StringView EnvelopeContentType{"application/vnd.hermes.push.v1+protobuf"};

struct PushEnvelope;
struct PushReceipt;

/// Why bytes are not an envelope or receipt. Never thrown: returned as a value.
struct PushDecodeError {
    QString detail;
    bool operator==(const PushDecodeError &) const = default;
};

/// A PushEnvelope, or why the bytes are not one.
using EnvelopeResult = std::variant<PushEnvelope, PushDecodeError>;
/// A PushReceipt, or why the bytes are not one.
using ReceiptResult = std::variant<PushReceipt, PushDecodeError>;

/// One push to one device. Times are wall-clock instants carried as Unix milliseconds (UTC);
/// an invalid QDateTime is 0 on the wire ("not set" / "never expires").
struct PushEnvelope {
    QString pushId;      ///< operator-chosen id; the same on a resend
    QString deviceId;    ///< target device (its MQTT client id)
    quint64 sequence = 0; ///< per-device sequence number from 1; 0 = unsequenced
    QDateTime sentAt;    ///< when the sender sent it; invalid = not set
    QDateTime expiresAt; ///< after this the device drops it; invalid = never
    QString contentType; ///< media type of payload
    QByteArray payload;  ///< opaque application bytes
    QString keyId;       ///< key that signed it; empty = unsigned
    QByteArray signature; ///< HMAC-SHA256 over canonicalSigningInput() (signer.h); empty = unsigned

    /// Serialized hermes.push.v1.Envelope. Times are truncated to milliseconds.
    QByteArray toBytes() const;
    /// Parses a serialized Envelope. Errors: not protobuf (truncated, field number 0, stray
    /// end-group), a string field that is not UTF-8. As protobuf does, a repeated field's
    /// last value wins and a known field number with another wire type is an unknown field;
    /// unknown fields are dropped: they are not signed.
    static EnvelopeResult fromBytes(QByteArrayView bytes);

    bool operator==(const PushEnvelope &) const = default;
};

/// A closed range of sequence numbers, first <= last.
struct SequenceRange {
    quint64 first = 0;
    quint64 last = 0;
    quint64 count() const { return last - first + 1; }
    bool operator==(const SequenceRange &) const = default;
};

/// What the device did with one envelope (ReceiptStatus in the .proto).
enum class ReceiptStatus : quint8 {
    Unspecified = 0,
    Delivered = 1,         ///< new, nothing missing below it
    Duplicate = 2,         ///< seen before: dropped
    Gap = 3,               ///< new and delivered, but sequences below it are missing
    RejectedSignature = 4, ///< unsigned, unknown key or bad signature: dropped
    Expired = 5,           ///< authentic but past expiresAt: dropped
    Stale = 6,             ///< older than the device's sequence window: dropped
};

/// The device's answer on devices/{id}/receipt.
struct PushReceipt {
    QString pushId;
    quint64 sequence = 0;
    QDateTime receivedAt; ///< device clock; invalid = not set
    ReceiptStatus status = ReceiptStatus::Unspecified;
    QList<SequenceRange> missing; ///< every range missing below the highest received

    /// Serialized hermes.push.v1.Receipt.
    QByteArray toBytes() const;
    /// Parses a serialized Receipt. Errors as for envelopes, plus a range with first > last
    /// or first == 0, and a status value this version does not know.
    static ReceiptResult fromBytes(QByteArrayView bytes);

    bool operator==(const PushReceipt &) const = default;
};

/// One line for logs and test failures: "ENVELOPE push=p1 device=d1 seq=7 key=k1 len=12 signed".
QString describe(const PushEnvelope &envelope);
/// "RECEIPT push=p1 seq=7 status=gap missing=3-5,9".
QString describe(const PushReceipt &receipt);
/// "delivered", "duplicate", "gap", "rejected-signature", "expired", "stale", "unspecified".
QString describe(ReceiptStatus status);

} // namespace hermes::push
