#pragma once
/// The keep-alive offer: a signed control message telling a smart-heartbeat device the
/// longest idle interval its network's NAT is known to allow (docs/PUSH.md "Keep-alive
/// offers"). It travels as an ordinary PushEnvelope — unsequenced, with its own content
/// type — so it is signed, verified and expired exactly like a push.

#include "envelope.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace hermes::push {

/// The envelope content type that marks a keep-alive offer (and the MQTT 5 content type of
/// the PUBLISH carrying it), so a device never hands one to its application.
inline constexpr QLatin1StringView KeepAliveOfferContentType{"application/vnd.hermes.control.keep-alive.v1+protobuf"};

struct KeepAliveOffer {
    quint32 keepAliveSeconds = 0; ///< heartbeat at least this often; 1..65535
    QString network;              ///< where the broker placed the device, for logs

    /// An unsigned, unsequenced envelope for `deviceId` carrying this offer: push id
    /// "keep-alive/{network}/{seconds}", sent at `sentAt`, dropped by the device after
    /// `expiresAt` (an offer queued for an offline device may be stale when it arrives).
    /// Sign it with a Signer before sending.
    PushEnvelope toEnvelope(const QString &deviceId, const QDateTime &sentAt, const QDateTime &expiresAt) const;

    /// The offer an envelope carries, or nothing: another content type, a payload that is
    /// not a KeepAliveOffer, or a keep-alive outside 1..65535. Says nothing about the
    /// signature: verify the envelope first.
    static std::optional<KeepAliveOffer> fromEnvelope(const PushEnvelope &envelope);

    bool operator==(const KeepAliveOffer &) const = default;
};

} // namespace hermes::push
