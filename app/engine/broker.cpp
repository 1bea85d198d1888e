#include "broker.h"

#include "connection.h"
#include "connectioncontext.h"
#include "io/sockettransport.h"
#include "locallistener.h"
#include "tcplistener.h"
#include "version.h"

#include "mqtt/topic.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QLoggingCategory>
#include <QFile>
#include <QScopeGuard>
#include <QSslKey>
#include <QSslServer>
#include <QTcpServer>
#include <QUuid>

#include <algorithm>
#include <cmath>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcBroker, "hermes.broker")

namespace hermes {

using namespace mqtt;

namespace {

/// The host of an "address:port" peer string ("::1:5000" → ::1).
constexpr quint32 NeverExpires = 0xFFFFFFFF;

qint64 wallNow()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QoS minQoS(QoS a, QoS b)
{
    return quint8(a) < quint8(b) ? a : b;
}

} // namespace

Session::Session(SubscriberId id, QString clientId)
    : id(id)
    , clientId(std::move(clientId))
    , offlineState(std::make_unique<SessionState>())
{
}

SessionInfo Session::info() const
{
    SessionInfo info;
    info.clientId = clientId;
    info.online = connection != nullptr;
    info.address = activity.address.toString();
    info.userName = userName;
    info.version = version;
    info.keepAliveSeconds = activity.keepAliveSeconds;
    info.cleanStart = cleanStart;
    info.sessionExpirySeconds = expirySeconds;
    info.connectedSinceMs = activity.connectedSinceMs;
    info.offlineSinceMs = activity.offlineSinceMs;
    info.lastInboundMs = activity.lastInboundMs;
    info.inflight = activity.inflight;
    info.inflightHighWater = activity.inflightHighWater;
    info.queued = activity.queued;
    info.queuedHighWater = activity.queuedHighWater;
    info.subscriptions = activity.subscriptions;
    info.messagesIn = activity.messagesIn;
    info.messagesOut = activity.messagesOut;
    info.messagesDropped = activity.messagesDropped;
    if (const CloseInfo *last = closes.recent(0))
        info.lastClose = *last;
    return info;
}

const SessionState &Session::state() const
{
    Q_ASSERT(connection || offlineState);
    return connection ? connection->machine().session() : *offlineState;
}

void Session::tracePacket(TraceRecord record)
{
    if (!record.topic.isEmpty()) {
        // The newest few entries are enough to find a repeated topic, and cheap to scan.
        for (qsizetype back = 0; back < 8; ++back) {
            const TraceRecord *earlier = packetTrace.recent(back);
            if (!earlier)
                break;
            if (earlier->topic == record.topic) {
                record.topic = earlier->topic;
                break;
            }
        }
    }
    packetTrace.push(std::move(record));
}

TraceRecord TraceRecord::from(const Packet &packet, bool inbound, qint64 atMs, qsizetype wireSize)
{
    TraceRecord record;
    record.atMs = atMs;
    record.inbound = inbound;
    record.type = packetType(packet);
    record.wireSize = quint32(wireSize);
    std::visit(
        [&record](const auto &p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                record.topic = p.topic;
                record.qos = p.qos;
                record.retain = p.retain;
                record.dup = p.dup;
                record.packetId = p.packetId;
            } else if constexpr (std::is_same_v<T, Puback> || std::is_same_v<T, Pubrec> || std::is_same_v<T, Pubrel>
                                 || std::is_same_v<T, Pubcomp>) {
                record.packetId = p.packetId;
                record.reasonCode = p.reasonCode;
            } else if constexpr (std::is_same_v<T, Subscribe> || std::is_same_v<T, Unsubscribe>
                                 || std::is_same_v<T, Suback> || std::is_same_v<T, Unsuback>) {
                record.packetId = p.packetId;
            } else if constexpr (std::is_same_v<T, Connack> || std::is_same_v<T, Disconnect> || std::is_same_v<T, Auth>) {
                record.reasonCode = p.reasonCode;
            }
        },
        packet);
    return record;
}

QString TraceRecord::toString() const
{
    QString line = QDateTime::fromMSecsSinceEpoch(atMs).toString(QStringLiteral("hh:mm:ss.zzz"))
        + (inbound ? QStringLiteral(" ← ") : QStringLiteral(" → ")) + packetTypeName(type);
    if (type == PacketType::Publish)
        line += QStringLiteral(" topic=%1 qos=%2").arg(topic).arg(int(qos));
    if (packetId)
        line += QStringLiteral(" pid=%1").arg(*packetId);
    if (type == PacketType::Publish)
        line += QStringLiteral(" retain=%1 dup=%2").arg(int(retain)).arg(int(dup));
    if (reasonCode && *reasonCode != ReasonCode::Success)
        line += QStringLiteral(" reason=0x%1 (%2)")
                    .arg(quint8(*reasonCode), 2, 16, QLatin1Char('0'))
                    .arg(reasonCodeName(*reasonCode, type));
    line += QStringLiteral(" bytes=%1").arg(wireSize);
    return line;
}

QString closeReasonName(CloseReason reason)
{
    switch (reason) {
    case CloseReason::ClientDisconnect: return QStringLiteral("client disconnect");
    case CloseReason::KeepAliveTimeout: return QStringLiteral("keep-alive timeout");
    case CloseReason::TakenOver: return QStringLiteral("taken over");
    case CloseReason::ProtocolError: return QStringLiteral("protocol error");
    case CloseReason::ConnectRejected: return QStringLiteral("connect rejected");
    case CloseReason::ConnectTimeout: return QStringLiteral("connect timeout");
    case CloseReason::SocketError: return QStringLiteral("socket error");
    case CloseReason::PeerClosed: return QStringLiteral("peer closed");
    case CloseReason::Kicked: return QStringLiteral("kicked");
    case CloseReason::ServerShutdown: return QStringLiteral("server shutdown");
    }
    return {};
}

Broker::Broker(BrokerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_sharedLimits(std::make_shared<const ServerLimits>(m_config.limits))
    , m_access(m_config.aclRules)
    , m_connectionRate(m_config.connectionRate)
    , m_authBackoff(m_config.authBackoff)
    , m_authenticator(AccessSettings::from(m_config), m_config.localAdminGroup)
    , m_connectionContext(std::make_unique<ConnectionContext>(*this))
    , m_fleet(std::make_unique<analytics::FleetMonitor>(m_config.networks, [this] { return now(); }))
{
    m_clock.start();
    m_housekeeping.setInterval(std::chrono::milliseconds(250));
    connect(&m_housekeeping, &QTimer::timeout, this, &Broker::housekeeping);
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &Broker::onDeadlines);
    m_commitRetry.setSingleShot(true);
    m_commitRetry.setInterval(std::chrono::milliseconds(500));
    connect(&m_commitRetry, &QTimer::timeout, this, &Broker::commitStore);
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
    if (m_config.persistence && !m_store && !openStore())
        return false;
    if (m_config.persistence && m_fleet->path().isEmpty()) {
        const QString dir = m_config.dataDir.isEmpty() ? defaultDataDir() : m_config.dataDir;
        QString error;
        if (!m_fleet->open(QDir(dir).filePath(QStringLiteral("fleet-analytics.json")), &error))
            qCWarning(lcBroker) << "fleet analytics start afresh:" << error;
    }
    std::optional<QSslConfiguration> tls;
    for (const QString &path : std::as_const(m_config.localSockets)) {
        if (!listenLocal(path))
            return false;
    }
    for (const ListenAddress &address : std::as_const(m_config.listeners)) {
        if (address.tls && !tls) {
            tls = tlsConfiguration();
            if (!tls)
                return false;
        }
        QTcpServer *server = nullptr;
        if (address.tls) {
            auto *sslServer = new QSslServer(this);
            sslServer->setSslConfiguration(*tls);
            sslServer->setHandshakeTimeout(10000);
            // A failed handshake never becomes a connection; it is counted and logged.
            connect(sslServer, &QSslServer::errorOccurred, this, [this](QSslSocket *socket, QAbstractSocket::SocketError) {
                ++m_counters.tlsHandshakeFailures;
                qCInfo(lcBroker) << "TLS handshake with" << socket->peerAddress().toString()
                                 << "failed:" << socket->errorString();
            });
            server = sslServer;
        } else {
            // Plain TCP: the connection owns the descriptor (no buffered QTcpSocket).
            auto *listener = new TcpListener(this);
            connect(listener, &TcpListener::descriptorAccepted, this, &Broker::acceptDescriptor);
            server = listener;
        }
        // A broker restart makes every device reconnect at once; a deep backlog keeps the
        // kernel from refusing them while the event loop catches up.
        server->setListenBacklogSize(1024);
        server->setMaxPendingConnections(1024);
        if (!server->listen(address.host, address.port)) {
            m_errorString = tr("Cannot listen on %1: %2").arg(address.toString(), server->errorString());
            delete server;
            qDeleteAll(m_servers);
            m_servers.clear();
            qDeleteAll(m_localServers);
            m_localServers.clear();
            return false;
        }
        connect(server, &QTcpServer::pendingConnectionAvailable, this,
                [this, server] { acceptPendingConnections(server); });
        m_servers.append(server);
        qCInfo(lcBroker) << "listening on"
                         << ListenAddress{server->serverAddress(), server->serverPort(), address.tls}.toString();
    }
    m_counters.startedAtMs = wallNow();
    m_running = true;
    m_housekeeping.start();
    armDeadlineTimer();
    return true;
}

bool Broker::listenLocal(const QString &path)
{
    auto *listener = new LocalListener(this);
    connect(listener, &LocalListener::descriptorAccepted, this, &Broker::acceptLocalDescriptor);
    if (!listener->listenOn(path, m_config.localAdminGroup)) {
        m_errorString = tr("Cannot listen on %1: %2").arg(QStringLiteral("unix:") + path, listener->problem());
        delete listener;
        qDeleteAll(m_servers);
        m_servers.clear();
        qDeleteAll(m_localServers);
        m_localServers.clear();
        return false;
    }
    m_localServers.append(listener);
    qCInfo(lcBroker).noquote() << "listening on unix:" + path;
    return true;
}

std::optional<QSslConfiguration> Broker::tlsConfiguration()
{
    const TlsSettings &settings = m_config.tls;
    if (settings.certificateFile.isEmpty() || settings.keyFile.isEmpty()) {
        m_errorString = tr("A TLS listener needs tls_certificate and tls_key");
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(settings.certificateFile, QSsl::Pem);
    if (chain.isEmpty()) {
        m_errorString = tr("TLS certificate %1: missing or not a PEM certificate").arg(settings.certificateFile);
        return std::nullopt;
    }
    QFile keyFile(settings.keyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        m_errorString = tr("TLS key %1: %2").arg(settings.keyFile, keyFile.errorString());
        return std::nullopt;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec);
    if (key.isNull()) {
        m_errorString = tr("TLS key %1: not an unencrypted PEM RSA or EC key").arg(settings.keyFile);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    if (!settings.caFile.isEmpty()) {
        const QList<QSslCertificate> authorities = QSslCertificate::fromPath(settings.caFile, QSsl::Pem);
        if (authorities.isEmpty()) {
            m_errorString = tr("TLS CA %1: missing or not a PEM certificate").arg(settings.caFile);
            return std::nullopt;
        }
        configuration.setCaCertificates(authorities);
    }
    configuration.setPeerVerifyMode(settings.requireClientCertificate ? QSslSocket::VerifyPeer
                                                                      : QSslSocket::VerifyNone);
    return configuration;
}

void Broker::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_housekeeping.stop();
    m_deadlineTimer.stop();
    for (QTcpServer *server : std::as_const(m_servers))
        server->close();
    qDeleteAll(m_servers);
    m_servers.clear();
    for (QObject *listener : std::as_const(m_localServers)) {
        const QString path = static_cast<LocalListener *>(listener)->fullServerName();
        delete listener;
        QFile::remove(path);
    }
    m_localServers.clear();
    // Collect first: closing a connection changes the session table.
    QList<Connection *> open;
    for (const auto &[id, session] : m_sessions) {
        if (session->connection)
            open.append(session->connection);
    }
    for (Connection *connection : std::as_const(open))
        connection->apply(connection->machine().disconnect(ReasonCode::ServerShuttingDown,
                                                           CloseReason::ServerShutdown, now()));
    m_connectionContext->deleteAll();
    commitStore();
    m_fleet->close();
}

QList<ListenAddress> Broker::listenAddresses() const
{
    QList<ListenAddress> result;
    for (const QTcpServer *server : m_servers)
        result.append(ListenAddress{server->serverAddress(), server->serverPort(),
                                    qobject_cast<const QSslServer *>(server) != nullptr});
    return result;
}

QStringList Broker::localSocketPaths() const
{
    QStringList paths;
    for (const QObject *listener : m_localServers)
        paths.append(static_cast<const LocalListener *>(listener)->fullServerName());
    return paths;
}

void Broker::acceptDescriptor(qintptr descriptor)
{
    if (m_config.maxConnections > 0 && m_connectionCount >= m_config.maxConnections) {
        ++m_counters.connectionsRefused;
        qCWarning(lcBroker) << "refusing a connection: max_connections reached";
        ::close(int(descriptor));
        return;
    }
    if (m_config.connectionRate.perSecond > 0) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&peer), &length) == 0
            && !admitConnection(QHostAddress(reinterpret_cast<const sockaddr *>(&peer)))) {
            ::close(int(descriptor));
            return;
        }
    }
    ++m_counters.connectionsAccepted;
    ++m_connectionCount;
    auto *connection = new Connection(descriptor, *this, m_sharedLimits);
    m_connectionContext->adopt(connection);
    connection->start();
}

void Broker::acceptLocalDescriptor(qintptr descriptor)
{
    if (m_config.maxConnections > 0 && m_connectionCount >= m_config.maxConnections) {
        ++m_counters.connectionsRefused;
        ::close(int(descriptor));
        return;
    }
    ++m_counters.connectionsAccepted;
    ++m_connectionCount;
    auto *connection = new Connection(descriptor, *this, m_sharedLimits);
    m_transportIdentities.insert(connection, TransportIdentity{PeerCredentials::of(int(descriptor)), {}});
    m_connectionContext->adopt(connection);
    connection->start();
}

bool Broker::admitConnection(const QHostAddress &peer)
{
    // Nothing has been read yet, so the refusal is a closed socket, not a CONNACK.
    if (m_connectionRate.admit(peer, now()))
        return true;
    ++m_counters.connectionsRefused;
    ++m_counters.connectionRateRefusals;
    qCDebug(lcBroker) << "refusing" << peer << ": max_connections_per_second";
    return false;
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
            m_transportIdentities.insert(connection, TransportIdentity{std::nullopt, certificateName});
    }
}

Connection *Broker::acceptTransport(std::unique_ptr<Transport> transport, const QHostAddress &peer)
{
    if (!m_running)
        return nullptr;
    if (m_config.maxConnections > 0 && m_connectionCount >= m_config.maxConnections) {
        ++m_counters.connectionsRefused;
        qCWarning(lcBroker) << "refusing" << peer << ": max_connections reached";
        return nullptr;
    }
    if (!admitConnection(peer))
        return nullptr;
    ++m_counters.connectionsAccepted;
    ++m_connectionCount;
    auto *connection = new Connection(std::move(transport), *this, m_sharedLimits);
    m_connectionContext->adopt(connection);
    connection->start();
    return connection;
}

Session *Broker::sessionFor(const QString &clientId) const
{
    return m_sessionsByClientId.value(clientId, nullptr);
}

Session &Broker::createSession(const QString &clientId)
{
    const SubscriberId id = m_nextSubscriberId++;
    auto session = std::make_unique<Session>(id, clientId);
    Session &ref = *session;
    m_sessions.emplace(id, std::move(session));
    m_sessionsByClientId.insert(clientId, &ref);
    m_counters.clientsTotal = m_sessions.size();
    return ref;
}

void Broker::endSession(Session &session)
{
    Q_ASSERT(!session.connection);
    // The session ends: a will still waiting for its delay goes out now [MQTT-3.1.3-9].
    if (session.pendingWill)
        publishWill(session.clientId, std::exchange(session.pendingWill, nullptr)->will);
    m_sessionDeadlines.cancel(session.id);
    m_subscriptions.removeSubscriber(session.id);
    if (session.offlineState)
        abandonTraced(*session.offlineState, tr("session ended"));
    if (m_store) {
        m_store->deleteSession(session.clientId);
        scheduleCommit();
    }
    m_sessionsByClientId.remove(session.clientId);
    if (m_telemetryEnabled)
        m_removedSessions.append(session.clientId);
    m_sessions.erase(session.id);
    m_counters.clientsTotal = m_sessions.size();
    m_counters.subscriptionCount = quint64(m_subscriptions.size());
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
    if (m_authenticator.isFromConfig(account.userName)) {
        *error = QStringLiteral("account \"%1\" is defined in the config file; change it there").arg(account.userName);
        return false;
    }
    if (!m_store) {
        *error = QStringLiteral("persistence is off: accounts cannot be stored");
        return false;
    }
    m_authenticator.setStoredAccount(account);
    m_store->saveAccount(account);
    scheduleCommit();
    revalidateSessions(account.userName);
    return true;
}

bool Broker::removeAccount(const QString &userName, QString *error)
{
    if (m_authenticator.isFromConfig(userName)) {
        *error = QStringLiteral("account \"%1\" is defined in the config file; remove it there").arg(userName);
        return false;
    }
    if (!m_authenticator.removeStoredAccount(userName)) {
        *error = QStringLiteral("no account \"%1\"").arg(userName);
        return false;
    }
    if (m_store) {
        m_store->deleteAccount(userName);
        scheduleCommit();
    }
    revalidateSessions(userName);
    return true;
}

void Broker::reloadAccess(const AccessSettings &settings)
{
    m_config.allowAnonymous = settings.allowAnonymous;
    m_config.anonymousRole = settings.anonymousRole;
    m_config.accounts = settings.accounts;
    m_config.aclRules = settings.aclRules;
    m_access = AccessControl(settings.aclRules);
    m_authenticator.configure(settings);
    if (m_store)
        m_authenticator.addStoredAccounts(m_store->loadAccounts());
    revalidateSessions();
}

void Broker::revalidateSessions(const std::optional<QString> &userName)
{
    // Collect first: a disconnect changes the session table.
    QList<Session *> affected;
    for (const auto &[id, session] : m_sessions) {
        if (session->connection && (!userName || session->userName == *userName))
            affected.append(session.get());
    }
    QStringList revoked;
    for (Session *session : std::as_const(affected)) {
        Connection *connection = session->connection;
        const auto identity = m_authenticator.recheck(session->identity(), m_transportIdentities.value(connection),
                                                      connection->isFromLoopback());
        // A revoked client keeps nothing beyond a device's rights from here on; its
        // connection closes on the next turn, because this may run inside one of its own
        // requests (an operator removing its own account), whose handler still uses it.
        session->role = identity ? identity->role : Role::Device;
        session->dirty = true;
        dropForbiddenSubscriptions(*session);
        if (!identity)
            revoked.append(session->clientId);
    }
    if (revoked.isEmpty())
        return;
    QMetaObject::invokeMethod(this, [this, revoked] {
        // Committed first: a DISCONNECT must not wait behind the store's output gate.
        if (mustHoldOutput())
            commitStore();
        for (const QString &clientId : revoked) {
            Session *session = sessionFor(clientId);
            Connection *connection = session ? session->connection : nullptr;
            if (!connection || m_authenticator.recheck(session->identity(), m_transportIdentities.value(connection),
                                                       connection->isFromLoopback()))
                continue; // gone already, or reconnected with an identity that may stay
            ++m_counters.sessionsRevoked;
            qCInfo(lcBroker) << "closing" << clientId << ": its account or rights were withdrawn";
            connection->apply(connection->machine().disconnect(ReasonCode::AdministrativeAction,
                                                               CloseReason::Kicked, now()));
        }
    }, Qt::QueuedConnection);
}

void Broker::dropForbiddenSubscriptions(Session &session)
{
    // MQTT has no unsubscribe from the server side: a subscription the identity may no
    // longer hold just stops delivering.
    const ClientIdentity identity = session.identity();
    bool dropped = false;
    for (const SubscriptionRecord &record : m_subscriptions.subscriptionsOf(session.id)) {
        if (m_access.maySubscribe(identity, record.filter))
            continue;
        m_subscriptions.unsubscribe(session.id, record.filter);
        if (m_store && session.isPersistent())
            m_store->deleteSubscription(session.clientId, record.filter);
        qCInfo(lcBroker) << "dropped" << session.clientId << "subscription" << record.filter << ": no longer permitted";
        dropped = true;
    }
    if (!dropped)
        return;
    m_counters.subscriptionCount = quint64(m_subscriptions.size());
    session.activity.subscriptions = int(m_subscriptions.subscriptionsOf(session.id).size());
    session.dirty = true;
    if (m_store && session.isPersistent())
        scheduleCommit();
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
    const qint64 at = wallNow();
    session->activity.lastInboundMs = at;
    session->heartbeats.push({at, packetType(received.packet), true, quint32(received.wireSize)});
    session->tracePacket(TraceRecord::from(received.packet, true, at, received.wireSize));
    session->dirty = true;
    if (m_store && session->isPersistent()) {
        if (const auto *release = std::get_if<Pubrel>(&received.packet)) {
            m_store->deleteInboundAwaitingRelease(session->clientId, release->packetId);
            scheduleCommit();
        }
    }
}

void Broker::onPacketSent(Connection &connection, const SendPacket &sent)
{
    ++m_counters.messagesSent;
    m_counters.bytesSent += quint64(sent.bytes.size());
    const PacketType type = packetType(sent.packet);
    if (type == PacketType::Publish)
        ++m_counters.publishSent;
    if (sent.trace)
        emit tracedDelivery(sent.trace, DeliveryStage::Sent, {});
    Session *session = connection.session();
    if (!session)
        return;
    const qint64 at = wallNow();
    if (type == PacketType::Pingresp || type == PacketType::Connack || type == PacketType::Disconnect)
        session->heartbeats.push({at, type, false, quint32(sent.bytes.size())});
    session->tracePacket(TraceRecord::from(sent.packet, false, at, sent.bytes.size()));
    session->dirty = true;
    if (!m_store || !session->isPersistent())
        return;
    // The store follows each in-flight message through its stages, so that a restart
    // resends a PUBLISH or a PUBREL exactly where the flow stood.
    if (const auto *publish = std::get_if<Publish>(&sent.packet); publish && publish->packetId) {
        for (const OutboundMessage &message : connection.machine().session().inflight) {
            if (message.packetId == *publish->packetId && message.message.tag != 0) {
                session->inflightTags.insert(message.packetId, message.message.tag);
                m_store->markMessageSent(message.message.tag, message.packetId, message.stage);
                scheduleCommit();
                break;
            }
        }
    } else if (const auto *release = std::get_if<Pubrel>(&sent.packet)) {
        if (const quint64 tag = session->inflightTags.value(release->packetId)) {
            m_store->markMessageSent(tag, release->packetId, OutboundStage::AwaitingPubcomp);
            scheduleCommit();
        }
    }
}

void Broker::onConnectRequested(Connection &connection, const Connect &connect)
{
    const Timestamp at = now();
    // No enhanced authentication method is offered, so asking for one is refused
    // [MQTT-4.12.0-1] (v5 3.1.2.11.9: 0x8C Bad authentication method).
    if (connect.version == ProtocolVersion::V5 && connect.properties.authenticationMethod) {
        ++m_counters.connectionsRefused;
        connection.apply(connection.machine().rejectConnect(ReasonCode::BadAuthenticationMethod, at));
        return;
    }
    // MQTT 3.1 limits client identifiers to 23 characters (3.1 spec, CONNECT payload);
    // 3.1.1 and 5.0 lifted the limit.
    if (connect.version == ProtocolVersion::V3_1 && connect.clientId.size() > 23) {
        ++m_counters.connectionsRefused;
        connection.apply(connection.machine().rejectConnect(ReasonCode::ClientIdentifierNotValid, at));
        return;
    }
    ConnectAcceptance acceptance;
    QString clientId = connect.clientId;
    if (clientId.isEmpty()) {
        // [MQTT-3.1.3-6] / v5 3.1.3.1: the server assigns a unique ID; v5 is told which.
        clientId = assignClientId();
        if (connect.version == ProtocolVersion::V5)
            acceptance.assignedClientIdentifier = clientId;
    }

    // Authentication: a user name must come with its password; without one, anonymous
    // access depends on where the client connects from.
    const TransportIdentity transport = m_transportIdentities.value(&connection);
    const bool checksPassword = connect.userName && transport.certificateName.isEmpty();
    const QHostAddress source = connection.peerAddress().host();
    // A source or user name still backing off is refused before any password work:
    // guessing costs the guesser time, not the broker PBKDF2 rounds. v5: 0x9F; v3.x:
    // 3 Server unavailable.
    if (checksPassword && !m_authBackoff.mayAttempt(source, *connect.userName, at)) {
        ++m_counters.connectionsRefused;
        ++m_counters.authBackoffRefusals;
        connection.apply(connection.machine().rejectConnect(ReasonCode::ConnectionRateExceeded, at));
        return;
    }
    const auto login = m_authenticator.login(
        LoginRequest{clientId, connect.userName, connect.password, connection.isFromLoopback(), transport});
    if (const auto *refusal = std::get_if<LoginRefusal>(&login)) {
        ++m_counters.connectionsRefused;
        ReasonCode code = ReasonCode::NotAuthorized;
        if (*refusal == LoginRefusal::BadCredentials) {
            m_authBackoff.recordFailure(source, *connect.userName, at);
            ++m_counters.authenticationFailures;
            code = ReasonCode::BadUserNameOrPassword;
            qCInfo(lcBroker) << "authentication failed for user" << *connect.userName << "from"
                             << connection.peerAddress().toString();
        } else if (*refusal == LoginRefusal::ClientIdNotPermitted) {
            // v5 0x85; 3.1.1 return code 2 Identifier rejected.
            ++m_counters.clientIdRefusals;
            code = ReasonCode::ClientIdentifierNotValid;
            qCWarning(lcBroker) << "refused client ID" << clientId << "for"
                                << (connect.userName ? *connect.userName : QStringLiteral("an anonymous client"))
                                << "from" << connection.peerAddress().toString();
        }
        connection.apply(connection.machine().rejectConnect(code, at));
        return;
    }
    if (checksPassword)
        m_authBackoff.recordSuccess(source, *connect.userName);
    const ClientIdentity identity = std::get<ClientIdentity>(login);
    // A Will is a publish made later on the client's behalf: it needs the same permission,
    // or a device could forge another device's push by disconnecting.
    if (connect.will && !m_access.mayPublish(identity, connect.will->topic)) {
        ++m_counters.accessDenials;
        ++m_counters.connectionsRefused;
        connection.apply(connection.machine().rejectConnect(ReasonCode::NotAuthorized, at));
        return;
    }

    quint32 expiry = 0;
    if (connect.version == ProtocolVersion::V5)
        expiry = connect.properties.sessionExpiryInterval.value_or(0);
    else
        expiry = connect.cleanStart ? 0 : NeverExpires;
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
        previous->apply(previous->machine().disconnect(ReasonCode::SessionTakenOver,
                                                       CloseReason::TakenOver, at));
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
    m_sessionDeadlines.cancel(session->id);
    session->connection = &connection;
    // A resumed session's subscriptions were granted to whoever held it before.
    const bool identityChanged = sessionPresent && (session->userName != identity.userName || session->role != identity.role);
    session->userName = identity.userName;
    session->role = identity.role;
    if (identityChanged)
        dropForbiddenSubscriptions(*session);
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
    if (m_store && session->isPersistent()) {
        m_store->saveSession(clientId, expiry, connect.version, 0);
        scheduleCommit();
    }
    connection.apply(connection.machine().acceptConnect(acceptance, std::move(state), at));
    if (!connection.isClosed()) {
        m_fleet->connectionAccepted(clientId, connection.peerAddress().host(), at);
        emit clientConnected(clientId);
    }
}

void Broker::onSubscribeRequested(Connection &connection, const Subscribe &subscribe)
{
    Session *session = connection.session();
    if (!session)
        return;
    const ProtocolVersion version = connection.machine().version();
    const bool v5 = version == ProtocolVersion::V5;
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
        for (const SubscriptionRecord &record : m_subscriptions.subscriptionsOf(session->id))
            held.insert(record.filter);
    }
    for (const TopicSubscription &requested : subscribe.subscriptions) {
        if (!isValidTopicFilter(requested.filter)) {
            codes.append(v5 ? ReasonCode::TopicFilterInvalid : ReasonCode::UnspecifiedError);
            continue;
        }
        if (!m_access.maySubscribe(session->identity(), requested.filter)) {
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
        const bool isNew = m_subscriptions.subscribe(session->id, granted.filter, granted.options, subscriptionId);
        if (m_store && session->isPersistent())
            m_store->saveSubscription(session->clientId, {granted.filter, granted.options, subscriptionId});
        codes.append(ReasonCode(quint8(granted.options.maximumQoS)));
        accepted.append({granted, isNew});
    }
    m_counters.subscriptionCount = quint64(m_subscriptions.size());
    session->activity.subscriptions = int(m_subscriptions.subscriptionsOf(session->id).size());
    session->dirty = true;
    if (m_store && session->isPersistent())
        scheduleCommit();
    connection.apply(connection.machine().completeSubscribe(subscribe.packetId, codes));
    // Whoever waits for this client's subscriptions hears of it once the retained
    // messages below are out (and only if the connection survived them).
    const auto announce = qScopeGuard([&] {
        if (!connection.isClosed() && !accepted.isEmpty())
            emit clientSubscribed(session->clientId);
    });

    // Retained messages follow the SUBACK, per retain handling [MQTT-3.3.1-9] [MQTT-3.8.4-4];
    // never for shared subscriptions [MQTT-4.8.2-?: retained messages are not sent to
    // shared subscriptions].
    const Timestamp at = now();
    for (const auto &[subscription, isNew] : std::as_const(accepted)) {
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

void Broker::onUnsubscribeRequested(Connection &connection, const Unsubscribe &unsubscribe)
{
    Session *session = connection.session();
    if (!session)
        return;
    QList<ReasonCode> codes;
    for (const QString &filter : unsubscribe.filters) {
        const bool removed = isValidTopicFilter(filter) && m_subscriptions.unsubscribe(session->id, filter);
        if (removed && m_store && session->isPersistent())
            m_store->deleteSubscription(session->clientId, filter);
        codes.append(removed ? ReasonCode::Success : ReasonCode::NoSubscriptionExisted);
    }
    m_counters.subscriptionCount = quint64(m_subscriptions.size());
    session->activity.subscriptions = int(m_subscriptions.subscriptionsOf(session->id).size());
    session->dirty = true;
    if (m_store && session->isPersistent())
        scheduleCommit();
    connection.apply(connection.machine().completeUnsubscribe(unsubscribe.packetId, codes));
}

std::optional<Timestamp> Broker::expiryFor(const Publish &publish) const
{
    if (!publish.properties.messageExpiryInterval)
        return std::nullopt;
    return now() + std::chrono::seconds(*publish.properties.messageExpiryInterval);
}

void Broker::onMessageFromClient(Connection &connection, Publish publish)
{
    Session *session = connection.session();
    if (!session)
        return;
    ++session->activity.messagesIn;
    session->dirty = true;
    const std::optional<quint16> packetId = publish.packetId;
    const QoS qos = publish.qos;

    // Clients may not write the broker's own $SYS tree (mosquitto refuses it as well), nor
    // what the ACL does not grant. A refusal is a v5 reason code; 3.x has none, so the
    // message is acknowledged and dropped [MQTT-3.3.5-2].
    const bool allowed = !publish.topic.startsWith(QLatin1String("$SYS"))
        && m_access.mayPublish(session->identity(), publish.topic);
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
        return;
    ReasonCode code = ReasonCode::Success;
    if (connection.machine().version() == ProtocolVersion::V5) {
        if (!allowed)
            code = ReasonCode::NotAuthorized;
        else if (!matched)
            code = ReasonCode::NoMatchingSubscribers;
    }
    if (m_store && qos == QoS::ExactlyOnce && session->isPersistent())
        m_store->addInboundAwaitingRelease(session->clientId, *packetId);
    // The acknowledgement promises the message is safe; the output gate holds it until
    // the writes queued for it are committed.
    connection.apply(connection.machine().acknowledgeInbound(*packetId, code));
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
    if (!m_store || publish.topic.startsWith(QLatin1Char('$')))
        return;
    if (clearing)
        m_store->deleteRetained(publish.topic);
    else
        m_store->saveRetained(m_retained.all().value(publish.topic).publish, wallTime(expiresAt), wall);
    scheduleCommit();
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
    m_traceTarget = TraceTarget{target->id, trace, false};
    publish(std::move(message));
    return std::exchange(m_traceTarget, std::nullopt)->accepted;
}

void Broker::addMessageTap(const QString &filter)
{
    if (!m_messageTaps.contains(filter))
        m_messageTaps.append(filter);
}

bool Broker::subscribesTo(const QString &clientId, const QString &topic) const
{
    const Session *session = sessionFor(clientId);
    if (!session)
        return false;
    const QList<SubscriptionRecord> subscriptions = m_subscriptions.subscriptionsOf(session->id);
    return std::any_of(subscriptions.cbegin(), subscriptions.cend(), [&](const SubscriptionRecord &record) {
        const auto shared = parseSharedFilter(record.filter);
        return topicMatches(shared ? shared->filter : record.filter, topic);
    });
}

bool Broker::hasSubscribers(const QString &topic) const
{
    const MatchResult match = m_subscriptions.match(topic);
    return !match.subscribers.isEmpty() || !match.sharedGroups.isEmpty();
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
    message.packetId.reset();
    message.dup = false;
    if (message.retain)
        applyRetained(message);
    route(message, std::nullopt);
}

bool Broker::route(const Publish &publish, std::optional<SubscriberId> publisher)
{
    emit messagePublished(publish.topic, publish.payload, int(publish.qos), publish.retain);
    if (m_telemetryEnabled) {
        if (m_capturedMessages.size() < m_maxCapturedMessages) {
            MessageRecord record;
            record.atMs = wallNow();
            record.topic = publish.topic;
            record.payload = publish.payload.left(MessageRecord::MaxPayload);
            record.payloadSize = publish.payload.size();
            record.qos = publish.qos;
            record.retain = publish.retain;
            record.contentType = publish.properties.contentType.value_or(QString());
            if (publisher) {
                if (const auto it = m_sessions.find(*publisher); it != m_sessions.end())
                    record.fromClientId = it->second->clientId;
            }
            m_capturedMessages.append(std::move(record));
        } else {
            ++m_messagesNotCaptured;
        }
    }
    const MatchResult result = m_subscriptions.match(publish.topic, publisher);
    const std::optional<Timestamp> expiresAt = expiryFor(publish);
    for (const SubscriberMatch &match : result.subscribers) {
        const auto it = m_sessions.find(match.subscriber);
        if (it == m_sessions.end())
            continue;
        // Retain is cleared on forwarding unless Retain As Published [MQTT-3.3.1-12/13].
        deliver(*it->second, publish, minQoS(publish.qos, match.qos),
                match.retainAsPublished && publish.retain, match.subscriptionIdentifiers, expiresAt);
    }
    for (const SharedGroupMatch &group : result.sharedGroups) {
        if (group.members.isEmpty())
            continue;
        // Round robin, preferring members that are connected now.
        quint32 &cursor = m_sharedCursor[group.group + QLatin1Char('/') + group.filter];
        const qsizetype count = group.members.size();
        const SubscriberMatch *chosen = nullptr;
        for (qsizetype step = 0; step < count; ++step) {
            const SubscriberMatch &candidate = group.members.at((cursor + step) % count);
            const auto it = m_sessions.find(candidate.subscriber);
            if (it != m_sessions.end() && it->second->connection) {
                chosen = &candidate;
                cursor = quint32((cursor + step + 1) % count);
                break;
            }
        }
        if (!chosen) {
            chosen = &group.members.at(cursor % count);
            cursor = quint32((cursor + 1) % count);
        }
        const auto it = m_sessions.find(chosen->subscriber);
        if (it != m_sessions.end())
            deliver(*it->second, publish, minQoS(publish.qos, chosen->qos), false,
                    chosen->subscriptionIdentifiers, expiresAt);
    }
    return !result.subscribers.isEmpty() || !result.sharedGroups.isEmpty();
}

void Broker::deliver(Session &session, const Publish &publish, QoS qos, bool retain,
                     const QList<quint32> &subscriptionIdentifiers, std::optional<Timestamp> expiresAt)
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
    const bool traced = m_traceTarget && m_traceTarget->subscriber == session.id;
    if (traced) {
        message.trace = m_traceTarget->trace;
        // Accepted unless an offline session cannot keep it (below).
        m_traceTarget->accepted = session.connection || (session.isPersistent() && qos != QoS::AtMostOnce);
        if (m_traceTarget->accepted)
            emit tracedDelivery(message.trace, DeliveryStage::Queued, {});
    }
    if (m_store && session.isPersistent() && qos != QoS::AtMostOnce) {
        message.tag = m_store->addMessage(session.clientId, message.publish, wallTime(message.expiresAt));
        scheduleCommit();
    }

    if (Connection *connection = session.connection) {
        connection->apply(connection->machine().publish(std::move(message), now()));
        updateSessionInfo(session);
        return;
    }
    // Offline: only persistent sessions keep messages, and only QoS 1/2 (as mosquitto's
    // default queue_qos0_messages false) [MQTT-3.1.2-5].
    if (!session.isPersistent() || qos == QoS::AtMostOnce)
        return;
    if (!session.offlineState)
        session.offlineState = std::make_unique<SessionState>();
    if (qsizetype(session.offlineState->queued.size()) >= m_config.limits.maxQueuedMessages) {
        if (m_store && message.tag)
            m_store->deleteMessage(message.tag);
        if (message.trace)
            emit tracedDelivery(message.trace, DeliveryStage::Failed, tr("offline queue full"));
        ++m_counters.publishDropped;
        ++m_counters.droppedQueueFull;
        ++session.activity.messagesDropped;
        session.dirty = true;
        return;
    }
    // Its expiry is a deadline of the session: an offline device's message expires (and its
    // push is reported expired) on time, not when the device comes back.
    if (message.expiresAt) {
        const std::optional<Timestamp> next = m_sessionDeadlines.deadlineOf(session.id);
        if (!next || *message.expiresAt < *next) {
            m_sessionDeadlines.schedule(session.id, *message.expiresAt);
            armDeadlineTimer();
        }
    }
    session.offlineState->queued.push_back(std::move(message));
    updateSessionInfo(session);
}

void Broker::onMessageCompleted(Connection &connection, const MessageCompleted &completed)
{
    if (completed.trace) {
        const bool success = quint8(completed.reasonCode) < 0x80;
        emit tracedDelivery(completed.trace, success ? DeliveryStage::Acknowledged : DeliveryStage::Failed,
                            success ? QString() : tr("refused by the client: %1").arg(reasonCodeName(completed.reasonCode)));
    }
    if (Session *session = connection.session()) {
        if (const quint64 tag = session->inflightTags.take(completed.packetId); tag && m_store) {
            m_store->deleteMessage(tag);
            scheduleCommit();
        }
        ++session->activity.messagesOut;
        updateSessionInfo(*session);
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
    if (m_store && dropped.message.tag) {
        m_store->deleteMessage(dropped.message.tag);
        scheduleCommit();
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

void Broker::updateSessionInfo(Session &session)
{
    const SessionState &state = session.state();
    session.activity.inflight = int(state.inflight.size());
    session.activity.queued = int(state.queued.size());
    session.activity.inflightHighWater = std::max(session.activity.inflightHighWater, session.activity.inflight);
    session.activity.queuedHighWater = std::max(session.activity.queuedHighWater, session.activity.queued);
    session.dirty = true;
}

void Broker::onPacketAfterIdle(Connection &connection, Duration gap, Timestamp now)
{
    if (const Session *session = connection.session())
        m_fleet->packetAfterIdle(session->clientId, connection.peerAddress().host(), gap, now);
}

void Broker::onConnectionClosed(Connection &connection, const CloseConnection &close)
{
    --m_connectionCount;
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
                             connection.machine().lastInboundAt(), at);
    session->offlineState = std::make_unique<SessionState>(connection.machine().takeSession());
    session->connection = nullptr;
    if (close.sessionExpiryInterval)
        session->expirySeconds = *close.sessionExpiryInterval;
    --m_counters.clientsConnected;

    CloseInfo info{close.reason, close.reasonCode, close.detail, wall, false};
    const Will *const will = connection.machine().will();
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
    updateSessionInfo(*session);
    const QString clientId = session->clientId;

    if (!session->isPersistent()) {
        endSession(*session);
    } else {
        if (session->expirySeconds != NeverExpires)
            session->expiresAt = at + std::chrono::seconds(session->expirySeconds);
        scheduleSessionDeadline(*session);
        if (m_store) {
            m_store->saveSession(clientId, session->expirySeconds, session->version, wall);
            scheduleCommit();
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
    connection->apply(connection->machine().disconnect(ReasonCode::AdministrativeAction,
                                                       CloseReason::Kicked, now()));
    return true;
}

bool Broker::deleteRetained(const QString &topic)
{
    const bool removed = m_retained.remove(topic);
    if (removed && m_store) {
        m_store->deleteRetained(topic);
        scheduleCommit();
    }
    m_counters.retainedCount = quint64(m_retained.size());
    return removed;
}

void Broker::housekeeping()
{
    const Timestamp at = now();
    m_connectionRate.sweep(at);
    m_authBackoff.sweep(at);
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
        if (m_store && message.tag) {
            m_store->deleteMessage(message.tag);
            scheduleCommit();
        }
        return true;
    });
    if (queued.size() != before)
        updateSessionInfo(session);
}

void Broker::scheduleSessionDeadline(Session &session)
{
    std::optional<Timestamp> next;
    const auto earlier = [&next](Timestamp at) { next = next ? std::min(*next, at) : at; };
    if (session.pendingWill)
        earlier(session.pendingWill->dueAt);
    if (!session.connection && session.expiresAt)
        earlier(*session.expiresAt);
    if (!session.connection && session.offlineState) {
        for (const QueuedMessage &message : std::as_const(session.offlineState->queued)) {
            if (message.expiresAt)
                earlier(*message.expiresAt);
        }
    }
    if (!next) {
        m_sessionDeadlines.cancel(session.id);
        return;
    }
    m_sessionDeadlines.schedule(session.id, *next);
    armDeadlineTimer();
}

void Broker::onDeadlines()
{
    const Timestamp at = now();
    for (const SubscriberId id : m_sessionDeadlines.takeDue(at)) {
        if (const auto it = m_sessions.find(id); it != m_sessions.end())
            runDueTimers(*it->second, at);
    }
    const QStringList expiredTopics = m_retained.expire(at);
    if (!expiredTopics.isEmpty()) {
        m_counters.retainedCount = quint64(m_retained.size());
        if (m_store) {
            for (const QString &topic : expiredTopics)
                m_store->deleteRetained(topic);
            scheduleCommit();
        }
    }
    armDeadlineTimer();
}

void Broker::armDeadlineTimer()
{
    if (!m_running)
        return; // start() arms it; nothing fires after stop()
    std::optional<Timestamp> next = m_sessionDeadlines.earliest();
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
    // The same topic names as mosquitto's $SYS tree, so existing dashboards work.
    const double interval = m_config.sysIntervalSeconds;
    auto updateLoad = [interval](Load &load, quint64 count) {
        const double perMinute = double(count - load.lastCount) * (60.0 / interval);
        load.lastCount = count;
        auto smooth = [&](double &value, double minutes) {
            const double exponent = std::exp(-interval / (minutes * 60.0));
            value = value * exponent + perMinute * (1.0 - exponent);
        };
        smooth(load.oneMinute, 1);
        smooth(load.fiveMinutes, 5);
        smooth(load.fifteenMinutes, 15);
    };
    updateLoad(m_loadMessagesReceived, m_counters.messagesReceived);
    updateLoad(m_loadMessagesSent, m_counters.messagesSent);
    updateLoad(m_loadBytesReceived, m_counters.bytesReceived);
    updateLoad(m_loadBytesSent, m_counters.bytesSent);
    updateLoad(m_loadConnections, m_counters.connectionsAccepted);
    updateLoad(m_loadPublishReceived, m_counters.publishReceived);
    updateLoad(m_loadPublishSent, m_counters.publishSent);

    auto sys = [this](const QString &topic, const QString &value) {
        Publish message;
        message.topic = QStringLiteral("$SYS/broker/") + topic;
        message.payload = value.toUtf8();
        message.retain = true;
        publish(std::move(message));
    };
    auto number = [](quint64 value) { return QString::number(value); };
    refreshBacklogTotals();
    sys(QStringLiteral("version"), QStringLiteral("hermes version %1").arg(versionString()));
    sys(QStringLiteral("uptime"), QStringLiteral("%1 seconds").arg((wallNow() - m_counters.startedAtMs) / 1000));
    sys(QStringLiteral("clients/connected"), number(m_counters.clientsConnected));
    sys(QStringLiteral("clients/active"), number(m_counters.clientsConnected));
    sys(QStringLiteral("clients/total"), number(m_counters.clientsTotal));
    sys(QStringLiteral("clients/disconnected"), number(m_counters.clientsDisconnected));
    sys(QStringLiteral("clients/inactive"), number(m_counters.clientsDisconnected));
    sys(QStringLiteral("clients/maximum"), number(m_counters.clientsMaximum));
    sys(QStringLiteral("messages/received"), number(m_counters.messagesReceived));
    sys(QStringLiteral("messages/sent"), number(m_counters.messagesSent));
    sys(QStringLiteral("messages/stored"), number(m_counters.retainedCount + m_counters.queuedTotal));
    sys(QStringLiteral("store/messages/count"), number(m_counters.retainedCount + m_counters.queuedTotal));
    sys(QStringLiteral("publish/messages/received"), number(m_counters.publishReceived));
    sys(QStringLiteral("publish/messages/sent"), number(m_counters.publishSent));
    sys(QStringLiteral("publish/messages/dropped"), number(m_counters.publishDropped));
    sys(QStringLiteral("bytes/received"), number(m_counters.bytesReceived));
    sys(QStringLiteral("bytes/sent"), number(m_counters.bytesSent));
    sys(QStringLiteral("retained messages/count"), number(m_counters.retainedCount));
    sys(QStringLiteral("subscriptions/count"), number(m_counters.subscriptionCount));
    const QList<std::pair<QString, const Load *>> loads = {
        {QStringLiteral("messages/received"), &m_loadMessagesReceived},
        {QStringLiteral("messages/sent"), &m_loadMessagesSent},
        {QStringLiteral("bytes/received"), &m_loadBytesReceived},
        {QStringLiteral("bytes/sent"), &m_loadBytesSent},
        {QStringLiteral("connections"), &m_loadConnections},
        {QStringLiteral("publish/received"), &m_loadPublishReceived},
        {QStringLiteral("publish/sent"), &m_loadPublishSent},
    };
    for (const auto &[name, load] : loads) {
        sys(QStringLiteral("load/%1/1min").arg(name), QString::number(load->oneMinute, 'f', 2));
        sys(QStringLiteral("load/%1/5min").arg(name), QString::number(load->fiveMinutes, 'f', 2));
        sys(QStringLiteral("load/%1/15min").arg(name), QString::number(load->fifteenMinutes, 'f', 2));
    }
}

bool Broker::openStore()
{
    const QString dir = m_config.dataDir.isEmpty() ? defaultDataDir() : m_config.dataDir;
    auto store = std::make_unique<Store>(QDir(dir).filePath(QStringLiteral("hermes.db")), m_config.durability);
    if (!store->open()) {
        m_errorString = tr("Cannot open the broker database: %1").arg(store->errorString());
        return false;
    }
    m_store = std::move(store);
    loadFromStore();
    qCInfo(lcBroker) << "store" << m_store->path() << "loaded:" << m_sessions.size() << "sessions,"
                     << m_retained.size() << "retained messages";
    return true;
}

void Broker::loadFromStore()
{
    // The config file wins over a stored account of the same name (the file is the
    // administrator's last word; the store holds what the admin API added).
    m_authenticator.addStoredAccounts(m_store->loadAccounts());
    const Timestamp at = now();
    const qint64 wall = wallNow();
    auto monotonic = [&](std::optional<qint64> wallMs) -> std::optional<Timestamp> {
        if (!wallMs)
            return std::nullopt;
        return at + std::chrono::milliseconds(*wallMs - wall);
    };
    for (const StoredRetained &retained : m_store->loadRetained()) {
        if (m_retained.apply(retained.publish, monotonic(retained.expiresAtMs), retained.storedAtMs))
            continue;
    }
    m_counters.retainedCount = quint64(m_retained.size());

    for (const StoredSession &stored : m_store->loadSessions()) {
        Session &session = createSession(stored.clientId);
        session.expirySeconds = stored.expirySeconds;
        session.version = stored.version;
        session.cleanStart = false;
        // A session that was online when the broker died went offline then.
        const qint64 offlineSince = stored.disconnectedAtMs > 0 ? stored.disconnectedAtMs : wall;
        if (stored.expirySeconds != NeverExpires) {
            const qint64 remainingMs = qint64(stored.expirySeconds) * 1000 - (wall - offlineSince);
            session.expiresAt = at + std::chrono::milliseconds(std::max<qint64>(0, remainingMs));
        }
        for (const SubscriptionRecord &record : stored.subscriptions)
            m_subscriptions.subscribe(session.id, record.filter, record.options, record.subscriptionIdentifier);
        session.offlineState = std::make_unique<SessionState>();
        SessionState &state = *session.offlineState;
        for (const StoredSession::Message &message : stored.messages) {
            QueuedMessage queued{message.publish, monotonic(message.expiresAtMs), message.tag};
            if (message.packetId) {
                queued.publish.packetId = message.packetId;
                OutboundMessage inflight;
                inflight.packetId = *message.packetId;
                inflight.message = std::move(queued);
                inflight.stage = message.stage;
                inflight.sendCount = 1;
                state.inflight.append(std::move(inflight));
            } else {
                state.queued.push_back(std::move(queued));
            }
        }
        for (const quint16 packetId : stored.inboundAwaitingRelease)
            state.inboundAwaitingRelease.insert(packetId);
        state.nextPacketId = stored.nextPacketId;
        session.activity.offlineSinceMs = offlineSince;
        session.activity.subscriptions = int(stored.subscriptions.size());
        updateSessionInfo(session);
        scheduleSessionDeadline(session);
    }
    m_counters.subscriptionCount = quint64(m_subscriptions.size());
    m_counters.clientsDisconnected = m_counters.clientsTotal;
}

void Broker::scheduleCommit()
{
    if (m_commitScheduled || !m_store)
        return;
    m_commitScheduled = true;
    // Group commit: everything written during this event-loop turn shares one transaction.
    QMetaObject::invokeMethod(this, &Broker::commitStore, Qt::QueuedConnection);
}

void Broker::commitStore()
{
    m_commitScheduled = false;
    if (!m_store)
        return;
    if (!m_store->commit()) {
        // Held output stays held: publishers wait (and resend after reconnecting) rather
        // than being told a message is safe when it is not.
        if (!m_storeFailing)
            emit storeError(m_store->errorString());
        m_storeFailing = true;
        qCWarning(lcBroker) << "store commit failed:" << m_store->errorString();
        m_commitRetry.start();
        return;
    }
    m_storeFailing = false;
    for (Connection *connection : std::exchange(m_awaitingCommit, {}))
        connection->releaseHeldOutput();
}

void Broker::forgetConnection(Connection &connection)
{
    m_awaitingCommit.removeAll(&connection);
    m_transportIdentities.remove(&connection);
}

void Broker::holdUntilCommit(Connection &connection)
{
    // Called once per connection per commit: when its held output stops being empty.
    m_awaitingCommit.append(&connection);
    scheduleCommit();
}

void Broker::refreshBacklogTotals()
{
    // Summed when someone looks rather than tracked on every change: one pass over the
    // sessions a few times a second is cheaper and cannot drift.
    m_counters.inflightTotal = 0;
    m_counters.queuedTotal = 0;
    for (const auto &[id, session] : m_sessions) {
        const SessionState &state = session->state();
        m_counters.inflightTotal += quint64(state.inflight.size());
        m_counters.queuedTotal += quint64(state.queued.size());
    }
}

void Broker::enableTelemetry(qsizetype maxMessagesPerBatch)
{
    m_telemetryEnabled = true;
    m_maxCapturedMessages = maxMessagesPerBatch;
}

TelemetryBatch Broker::takeTelemetry()
{
    TelemetryBatch batch;
    batch.atMs = wallNow();
    refreshBacklogTotals();
    batch.counters = m_counters;
    batch.full = !m_telemetrySentOnce;
    for (const auto &[id, session] : m_sessions) {
        if (batch.full || session->dirty) {
            if (session->connection)
                updateSessionInfo(*session);
            batch.changedSessions.append(session->info());
            session->dirty = false;
        }
    }
    m_telemetrySentOnce = true;
    batch.removedSessions = std::exchange(m_removedSessions, {});
    batch.messages = std::exchange(m_capturedMessages, {});
    batch.messagesNotCaptured = std::exchange(m_messagesNotCaptured, 0);
    return batch;
}

QList<SessionInfo> Broker::sessions() const
{
    QList<SessionInfo> result;
    result.reserve(qsizetype(m_sessions.size()));
    for (const auto &[id, session] : m_sessions)
        result.append(session->info());
    return result;
}

std::optional<SessionDetail> Broker::sessionDetail(const QString &clientId) const
{
    const Session *session = sessionFor(clientId);
    if (!session)
        return std::nullopt;
    SessionDetail detail;
    detail.info = session->info();
    detail.heartbeats = session->heartbeats.toList();
    for (const TraceRecord &record : session->packetTrace.toList())
        detail.packetTrace.append(record.toString());
    detail.closes = session->closes.toList();
    const Timestamp at = now();
    const SessionState &state = session->state();
    for (const OutboundMessage &message : state.inflight) {
        detail.inflight.append({message.packetId, message.message.publish.topic, message.message.publish.qos,
                                message.stage, (at - message.firstSentAt).count(), message.sendCount,
                                message.message.publish.payload.size()});
    }
    constexpr qsizetype MaxQueuedShown = 200;
    for (const QueuedMessage &message : state.queued) {
        if (detail.queued.size() == MaxQueuedShown)
            break;
        detail.queued.append(message.publish);
    }
    for (const SubscriptionRecord &record : m_subscriptions.subscriptionsOf(session->id))
        detail.subscriptions.append({record.filter, record.options});
    return detail;
}

} // namespace hermes
