#include "pushtransport.h"

#include "mqtt/topic.h"

namespace hermes {

BrokerPushTransport::BrokerPushTransport(Broker &broker, QObject *parent)
    : PushTransport(parent)
    , m_broker(broker)
{
    connect(&m_broker, &Broker::tracedDelivery, this, &PushTransport::delivery);
    connect(&m_broker, &Broker::clientMessage, this, [this](const ClientIdentity &publisher, const mqtt::Publish &publish) {
        // The broker's taps are shared with the admin API: pass on only what was asked for.
        for (const QString &filter : std::as_const(m_filters)) {
            if (mqtt::topicMatches(filter, publish.topic)) {
                emit inbound(publisher, publish);
                return;
            }
        }
    });
}

bool BrokerPushTransport::deliverTraced(mqtt::Publish message, const QString &deviceId, quint64 trace)
{
    return m_broker.publishTraced(std::move(message), deviceId, trace);
}

void BrokerPushTransport::publish(mqtt::Publish message)
{
    m_broker.publish(std::move(message));
}

void BrokerPushTransport::listen(const QString &filter)
{
    m_filters.append(filter);
    m_broker.addMessageTap(filter);
}

} // namespace hermes
