#pragma once
/// Keep-alive offers: the broker's advice for a network, sent as a signed control message
/// to the smart-heartbeat devices on networks it acts on (docs/PUSH.md "Keep-alive offers").

#include "pushservice.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <deque>

namespace hermes {

struct KeepAliveOfferConfig {
    /// A device says it runs smart heartbeat with this tag in the device registry (its
    /// registration on devices/{id}/register, or an operator's devices/update).
    QString smartHeartbeatTag = QStringLiteral("heartbeat:smart");
    /// When a network's advice changes, its devices hear it at most this many per second,
    /// so a change never costs the broker a burst to the whole fleet at once.
    int offersPerSecond = 100;
    /// An offer left in an offline device's queue longer than this is dropped unread.
    std::chrono::seconds lifetime{3600};
};

/// Lives on the broker's thread beside the PushService, whose topic, signing key and device
/// registry it uses. Sends an offer to a tagged device when it subscribes to its push topic
/// (each connection), and to every tagged device of a network when that network's applied
/// keep-alive changes (paced). Sends nothing without a signing key: devices must be able to
/// tell an offer from a forgery.
class KeepAliveOffers : public QObject
{
    Q_OBJECT
public:
    KeepAliveOffers(Broker &broker, const PushService &push, KeepAliveOfferConfig config = {},
                    QObject *parent = nullptr);

    /// Listens for subscriptions and advice changes.
    void start();
    const KeepAliveOfferConfig &config() const { return m_config; }

private:
    void onAdviceChanged(const QString &network);
    void drain();
    /// Sends the offer of its network to a connected, tagged device subscribed to its push
    /// topic on an acting network with an applied value; false when it is none of these.
    bool offer(const QString &deviceId);

    Broker &m_broker;
    const PushService &m_push;
    KeepAliveOfferConfig m_config;
    std::optional<push::Signer> m_signer;
    std::deque<QString> m_queue; ///< devices to hear a changed advice, in turn
    QSet<QString> m_queued;
    QTimer m_drain;
};

} // namespace hermes
