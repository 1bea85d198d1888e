// The Broker's routing: a client's or the broker's own message to retained storage and
// to every matching session, and what became of each copy.
#include "../broker.h"

#include "engine/io/connection.h"

#include "mqtt/topic.h"

#include <QLoggingCategory>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcBroker)

namespace hermes {

using namespace mqtt;

std::optional<Timestamp> Broker::expiryFor(const Publish &publish) const
{
    if (!publish.properties.messageExpiryInterval)
        return std::nullopt;
    return now() + std::chrono::seconds(*publish.properties.messageExpiryInterval);
}

std::optional<ReasonCode> Broker::onMessageFromClient(Connection &connection, Publish publish)
{
    Session *session = connection.session();
    if (!session)
        return std::nullopt;
    ++session->activity.messagesIn;
    session->dirty = true;
    const std::optional<quint16> packetId = publish.packetId;
    const QoS qos = publish.qos;

    // Clients may not write the broker's own $SYS tree (mosquitto refuses it as well), nor
    // what the ACL does not grant. A refusal is a v5 reason code; 3.x has none, so the
    // message is acknowledged and dropped [MQTT-3.3.5-2].
    const bool allowed = !publish.topic.startsWith(QLatin1String("$SYS"))
        && m_security.mayPublish(session->identity(), publish.topic);
    if (!allowed)
        ++m_counters.accessDenials;
    bool matched = false;
    if (allowed) {
        if (publish.retain)
            applyRetained(publish);
        matched = route(publish, session->id);
        if (!m_messageTaps.isEmpty()
            && std::any_of(m_messageTaps.cbegin(), m_messageTaps.cend(),
                           [&](const QString &filter) { return topicMatches(filter, publish.topic); })) {
            matched = true;
            emit clientMessage(session->identity(), publish);
        }
    }
    if (qos == QoS::AtMostOnce || !packetId)
        return std::nullopt;
    ReasonCode code = ReasonCode::Success;
    if (session->version == ProtocolVersion::V5) {
        if (!allowed)
            code = ReasonCode::NotAuthorized;
        else if (!matched)
            code = ReasonCode::NoMatchingSubscribers;
    }
    if (store() && qos == QoS::ExactlyOnce && session->isPersistent())
        store()->addInboundAwaitingRelease(session->clientId, *packetId);
    // The acknowledgement promises the message is safe; the output gate holds it until
    // the writes queued for it are committed.
    return code;
}

void Broker::applyRetained(const Publish &publish)
{
    const bool clearing = publish.payload.isEmpty();
    const std::optional<Timestamp> expiresAt = expiryFor(publish);
    const qint64 wall = wallNow();
    if (!m_retained.apply(publish, expiresAt, wall))
        return;
    if (expiresAt)
        armDeadlineTimer();
    m_counters.retainedCount = quint64(m_retained.size());
    if (!store() || publish.topic.startsWith(QLatin1Char('$')))
        return;
    if (clearing)
        store()->deleteRetained(publish.topic);
    else
        store()->saveRetained(m_retained.all().value(publish.topic).publish, wallTime(expiresAt), wall);
    m_gate.scheduleCommit();
}

std::optional<qint64> Broker::wallTime(std::optional<Timestamp> at) const
{
    if (!at)
        return std::nullopt;
    return wallNow() + (*at - now()).count();
}

bool Broker::publishTraced(Publish message, const QString &clientId, quint64 trace)
{
    const Session *target = sessionFor(clientId);
    if (!target)
        return false;
    TracedCopy traced{target->id, trace, false};
    publishAsBroker(std::move(message), &traced);
    return traced.accepted;
}

void Broker::addMessageTap(const QString &filter)
{
    if (!m_messageTaps.contains(filter))
        m_messageTaps.append(filter);
}

bool Broker::subscribesTo(const QString &clientId, const QString &topic) const
{
    const Session *session = sessionFor(clientId);
    return session && m_router.subscribesTo(session->id, topic);
}

bool Broker::hasSubscribers(const QString &topic) const
{
    return m_router.hasSubscribers(topic);
}

std::optional<ClientIdentity> Broker::identityOf(const QString &clientId) const
{
    const Session *session = sessionFor(clientId);
    if (!session || !session->connection)
        return std::nullopt;
    return session->identity();
}

std::optional<QHostAddress> Broker::peerOf(const QString &clientId) const
{
    const Session *session = sessionFor(clientId);
    if (!session || !session->connection)
        return std::nullopt;
    return session->connection->peerAddress().host();
}

void Broker::publish(Publish message)
{
    publishAsBroker(std::move(message), nullptr);
}

void Broker::publishAsBroker(Publish message, TracedCopy *traced)
{
    message.packetId.reset();
    message.dup = false;
    if (message.retain)
        applyRetained(message);
    route(message, std::nullopt, traced);
}

bool Broker::route(const Publish &publish, std::optional<SubscriberId> publisher, TracedCopy *traced)
{
    if (m_telemetry.isEnabled()) {
        QString from;
        if (publisher) {
            if (const Session *session = m_sessions.find(*publisher))
                from = session->clientId;
        }
        m_telemetry.recordMessage(publish, from, wallNow());
    }
    const Router::Routing routing = m_router.route(publish, publisher, [this](SubscriberId id) {
        const Session *session = m_sessions.find(id);
        return session && session->connection;
    });
    const std::optional<Timestamp> expiresAt = expiryFor(publish);
    for (const Recipient &recipient : routing.recipients) {
        Session *session = m_sessions.find(recipient.subscriber);
        if (!session)
            continue;
        const bool isTraced = traced && traced->subscriber == recipient.subscriber;
        const bool taken = deliver(*session, publish, recipient.qos, recipient.retain,
                                   recipient.subscriptionIdentifiers, expiresAt, isTraced ? traced->trace : 0);
        if (isTraced)
            traced->accepted = taken;
    }
    return routing.matched;
}

bool Broker::deliver(Session &session, const Publish &publish, QoS qos, bool retain,
                     const QList<quint32> &subscriptionIdentifiers, std::optional<Timestamp> expiresAt,
                     quint64 trace)
{
    QueuedMessage message;
    message.publish.topic = publish.topic;
    message.publish.payload = publish.payload;
    message.publish.qos = qos;
    message.publish.retain = retain;
    message.publish.properties = publish.properties;
    message.publish.properties.topicAlias.reset();
    message.publish.properties.subscriptionIdentifiers = subscriptionIdentifiers;
    // The machine sends the remaining lifetime, so a retained message delivered late
    // carries less than it was published with [MQTT-3.3.2-6].
    message.expiresAt = expiresAt;
    message.trace = trace;
    // Taken unless an offline session cannot keep it (below).
    const bool taken = session.connection || (session.isPersistent() && qos != QoS::AtMostOnce);
    if (trace && taken)
        emit tracedDelivery(trace, DeliveryStage::Queued, {});
    if (store() && session.isPersistent() && qos != QoS::AtMostOnce) {
        message.tag = store()->addMessage(session.clientId, message.publish, wallTime(message.expiresAt));
        m_gate.scheduleCommit();
    }

    if (Connection *connection = session.connection) {
        connection->deliver(std::move(message));
        session.refreshBacklog();
        return true;
    }
    // Offline: only persistent sessions keep messages, and only QoS 1/2 (as mosquitto's
    // default queue_qos0_messages false) [MQTT-3.1.2-5].
    if (!taken)
        return false;
    if (!session.offlineState)
        session.offlineState = std::make_unique<SessionState>();
    if (qsizetype(session.offlineState->queued.size()) >= m_config.limits.maxQueuedMessages) {
        if (store() && message.tag)
            store()->deleteMessage(message.tag);
        if (message.trace)
            emit tracedDelivery(message.trace, DeliveryStage::Failed, tr("offline queue full"));
        ++m_counters.publishDropped;
        ++m_counters.droppedQueueFull;
        ++session.activity.messagesDropped;
        session.dirty = true;
        return true;
    }
    // Its expiry is a deadline of the session: an offline device's message expires (and its
    // push is reported expired) on time, not when the device comes back.
    if (message.expiresAt && m_sessions.dueBy(session, *message.expiresAt))
        armDeadlineTimer();
    session.offlineState->queued.push_back(std::move(message));
    session.refreshBacklog();
    return true;
}

void Broker::onMessageCompleted(Connection &connection, const MessageCompleted &completed)
{
    if (completed.trace) {
        const bool success = quint8(completed.reasonCode) < 0x80;
        emit tracedDelivery(completed.trace, success ? DeliveryStage::Acknowledged : DeliveryStage::Failed,
                            success ? QString() : tr("refused by the client: %1").arg(reasonCodeName(completed.reasonCode)));
    }
    if (Session *session = connection.session()) {
        if (const quint64 tag = session->inflightTags.take(completed.packetId); tag && store()) {
            store()->deleteMessage(tag);
            m_gate.scheduleCommit();
        }
        ++session->activity.messagesOut;
        session->refreshBacklog();
    }
}

void Broker::onMessageDropped(Connection &connection, const MessageDropped &dropped)
{
    ++m_counters.publishDropped;
    ++(dropped.reason == DropReason::QueueFull ? m_counters.droppedQueueFull
       : dropped.reason == DropReason::Expired ? m_counters.droppedExpired
                                               : m_counters.droppedTooLarge);
    if (dropped.message.trace) {
        const bool expired = dropped.reason == DropReason::Expired;
        emit tracedDelivery(dropped.message.trace, expired ? DeliveryStage::Expired : DeliveryStage::Failed,
                            dropped.reason == DropReason::QueueFull ? tr("queue full")
                            : expired ? QString() : tr("too large for the client"));
    }
    if (store() && dropped.message.tag) {
        store()->deleteMessage(dropped.message.tag);
        m_gate.scheduleCommit();
    }
    if (Session *session = connection.session()) {
        ++session->activity.messagesDropped;
        session->dirty = true;
        qCInfo(lcBroker) << session->clientId << "dropped a message on" << dropped.message.publish.topic
                         << "reason" << int(dropped.reason);
    }
}

void Broker::onOutputDropped(Connection &connection, const SendPacket &dropped)
{
    ++m_counters.publishDropped;
    ++m_counters.droppedSlowReader;
    if (dropped.trace)
        emit tracedDelivery(dropped.trace, DeliveryStage::Failed, tr("the client is not reading"));
    if (Session *session = connection.session()) {
        ++session->activity.messagesDropped;
        session->dirty = true;
    }
}

bool Broker::deleteRetained(const QString &topic)
{
    const bool removed = m_retained.remove(topic);
    if (removed && store()) {
        store()->deleteRetained(topic);
        m_gate.scheduleCommit();
    }
    m_counters.retainedCount = quint64(m_retained.size());
    return removed;
}

} // namespace hermes
