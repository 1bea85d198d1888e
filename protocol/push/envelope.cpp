#include "envelope.h"

#include <QStringList>

#include <limits>
#include <optional>

#include <google/protobuf/stubs/common.h>
#if GOOGLE_PROTOBUF_VERSION < 4022000
#include <google/protobuf/stubs/logging.h> // LogSilencer: gone with protobuf 22's absl logging
#endif

#include "envelope.pb.h"

namespace hermes::push {

namespace {

namespace pb = hermes::push::v1;

// Wall-clock instants travel as Unix milliseconds; 0 means "not set" both ways.
qint64 toWire(const QDateTime &when)
{
    return when.isValid() ? when.toMSecsSinceEpoch() : 0;
}

QDateTime fromWire(qint64 msecs)
{
    return msecs == 0 ? QDateTime() : QDateTime::fromMSecsSinceEpoch(msecs, Qt::UTC);
}

std::string toStd(const QString &text)
{
    return text.toStdString(); // UTF-8
}

QString fromStd(const std::string &text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QByteArray serialized(const google::protobuf::MessageLite &message)
{
    QByteArray out(qsizetype(message.ByteSizeLong()), Qt::Uninitialized);
    message.SerializeWithCachedSizesToArray(reinterpret_cast<quint8 *>(out.data()));
    return out;
}

// protobuf parses ints of at most INT_MAX bytes; proto3 string fields that are not UTF-8
// make the parse fail, which is what we want. protobuf also logs an ERROR line for each:
// silenced, since the bytes come from devices and must not be able to flood the log (the
// error comes back as a value instead).
std::optional<PushDecodeError> parse(google::protobuf::MessageLite &message, QByteArrayView bytes,
                                     const char *what)
{
    if (bytes.size() > std::numeric_limits<int>::max())
        return PushDecodeError{QStringLiteral("%1 larger than 2 GiB").arg(QLatin1StringView(what))};
#if GOOGLE_PROTOBUF_VERSION < 4022000
    const google::protobuf::LogSilencer quiet;
#endif
    if (!message.ParseFromArray(bytes.data(), int(bytes.size())))
        return PushDecodeError{QStringLiteral("not a hermes.push.v1.%1 (%2 bytes)")
                                   .arg(QLatin1StringView(what))
                                   .arg(bytes.size())};
    return std::nullopt;
}

} // namespace

QByteArray PushEnvelope::toBytes() const
{
    pb::Envelope message;
    message.set_push_id(toStd(pushId));
    message.set_device_id(toStd(deviceId));
    message.set_sequence(sequence);
    message.set_sent_at_ms(toWire(sentAt));
    message.set_expires_at_ms(toWire(expiresAt));
    message.set_content_type(toStd(contentType));
    message.set_payload(payload.constData(), size_t(payload.size()));
    message.set_key_id(toStd(keyId));
    message.set_signature(signature.constData(), size_t(signature.size()));
    return serialized(message);
}

EnvelopeResult PushEnvelope::fromBytes(QByteArrayView bytes)
{
    pb::Envelope message;
    if (auto error = parse(message, bytes, "Envelope"))
        return *error;
    PushEnvelope envelope;
    envelope.pushId = fromStd(message.push_id());
    envelope.deviceId = fromStd(message.device_id());
    envelope.sequence = message.sequence();
    envelope.sentAt = fromWire(message.sent_at_ms());
    envelope.expiresAt = fromWire(message.expires_at_ms());
    envelope.contentType = fromStd(message.content_type());
    envelope.payload = QByteArray(message.payload().data(), qsizetype(message.payload().size()));
    envelope.keyId = fromStd(message.key_id());
    envelope.signature =
            QByteArray(message.signature().data(), qsizetype(message.signature().size()));
    return envelope;
}

QByteArray PushReceipt::toBytes() const
{
    pb::Receipt message;
    message.set_push_id(toStd(pushId));
    message.set_sequence(sequence);
    message.set_received_at_ms(toWire(receivedAt));
    message.set_status(pb::ReceiptStatus(int(status)));
    for (const SequenceRange &range : missing) {
        pb::SequenceRange *out = message.add_missing();
        out->set_first(range.first);
        out->set_last(range.last);
    }
    return serialized(message);
}

ReceiptResult PushReceipt::fromBytes(QByteArrayView bytes)
{
    pb::Receipt message;
    if (auto error = parse(message, bytes, "Receipt"))
        return *error;
    // proto3 enums are open: an unknown value parses; refuse it rather than guess.
    if (message.status() < 0 || message.status() > int(ReceiptStatus::Stale))
        return PushDecodeError{QStringLiteral("unknown receipt status %1").arg(message.status())};
    PushReceipt receipt;
    receipt.pushId = fromStd(message.push_id());
    receipt.sequence = message.sequence();
    receipt.receivedAt = fromWire(message.received_at_ms());
    receipt.status = ReceiptStatus(message.status());
    receipt.missing.reserve(message.missing_size());
    for (const pb::SequenceRange &range : message.missing()) {
        // Sequence numbers start at 1 (0 = unsequenced), and a range is closed.
        if (range.first() == 0 || range.first() > range.last())
            return PushDecodeError{QStringLiteral("bad missing range %1-%2")
                                           .arg(range.first())
                                           .arg(range.last())};
        receipt.missing.append(SequenceRange{range.first(), range.last()});
    }
    return receipt;
}

QString describe(const PushEnvelope &envelope)
{
    return QStringLiteral("ENVELOPE push=%1 device=%2 seq=%3 key=%4 type=%5 len=%6 %7")
            .arg(envelope.pushId, envelope.deviceId)
            .arg(envelope.sequence)
            .arg(envelope.keyId.isEmpty() ? QStringLiteral("-") : envelope.keyId,
                 envelope.contentType.isEmpty() ? QStringLiteral("-") : envelope.contentType)
            .arg(envelope.payload.size())
            .arg(envelope.signature.isEmpty() ? QStringLiteral("unsigned")
                                              : QStringLiteral("signed"));
}

QString describe(ReceiptStatus status)
{
    switch (status) {
    case ReceiptStatus::Unspecified: return QStringLiteral("unspecified");
    case ReceiptStatus::Delivered: return QStringLiteral("delivered");
    case ReceiptStatus::Duplicate: return QStringLiteral("duplicate");
    case ReceiptStatus::Gap: return QStringLiteral("gap");
    case ReceiptStatus::RejectedSignature: return QStringLiteral("rejected-signature");
    case ReceiptStatus::Expired: return QStringLiteral("expired");
    case ReceiptStatus::Stale: return QStringLiteral("stale");
    }
    return QStringLiteral("status-%1").arg(int(status));
}

QString describe(const PushReceipt &receipt)
{
    QStringList ranges;
    for (const SequenceRange &range : receipt.missing)
        ranges.append(range.first == range.last
                              ? QString::number(range.first)
                              : QStringLiteral("%1-%2").arg(range.first).arg(range.last));
    return QStringLiteral("RECEIPT push=%1 seq=%2 status=%3 missing=%4")
            .arg(receipt.pushId)
            .arg(receipt.sequence)
            .arg(describe(receipt.status),
                 ranges.isEmpty() ? QStringLiteral("-") : ranges.join(u','));
}

} // namespace hermes::push
