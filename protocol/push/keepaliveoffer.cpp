#include "keepaliveoffer.h"

#include <limits>

#include <google/protobuf/stubs/common.h>
#if GOOGLE_PROTOBUF_VERSION < 4022000
#include <google/protobuf/stubs/logging.h> // LogSilencer: gone with protobuf 22's absl logging
#endif

#include "envelope.pb.h"

namespace hermes::push {

PushEnvelope KeepAliveOffer::toEnvelope(const QString &deviceId, const QDateTime &sentAt,
                                        const QDateTime &expiresAt) const
{
    v1::KeepAliveOffer message;
    message.set_keep_alive_seconds(keepAliveSeconds);
    message.set_network(network.toStdString());
    QByteArray payload(qsizetype(message.ByteSizeLong()), Qt::Uninitialized);
    message.SerializeWithCachedSizesToArray(reinterpret_cast<quint8 *>(payload.data()));

    PushEnvelope envelope;
    envelope.pushId = QStringLiteral("keep-alive/%1/%2").arg(network).arg(keepAliveSeconds);
    envelope.deviceId = deviceId;
    envelope.sentAt = sentAt;
    envelope.expiresAt = expiresAt;
    envelope.contentType = KeepAliveOfferContentType;
    envelope.payload = payload;
    return envelope;
}

std::optional<KeepAliveOffer> KeepAliveOffer::fromEnvelope(const PushEnvelope &envelope)
{
    if (envelope.contentType != KeepAliveOfferContentType || envelope.payload.size() > std::numeric_limits<int>::max())
        return std::nullopt;
    v1::KeepAliveOffer message;
    // The payload comes from the network: a parse failure is an answer, not a log line.
#if GOOGLE_PROTOBUF_VERSION < 4022000
    const google::protobuf::LogSilencer quiet;
#endif
    if (!message.ParseFromArray(envelope.payload.constData(), int(envelope.payload.size())))
        return std::nullopt;
    if (message.keep_alive_seconds() < 1 || message.keep_alive_seconds() > 65535)
        return std::nullopt;
    return KeepAliveOffer{message.keep_alive_seconds(),
                          QString::fromUtf8(message.network().data(), qsizetype(message.network().size()))};
}

} // namespace hermes::push
