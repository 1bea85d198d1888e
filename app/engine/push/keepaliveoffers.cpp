#include "keepaliveoffers.h"

#include "push/keepaliveoffer.h"
#include "push/tagexpression.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcOffers, "hermes.push.offers")

namespace hermes {

namespace {
/// Drain ticks per second: small batches, evenly spread.
constexpr int TicksPerSecond = 10;
} // namespace

KeepAliveOffers::KeepAliveOffers(Broker &broker, const PushService &push, KeepAliveOfferConfig config, QObject *parent)
    : QObject(parent), m_broker(broker), m_push(push), m_config(std::move(config)), m_drain(this)
{
    m_config.offersPerSecond = std::max(1, m_config.offersPerSecond);
    const PushConfig &pushConfig = m_push.config();
    if (!pushConfig.signingKeyId.isEmpty() && !pushConfig.signingKey.isEmpty())
        m_signer.emplace(pushConfig.signingKeyId, pushConfig.signingKey);
    m_drain.setInterval(1000 / TicksPerSecond);
    connect(&m_drain, &QTimer::timeout, this, &KeepAliveOffers::drain);
}

void KeepAliveOffers::start()
{
    if (!m_signer) {
        qCInfo(lcOffers) << "no push_signing_key: smart-heartbeat devices get no keep-alive offers";
        return;
    }
    connect(&m_broker, &Broker::clientSubscribed, this, [this](const QString &clientId) { offer(clientId); });
    m_broker.fleet().setAdviceListener([this](const QString &network, quint16) { onAdviceChanged(network); });
}

void KeepAliveOffers::onAdviceChanged(const QString &network)
{
    const push::TagExpressionResult parsed = push::TagExpression::parse(m_config.smartHeartbeatTag);
    const auto *tagged = std::get_if<push::TagExpression>(&parsed);
    if (!tagged)
        return;
    const analytics::FleetAnalytics &analytics = m_broker.fleet().analytics();
    qsizetype queued = 0;
    for (const QString &id : m_push.devices().matching(*tagged)) {
        const std::optional<QHostAddress> peer = m_broker.peerOf(id);
        if (!peer || analytics.networkOf(*peer) != network || m_queued.contains(id))
            continue;
        m_queue.push_back(id);
        m_queued.insert(id);
        ++queued;
    }
    qCInfo(lcOffers).nospace() << "network " << network << ": offering " << m_broker.fleet().appliedKeepAliveOnWire(network)
                               << " s to " << queued << " smart-heartbeat devices, " << m_config.offersPerSecond << " per second";
    if (!m_queue.empty() && !m_drain.isActive())
        m_drain.start();
}

void KeepAliveOffers::drain()
{
    // At least one per tick: a rate under TicksPerSecond rounds up to it.
    for (int budget = (m_config.offersPerSecond + TicksPerSecond - 1) / TicksPerSecond; budget > 0 && !m_queue.empty();) {
        const QString id = m_queue.front();
        m_queue.pop_front();
        m_queued.remove(id);
        if (offer(id))
            --budget;
    }
    if (m_queue.empty())
        m_drain.stop();
}

bool KeepAliveOffers::offer(const QString &deviceId)
{
    const DeviceRecord *device = m_push.devices().find(deviceId);
    if (!device || !device->tags.contains(m_config.smartHeartbeatTag))
        return false;
    const std::optional<QHostAddress> peer = m_broker.peerOf(deviceId);
    if (!peer)
        return false;
    analytics::FleetMonitor &fleet = m_broker.fleet();
    const QString network = fleet.analytics().networkOf(*peer);
    const quint16 seconds = fleet.isActing(network) ? fleet.appliedKeepAliveOnWire(network) : 0;
    const QString topic = m_push.config().pushTopic.topicFor(deviceId);
    if (seconds == 0 || !m_broker.subscribesTo(deviceId, topic))
        return false;

    const QDateTime now = QDateTime::currentDateTimeUtc();
    const push::PushEnvelope envelope = m_signer->sign(
            push::KeepAliveOffer{seconds, network}.toEnvelope(deviceId, now, now.addSecs(m_config.lifetime.count())));
    mqtt::Publish publish;
    publish.topic = topic;
    publish.payload = envelope.toBytes();
    publish.qos = mqtt::QoS::AtLeastOnce;
    publish.properties.contentType = QString(push::EnvelopeContentType);
    publish.properties.messageExpiryInterval = quint32(m_config.lifetime.count());
    m_broker.publish(std::move(publish));
    fleet.offerSent(network);
    return true;
}

} // namespace hermes
