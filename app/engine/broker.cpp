#include "broker.h"

#include "connection.h"
#include "connectioncontext.h"
#include "io/sockettransport.h"

#include "broker/storerestore.h"

#include "mqtt/topic.h"

#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QTcpServer>
#include <QUuid>

#include <algorithm>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcBroker, "hermes.broker")

namespace hermes {

using namespace mqtt;

namespace {

qint64 wallNow()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QoS minQoS(QoS a, QoS b)
{
    return quint8(a) < quint8(b) ? a : b;
}

} // namespace

Broker::Broker(BrokerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_sharedLimits(std::make_shared<const ServerLimits>(m_config.limits))
    , m_listeners(m_config)
    , m_connectionContext(std::make_unique<ConnectionContext>(*this))
    , m_sysTopics(m_config.sysIntervalSeconds)
    , m_fleet(std::make_unique<analytics::FleetMonitor>(m_config.networks, [this] { return now(); }))
{
    m_clock.start();
    m_housekeeping.setInterval(std::chrono::milliseconds(250));
    connect(&m_housekeeping, &QTimer::timeout, this, &Broker::housekeeping);
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &Broker::onDeadlines);
    connect(&m_gate, &DurabilityGate::storeError, this, &Broker::storeError);
    connect(&m_listeners, &BrokerListeners::descriptorAccepted, this, &Broker::acceptDescriptor);
    connect(&m_listeners, &BrokerListeners::localDescriptorAccepted, this, &Broker::acceptLocalDescriptor);
    connect(&m_listeners, &BrokerListeners::connectionsPending, this, &Broker::acceptPendingConnections);
    connect(&m_listeners, &BrokerListeners::handshakeFailed, this, [this](const QString &peer, const QString &error) {
        ++m_counters.tlsHandshakeFailures;
        qCInfo(lcBroker) << "TLS handshake with" << peer << "failed:" << error;
    });
}

Broker::~Broker()
{
    stop();
    // Closed connections waiting to be deleted go before the context they use.
    m_connectionContext->deleteAll();
}

bool Broker::start()
{
    if (m_running)
        return true;
    m_errorString.clear();
    if (m_config.persistence && !store() && !openStore())
        return false;
    if (m_config.persistence && m_fleet->path().isEmpty()) {
        const QString dir = m_config.dataDir.isEmpty() ? defaultDataDir() : m_config.dataDir;
        QString error;
        if (!m_fleet->open(QDir(dir).filePath(QStringLiteral("fleet-analytics.json")), &error))
            qCWarning(lcBroker) << "fleet analytics start afresh:" << error;
    }
    if (!m_listeners.open()) {
        m_errorString = m_listeners.errorString();
        return false;
    }
    m_counters.startedAtMs = wallNow();
    m_running = true;
    m_housekeeping.start();
    armDeadlineTimer();
    return true;
}

std::optional<QSslConfiguration> Broker::tlsConfiguration()
{
    std::optional<QSslConfiguration> configuration = m_listeners.tlsConfiguration();
    if (!configuration)
        m_errorString = m_listeners.errorString();
    return configuration;
}

void Broker::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_housekeeping.stop();
    m_deadlineTimer.stop();
    m_listeners.close();
    // Collect first: closing a connection changes the session table.
    QList<Connection *> open;
    for (const auto &[id, session] : m_sessions.all()) {
        if (session->connection)
            open.append(session->connection);
    }
    for (Connection *connection : std::as_const(open))
        connection->disconnect(ReasonCode::ServerShuttingDown, CloseReason::ServerShutdown);
    m_connectionContext->deleteAll();
    m_gate.commit();
    m_fleet->close();
}

void Broker::acceptDescriptor(qintptr descriptor)
{
    std::optional<QHostAddress> peer;
    if (m_admission.limitsRate()) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&address), &length) == 0)
            peer = QHostAddress(reinterpret_cast<const sockaddr *>(&address));
    }
    if (!m_admission.admit(peer, now())) {
        ::close(int(descriptor));
        return;
    }
    adopt(new Connection(descriptor, *this, m_sharedLimits));
}

void Broker::acceptLocalDescriptor(qintptr descriptor)
{
    if (!m_admission.admit(std::nullopt, now())) {
        ::close(int(descriptor));
        return;
    }
    auto *connection = new Connection(descriptor, *this, m_sharedLimits);
    m_security.setTransportIdentity(connection, TransportIdentity{PeerCredentials::of(int(descriptor)), {}});
    adopt(connection);
}

void Broker::acceptPendingConnections(QTcpServer *server)
{
    while (QTcpSocket *socket = server->nextPendingConnection()) {
        // Read before the transport takes the socket: the verified certificate's name is the
        // client's identity when use_identity_as_username is on.
        const auto *tlsSocket = qobject_cast<const QSslSocket *>(socket);
        const QString certificateName = m_config.tls.identityAsUserName && tlsSocket
            ? certificateIdentity(tlsSocket->peerCertificate())
            : QString();
        const QHostAddress peer = socket->peerAddress();
        Connection *connection = acceptTransport(std::make_unique<SocketTransport>(socket), peer);
        if (connection && !certificateName.isEmpty())
            m_security.setTransportIdentity(connection, TransportIdentity{std::nullopt, certificateName});
    }
}

Connection *Broker::acceptTransport(std::unique_ptr<Transport> transport, const QHostAddress &peer)
{
    if (!m_running || !m_admission.admit(peer, now()))
        return nullptr;
    return adopt(new Connection(std::move(transport), *this, m_sharedLimits));
}

Connection *Broker::adopt(Connection *connection)
{
    m_connectionContext->adopt(connection);
    connection->start();
    return connection;
}

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

bool Broker::setAccount(const Account &account, QString *error)
{
    if (!m_security.setAccount(account, error))
        return false;
    revalidateSessions(account.userName);
    return true;
}

bool Broker::removeAccount(const QString &userName, QString *error)
{
    if (!m_security.removeAccount(userName, error))
        return false;
    revalidateSessions(userName);
    return true;
}

void Broker::reloadAccess(const AccessSettings &settings)
{
    m_config.allowAnonymous = settings.allowAnonymous;
    m_config.anonymousRole = settings.anonymousRole;
    m_config.accounts = settings.accounts;
    m_config.aclRules = settings.aclRules;
    m_security.reload(settings);
    revalidateSessions();
}

void Broker::revalidateSessions(const std::optional<QString> &userName)
{
    const QStringList revoked = m_security.review(m_sessions, m_router, userName);
    if (revoked.isEmpty())
        return;
    QMetaObject::invokeMethod(this, [this, revoked] {
        // Committed first: a DISCONNECT must not wait behind the store's output gate.
        if (m_gate.mustHoldOutput())
            m_gate.commit();
        for (const QString &clientId : revoked) {
            Session *session = sessionFor(clientId);
            if (!session || !session->connection || m_security.recheck(*session))
                continue; // gone already, or reconnected with an identity that may stay
            ++m_counters.sessionsRevoked;
            qCInfo(lcBroker) << "closing" << clientId << ": its account or rights were withdrawn";
            session->connection->disconnect(ReasonCode::AdministrativeAction, CloseReason::Kicked);
        }
    }, Qt::QueuedConnection);
}

QString Broker::assignClientId()
{
    // Unique within this broker's life and unlikely to collide with client-chosen IDs.
    return QStringLiteral("hermes-%1-%2")
        .arg(++m_assignedIds)
        .arg(QUuid::createUuid().toString(QUuid::Id128).left(12));
}

void Broker::onPacketReceived(Connection &connection, const PacketReceived &received)
{
    ++m_counters.messagesReceived;
    if (std::holds_alternative<Publish>(received.packet))
        ++m_counters.publishReceived;
    Session *session = connection.session();
    if (!session)
        return;
    session->recordInbound(received.packet, received.wireSize, wallNow());
    if (store() && session->isPersistent()) {
        if (const auto *release = std::get_if<Pubrel>(&received.packet)) {
            store()->deleteInboundAwaitingRelease(session->clientId, release->packetId);
            m_gate.scheduleCommit();
        }
    }
}

void Broker::onPacketSent(Connection &connection, const SendPacket &sent)
{
    ++m_counters.messagesSent;
    m_counters.bytesSent += quint64(sent.bytes.size());
    const auto *publish = std::get_if<Publish>(&sent.packet);
    if (publish)
        ++m_counters.publishSent;
    if (sent.trace)
        emit tracedDelivery(sent.trace, DeliveryStage::Sent, {});
    Session *session = connection.session();
    if (!session)
        return;
    session->recordOutbound(sent.packet, sent.bytes.size(), wallNow());
    if (!store() || !session->isPersistent())
        return;
    // The store follows each in-flight message through its stages, so that a restart
    // resends a PUBLISH or a PUBREL exactly where the flow stood.
    if (publish && publish->packetId && sent.tag) {
        session->inflightTags.insert(*publish->packetId, sent.tag);
        store()->markMessageSent(sent.tag, *publish->packetId,
                                 publish->qos == QoS::AtLeastOnce ? OutboundStage::AwaitingPuback
                                                                  : OutboundStage::AwaitingPubrec);
        m_gate.scheduleCommit();
    } else if (const auto *release = std::get_if<Pubrel>(&sent.packet)) {
        if (const quint64 tag = session->inflightTags.value(release->packetId)) {
            store()->markMessageSent(tag, release->packetId, OutboundStage::AwaitingPubcomp);
            m_gate.scheduleCommit();
        }
    }
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

std::optional<SubscribeDecision> Broker::onSubscribeRequested(Connection &connection, const Subscribe &subscribe)
{
    Session *session = connection.session();
    if (!session)
        return std::nullopt;
    const bool v5 = session->version == ProtocolVersion::V5;
    const std::optional<quint32> subscriptionId = subscribe.properties.subscriptionIdentifiers.isEmpty()
        ? std::nullopt
        : std::optional<quint32>(subscribe.properties.subscriptionIdentifiers.constFirst());

    QList<ReasonCode> codes;
    QList<std::pair<TopicSubscription, bool>> accepted; // with "is new"
    // max_subscriptions_per_client: new filters beyond the cap are refused (v5 0x97 Quota
    // exceeded); subscribing again to a filter already held is always allowed.
    const int cap = m_config.maxSubscriptionsPerClient;
    QSet<QString> held;
    if (cap > 0) {
        for (const SubscriptionRecord &record : m_router.subscriptions().subscriptionsOf(session->id))
            held.insert(record.filter);
    }
    for (const TopicSubscription &requested : subscribe.subscriptions) {
        if (!isValidTopicFilter(requested.filter)) {
            codes.append(v5 ? ReasonCode::TopicFilterInvalid : ReasonCode::UnspecifiedError);
            continue;
        }
        if (!m_security.maySubscribe(session->identity(), requested.filter)) {
            ++m_counters.accessDenials;
            codes.append(v5 ? ReasonCode::NotAuthorized : ReasonCode::UnspecifiedError);
            continue;
        }
        if (cap > 0 && !held.contains(requested.filter) && held.size() >= cap) {
            ++m_counters.subscriptionQuotaRefusals;
            codes.append(v5 ? ReasonCode::QuotaExceeded : ReasonCode::UnspecifiedError);
            continue;
        }
        if (cap > 0)
            held.insert(requested.filter);
        TopicSubscription granted = requested;
        granted.options.maximumQoS = minQoS(requested.options.maximumQoS, m_config.limits.maximumQoS);
        const bool isNew = m_router.subscriptions().subscribe(session->id, granted.filter, granted.options, subscriptionId);
        if (store() && session->isPersistent())
            store()->saveSubscription(session->clientId, {granted.filter, granted.options, subscriptionId});
        codes.append(ReasonCode(quint8(granted.options.maximumQoS)));
        accepted.append({granted, isNew});
    }
    m_counters.subscriptionCount = quint64(m_router.subscriptions().size());
    session->activity.subscriptions = int(m_router.subscriptions().subscriptionsOf(session->id).size());
    session->dirty = true;
    if (store() && session->isPersistent())
        m_gate.scheduleCommit();
    return SubscribeDecision{std::move(codes), std::move(accepted), subscriptionId};
}

void Broker::onSubscribeAnswered(Connection &connection, const SubscribeDecision &decision)
{
    Session *session = connection.session();
    if (!session)
        return;
    // Whoever waits for this client's subscriptions hears of it once the retained
    // messages below are out (and only if the connection survived them).
    const auto announce = qScopeGuard([&] {
        if (!connection.isClosed() && !decision.granted.isEmpty())
            emit clientSubscribed(session->clientId);
    });
    const std::optional<quint32> subscriptionId = decision.subscriptionId;

    // Retained messages follow the SUBACK, per retain handling [MQTT-3.3.1-9] [MQTT-3.8.4-4];
    // never for shared subscriptions (MQTT 5.0 section 4.8.2).
    const Timestamp at = now();
    for (const auto &[subscription, isNew] : decision.granted) {
        if (connection.isClosed())
            return;
        const RetainHandling handling = subscription.options.retainHandling;
        if (handling == RetainHandling::DoNotSend || (handling == RetainHandling::SendOnNewSubscribe && !isNew))
            continue;
        if (parseSharedFilter(subscription.filter))
            continue;
        const QList<quint32> ids = subscriptionId ? QList<quint32>{*subscriptionId} : QList<quint32>{};
        for (const RetainedMessage &message : m_retained.matching(subscription.filter, at)) {
            // Retained messages sent on subscribe keep RETAIN=1 [MQTT-3.3.1-8].
            deliver(*session, message.publish, minQoS(message.publish.qos, subscription.options.maximumQoS),
                    true, ids, message.expiresAt);
        }
    }
}

std::optional<QList<ReasonCode>> Broker::onUnsubscribeRequested(Connection &connection,
                                                                const Unsubscribe &unsubscribe)
{
    Session *session = connection.session();
    if (!session)
        return std::nullopt;
    QList<ReasonCode> codes;
    for (const QString &filter : unsubscribe.filters) {
        const bool removed = isValidTopicFilter(filter) && m_router.subscriptions().unsubscribe(session->id, filter);
        if (removed && store() && session->isPersistent())
            store()->deleteSubscription(session->clientId, filter);
        codes.append(removed ? ReasonCode::Success : ReasonCode::NoSubscriptionExisted);
    }
    m_counters.subscriptionCount = quint64(m_router.subscriptions().size());
    session->activity.subscriptions = int(m_router.subscriptions().subscriptionsOf(session->id).size());
    session->dirty = true;
    if (store() && session->isPersistent())
        m_gate.scheduleCommit();
    return codes;
}

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

void Broker::onPacketAfterIdle(Connection &connection, Duration gap, Timestamp now)
{
    if (const Session *session = connection.session())
        m_fleet->packetAfterIdle(session->clientId, connection.peerAddress().host(), gap, now);
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
            session->pendingWill = std::make_unique<Session::PendingWill>(*will, at + std::chrono::seconds(wait));
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

void Broker::housekeeping()
{
    const Timestamp at = now();
    m_admission.sweep(at);
    m_security.sweep(at);
    if (m_config.sysIntervalSeconds > 0
        && (m_lastSys == Timestamp{} || at - m_lastSys >= std::chrono::seconds(m_config.sysIntervalSeconds))) {
        m_lastSys = at;
        publishSys();
    }
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

void Broker::publishSys()
{
    refreshBacklogTotals();
    const qint64 uptimeSeconds = (wallNow() - m_counters.startedAtMs) / 1000;
    for (auto &[topic, value] : m_sysTopics.sample(m_counters, uptimeSeconds)) {
        Publish message;
        message.topic = std::move(topic);
        message.payload = std::move(value);
        message.retain = true;
        publish(std::move(message));
    }
}

bool Broker::openStore()
{
    const QString dir = m_config.dataDir.isEmpty() ? defaultDataDir() : m_config.dataDir;
    auto opened = std::make_unique<Store>(QDir(dir).filePath(QStringLiteral("hermes.db")), m_config.durability);
    if (!opened->open()) {
        m_errorString = tr("Cannot open the broker database: %1").arg(opened->errorString());
        return false;
    }
    m_gate.setStore(std::move(opened));
    // The config file wins over a stored account of the same name (the file is the
    // administrator's last word; the store holds what the admin API added).
    m_security.addStoredAccounts(store()->loadAccounts());
    restoreFromStore(*store(), m_sessions, m_router.subscriptions(), m_retained, now(), wallNow());
    for (const auto &[id, session] : m_sessions.all())
        scheduleSessionDeadline(*session);
    m_counters.retainedCount = quint64(m_retained.size());
    m_counters.clientsTotal = quint64(m_sessions.size());
    m_counters.subscriptionCount = quint64(m_router.subscriptions().size());
    m_counters.clientsDisconnected = m_counters.clientsTotal;
    qCInfo(lcBroker) << "store" << store()->path() << "loaded:" << m_sessions.size() << "sessions,"
                     << m_retained.size() << "retained messages";
    return true;
}

void Broker::forgetConnection(Connection &connection)
{
    m_gate.forget(connection);
    m_security.forget(&connection);
}

void Broker::refreshBacklogTotals()
{
    // Summed when someone looks rather than tracked on every change: one pass over the
    // sessions a few times a second is cheaper and cannot drift.
    std::tie(m_counters.inflightTotal, m_counters.queuedTotal) = m_sessions.backlog();
}

void Broker::enableTelemetry(qsizetype maxMessagesPerBatch)
{
    m_telemetry.enable(maxMessagesPerBatch);
}

TelemetryBatch Broker::takeTelemetry()
{
    refreshBacklogTotals();
    TelemetryBatch batch = m_telemetry.takeBatch(wallNow(), m_counters);
    batch.changedSessions = m_sessions.takeChanged(batch.full);
    return batch;
}

} // namespace hermes
