// The Broker's part in a session's life: CONNECT (take-over, resume or a new session), the
// end of a connection (wills, offline state), the session's end and its deadlines.
#include "../broker.h"

#include "engine/io/connection.h"
#include "engine/io/connectioncontext.h"

#include <QLoggingCategory>
#include <QUuid>

Q_DECLARE_LOGGING_CATEGORY(lcBroker)

namespace hermes {

using namespace mqtt;

Session *Broker::sessionFor(const QString &clientId) const
{
    return m_sessions.find(clientId);
}

Session &Broker::createSession(const QString &clientId)
{
    Session &session = m_sessions.create(clientId);
    m_counters.clientsTotal = quint64(m_sessions.size());
    return session;
}

void Broker::endSession(Session &session)
{
    Q_ASSERT(!session.connection);
    // The session ends: a will still waiting for its delay goes out now [MQTT-3.1.3-9].
    if (session.pendingWill)
        publishWill(session.clientId, std::exchange(session.pendingWill, nullptr)->will);
    m_router.subscriptions().removeSubscriber(session.id);
    if (session.offlineState)
        abandonTraced(*session.offlineState, tr("session ended"));
    if (store()) {
        store()->deleteSession(session.clientId);
        m_gate.scheduleCommit();
    }
    m_telemetry.recordSessionRemoved(session.clientId);
    m_sessions.remove(session);
    m_counters.clientsTotal = quint64(m_sessions.size());
    m_counters.subscriptionCount = quint64(m_router.subscriptions().size());
}

void Broker::abandonTraced(const SessionState &state, const QString &why)
{
    for (const OutboundMessage &message : state.inflight) {
        if (message.message.trace)
            emit tracedDelivery(message.message.trace, DeliveryStage::Abandoned, why);
    }
    for (const QueuedMessage &message : state.queued) {
        if (message.trace)
            emit tracedDelivery(message.trace, DeliveryStage::Abandoned, why);
    }
}

QString Broker::assignClientId()
{
    // Unique within this broker's life and unlikely to collide with client-chosen IDs.
    return QStringLiteral("hermes-%1-%2")
        .arg(++m_assignedIds)
        .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
}

ConnectDecision Broker::onConnectRequested(Connection &connection, const Connect &connect)
{
    const Timestamp at = now();
    const auto refuse = [](ReasonCode code) { return ConnectDecision{code, {}, {}}; };
    // No enhanced authentication method is offered, so asking for one is refused
    // [MQTT-4.12.0-1] (v5 3.1.2.11.9: 0x8C Bad authentication method).
    if (connect.version == ProtocolVersion::V5 && connect.properties.authenticationMethod) {
        ++m_counters.connectionsRefused;
        return refuse(ReasonCode::BadAuthenticationMethod);
    }
    // MQTT 3.1 limits client identifiers to 23 characters (3.1 spec, CONNECT payload);
    // 3.1.1 and 5.0 lifted the limit.
    if (connect.version == ProtocolVersion::V3_1 && connect.clientId.size() > 23) {
        ++m_counters.connectionsRefused;
        return refuse(ReasonCode::ClientIdentifierNotValid);
    }
    ConnectAcceptance acceptance;
    QString clientId = connect.clientId;
    if (clientId.isEmpty()) {
        // [MQTT-3.1.3-6] / v5 3.1.3.1: the server assigns a unique ID; v5 is told which.
        clientId = assignClientId();
        if (connect.version == ProtocolVersion::V5)
            acceptance.assignedClientIdentifier = clientId;
    }

    const auto login = m_security.login(connect, clientId, connection, at);
    if (const auto *refusal = std::get_if<ReasonCode>(&login))
        return refuse(*refusal);
    const ClientIdentity identity = std::get<ClientIdentity>(login);
    // In upstream mode the devices live on the cluster; this broker serves operators only.
    if (m_config.upstream.enabled() && identity.role != Role::Operator) {
        qCInfo(lcBroker).noquote() << "refused" << clientId << ": in upstream mode devices connect to the cluster, "
                                      "and this broker serves operators only";
        ++m_counters.connectionsRefused;
        return refuse(ReasonCode::NotAuthorized);
    }

    quint32 expiry = 0;
    if (connect.version == ProtocolVersion::V5)
        expiry = connect.properties.sessionExpiryInterval.value_or(0);
    else
        expiry = connect.cleanStart ? 0 : Session::NeverExpires;
    if (expiry > m_config.maxSessionExpirySeconds) {
        expiry = m_config.maxSessionExpirySeconds;
        if (connect.version == ProtocolVersion::V5)
            acceptance.sessionExpiryInterval = expiry;
    }

    Session *session = sessionFor(clientId);
    if (session && session->connection) {
        // Take-over [MQTT-3.1.4-3]: the existing connection is closed (v5: 0x8E). Its will
        // follows the normal rules; a will delay is cancelled by this reconnection below.
        ++m_counters.takeOvers;
        Connection *previous = session->connection;
        previous->disconnect(ReasonCode::SessionTakenOver, CloseReason::TakenOver);
        session = sessionFor(clientId); // the close may have ended a non-persistent session
    }
    // What fell due before this CONNECT happens first, even if its timer has not fired yet:
    // a will whose delay is over is published before the session is resumed [MQTT-3.1.2-8],
    // and an expired session is not resumed.
    if (session && !runDueTimers(*session, at))
        session = nullptr;
    if (session && connect.cleanStart) {
        endSession(*session);
        session = nullptr;
    }
    const bool sessionPresent = session != nullptr;
    if (!session)
        session = &createSession(clientId);

    // The client is back before its will delay ran out: no will [MQTT-3.1.3-9].
    session->pendingWill.reset();
    session->expiresAt.reset();
    m_sessions.cancelDeadline(*session);
    session->connection = &connection;
    // A resumed session's subscriptions were granted to whoever held it before.
    const bool identityChanged = sessionPresent && (session->userName != identity.userName || session->role != identity.role);
    session->userName = identity.userName;
    session->role = identity.role;
    if (identityChanged)
        m_security.dropForbiddenSubscriptions(*session, m_router);
    session->version = connect.version;
    session->cleanStart = connect.cleanStart;
    session->expirySeconds = expiry;
    connection.setSession(session);

    SessionActivity &activity = session->activity;
    const qint64 wall = wallNow();
    activity.address = connection.peerAddress();
    activity.keepAliveSeconds = m_config.limits.serverKeepAlive.value_or(connect.keepAliveSeconds);
    if (connect.version == ProtocolVersion::V5) {
        if (const auto keepAlive = m_fleet->serverKeepAliveFor(connection.peerAddress().host(), activity.keepAliveSeconds)) {
            acceptance.extraProperties.serverKeepAlive = *keepAlive;
            activity.keepAliveSeconds = *keepAlive;
        }
    }
    activity.connectedSinceMs = wall;
    activity.offlineSinceMs = 0;
    activity.lastInboundMs = wall;
    session->heartbeats.push({wall, PacketType::Connect, true, 0});
    session->dirty = true;

    ++m_counters.clientsConnected;
    m_counters.clientsMaximum = std::max(m_counters.clientsMaximum, m_counters.clientsConnected);
    m_counters.clientsDisconnected = m_counters.clientsTotal - m_counters.clientsConnected;

    acceptance.sessionPresent = sessionPresent;
    SessionState state = session->offlineState ? std::move(*session->offlineState) : SessionState{};
    session->offlineState.reset();
    session->inflightTags.clear();
    for (const OutboundMessage &message : std::as_const(state.inflight)) {
        if (message.message.tag != 0)
            session->inflightTags.insert(message.packetId, message.message.tag);
    }
    if (store() && session->isPersistent()) {
        store()->saveSession(clientId, expiry, connect.version, 0);
        m_gate.scheduleCommit();
    }
    return ConnectDecision{std::nullopt, std::move(acceptance), std::move(state)};
}

void Broker::onConnectAccepted(Connection &connection)
{
    if (const Session *session = connection.session()) {
        m_fleet->connectionAccepted(session->clientId, connection.peerAddress().host(), now());
        emit clientConnected(session->clientId);
    }
}

void Broker::onConnectionClosed(Connection &connection, const CloseConnection &close, ClosedConnection closed)
{
    m_admission.closed();
    m_connectionContext->retire(connection);
    Session *session = connection.session();
    connection.setSession(nullptr);
    if (close.reason == CloseReason::ProtocolError)
        ++m_counters.protocolErrors;
    if (close.reason == CloseReason::KeepAliveTimeout)
        ++m_counters.keepAliveTimeouts;
    if (!session || session->connection != &connection)
        return;

    const Timestamp at = now();
    const qint64 wall = wallNow();
    m_fleet->connectionEnded(session->clientId, connection.peerAddress().host(), close.reason,
                             closed.lastInboundAt, at);
    session->offlineState = std::make_unique<SessionState>(std::move(closed.state));
    session->connection = nullptr;
    if (close.sessionExpiryInterval)
        session->expirySeconds = *close.sessionExpiryInterval;
    --m_counters.clientsConnected;

    CloseInfo info{close.reason, close.reasonCode, close.detail, wall, false};
    const Will *const will = closed.will;
    if (close.publishWill && will) {
        const quint32 delay = will->properties.willDelayInterval.value_or(0);
        if (delay == 0 || !session->isPersistent()) {
            publishWill(session->clientId, *will);
            info.willPublished = true;
        } else {
            // The will waits for its delay or the session's end, whichever is first [MQTT-3.1.3-9].
            const quint32 wait = std::min(delay, session->expirySeconds);
            session->pendingWill = std::make_unique<Session::PendingWill>(Session::PendingWill{*will, at + std::chrono::seconds(wait)});
        }
    }
    session->activity.connectedSinceMs = 0;
    session->activity.offlineSinceMs = wall;
    session->closes.push(info);
    session->refreshBacklog();
    const QString clientId = session->clientId;

    if (!session->isPersistent()) {
        endSession(*session);
    } else {
        if (session->expirySeconds != Session::NeverExpires)
            session->expiresAt = at + std::chrono::seconds(session->expirySeconds);
        scheduleSessionDeadline(*session);
        if (store()) {
            store()->saveSession(clientId, session->expirySeconds, session->version, wall);
            m_gate.scheduleCommit();
        }
    }
    m_counters.clientsDisconnected = m_counters.clientsTotal - m_counters.clientsConnected;
    emit clientDisconnected(clientId, info);
}

void Broker::publishWill(const QString &clientId, const Will &will)
{
    qCDebug(lcBroker) << "publishing will of" << clientId << "on" << will.topic;
    Publish message;
    message.topic = will.topic;
    message.payload = will.payload;
    message.qos = will.qos;
    message.retain = will.retain;
    message.properties = will.properties;
    message.properties.willDelayInterval.reset();
    publish(std::move(message));
}

bool Broker::kick(const QString &clientId)
{
    Session *session = sessionFor(clientId);
    if (!session || !session->connection)
        return false;
    Connection *connection = session->connection;
    connection->disconnect(ReasonCode::AdministrativeAction, CloseReason::Kicked);
    return true;
}

bool Broker::runDueTimers(Session &session, Timestamp at)
{
    if (session.pendingWill && session.pendingWill->dueAt <= at) {
        publishWill(session.clientId, std::exchange(session.pendingWill, nullptr)->will);
        if (CloseInfo *last = session.closes.recent(0))
            last->willPublished = true;
    }
    if (!session.connection && session.expiresAt && *session.expiresAt <= at) {
        endSession(session);
        return false;
    }
    if (!session.connection && session.offlineState)
        dropExpiredOffline(session, at);
    scheduleSessionDeadline(session);
    return true;
}

void Broker::dropExpiredOffline(Session &session, Timestamp at)
{
    // [MQTT-3.3.2-5] an expired message is not delivered; in-flight ones are resent as
    // they are (their delivery has begun).
    QList<QueuedMessage> &queued = session.offlineState->queued;
    const qsizetype before = queued.size();
    queued.removeIf([&](const QueuedMessage &message) {
        if (!message.expiresAt || *message.expiresAt > at)
            return false;
        ++m_counters.publishDropped;
        ++session.activity.messagesDropped;
        if (message.trace)
            emit tracedDelivery(message.trace, DeliveryStage::Expired, QString());
        if (store() && message.tag) {
            store()->deleteMessage(message.tag);
            m_gate.scheduleCommit();
        }
        return true;
    });
    if (queued.size() != before)
        session.refreshBacklog();
}

void Broker::scheduleSessionDeadline(Session &session)
{
    if (m_sessions.scheduleDeadline(session))
        armDeadlineTimer();
}

void Broker::onDeadlines()
{
    const Timestamp at = now();
    for (const SubscriberId id : m_sessions.takeDue(at)) {
        if (Session *session = m_sessions.find(id))
            runDueTimers(*session, at);
    }
    const QStringList expiredTopics = m_retained.expire(at);
    if (!expiredTopics.isEmpty()) {
        m_counters.retainedCount = quint64(m_retained.size());
        if (store()) {
            for (const QString &topic : expiredTopics)
                store()->deleteRetained(topic);
            m_gate.scheduleCommit();
        }
    }
    armDeadlineTimer();
}

void Broker::armDeadlineTimer()
{
    if (!m_running)
        return; // start() arms it; nothing fires after stop()
    std::optional<Timestamp> next = m_sessions.earliestDeadline();
    if (const std::optional<Timestamp> retained = m_retained.nextExpiry())
        next = next ? std::min(*next, *retained) : *retained;
    if (!next) {
        m_deadlineTimer.stop();
        return;
    }
    const auto wait = std::max(*next - now(), Duration::zero());
    // Restarting a timer that already fires no later would only cost a timer update.
    if (m_deadlineTimer.isActive() && m_deadlineTimer.remainingTimeAsDuration() <= wait)
        return;
    m_deadlineTimer.start(wait);
}

} // namespace hermes
