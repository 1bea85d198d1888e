#pragma once
/// The one seam between the push service and the brokers that carry its messages: the
/// embedded Broker (BrokerPushTransport) or an external cluster (UpstreamLink).

#include "engine/broker.h"

#include <QObject>

#include <optional>

namespace hermes {

/// Carries the push service's envelopes to devices and brings back what devices publish on
/// the receipt and registration topics. Lives on the push service's thread.
class PushTransport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    /// Hands a message for `deviceId` over and follows it: delivery(trace, …) reports what
    /// becomes of it. False when nothing was taken (the device has no session to take it):
    /// the push service parks the delivery until the device subscribes.
    virtual bool deliverTraced(mqtt::Publish message, const QString &deviceId, quint64 trace) = 0;
    /// Publishes without following it (a topic push).
    virtual void publish(mqtt::Publish message) = 0;
    /// Starts reporting devices' PUBLISHes on `filter` through inbound().
    virtual void listen(const QString &filter) = 0;

    /// The highest QoS this transport delivers at; a push asking for more is downgraded and
    /// its report says so.
    virtual mqtt::QoS maximumQoS() const { return mqtt::QoS::ExactlyOnce; }
    /// Whether queued copies are dropped when their Message Expiry passes (MQTT 5); without
    /// it only the envelope's expiresAt and the report enforce a TTL.
    virtual bool expiresQueuedMessages() const { return true; }
    /// Whether a copy lost with a device's connection is reported (DeliveryStage::Abandoned,
    /// as the broker's sessions do). A cluster does not tell: the push service then sends
    /// again what a device has not receipted when the device registers after reconnecting.
    virtual bool reportsAbandonedCopies() const { return true; }
    /// Where a delivery goes now, for the report: empty for the embedded broker, else
    /// e.g. "upstream 127.0.0.1:5672".
    virtual QString route() const { return {}; }

signals:
    /// A traced message moved on (see DeliveryStage).
    void delivery(quint64 trace, hermes::DeliveryStage stage, const QString &detail);
    /// A device published on a listened-to topic. `publisher` is who sent it when the
    /// transport knows (the embedded broker does); nullopt when it cannot tell and its own
    /// permissions decide who may publish on a device's topics (an upstream cluster).
    void inbound(const std::optional<hermes::ClientIdentity> &publisher, const hermes::mqtt::Publish &publish);
};

/// The embedded broker as a push transport: traced publishes into its sessions, message taps
/// for what devices send.
class BrokerPushTransport final : public PushTransport
{
    Q_OBJECT
public:
    explicit BrokerPushTransport(Broker &broker, QObject *parent = nullptr);

    bool deliverTraced(mqtt::Publish message, const QString &deviceId, quint64 trace) override;
    void publish(mqtt::Publish message) override;
    void listen(const QString &filter) override;

private:
    Broker &m_broker;
    QStringList m_filters;
};

} // namespace hermes
