#include "broker.h"

#include "io/connection.h"
#include "io/connectioncontext.h"
#include "io/tls.h"

#include "broker/storerestore.h"

#include "mqtt/topic.h"

#include <QDir>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QUuid>

#include <algorithm>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcBroker, "hermes.broker")

namespace hermes {

using namespace mqtt;

namespace {

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
    m_housekeeping.setInterval(std::chrono::milliseconds(250));
    connect(&m_housekeeping, &QTimer::timeout, this, &Broker::housekeeping);
    m_deadlineTimer.setSingleShot(true);
    m_deadlineTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_deadlineTimer, &QTimer::timeout, this, &Broker::onDeadlines);
    connect(&m_gate, &DurabilityGate::storeError, this, &Broker::storeError);
    connect(&m_listeners, &BrokerListeners::descriptorAccepted, this, &Broker::acceptDescriptor);
    connect(&m_listeners, &BrokerListeners::localDescriptorAccepted, this, &Broker::acceptLocalDescriptor);
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

void Broker::acceptDescriptor(qintptr descriptor, bool tls)
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
    std::unique_ptr<TlsSession> session;
    if (tls) {
        session = m_listeners.tlsContext()->accept(int(descriptor));
        if (!session) {
            ++m_counters.tlsHandshakeFailures;
            qCWarning(lcBroker) << "refusing a TLS connection: no TLS session";
            m_admission.closed();
            ::close(int(descriptor));
            return;
        }
    }
    adopt(new Connection(descriptor, *this, m_sharedLimits, std::move(session)));
}

void Broker::onTlsEstablished(Connection &connection, const QSslCertificate &peerCertificate)
{
    if (!m_config.tls.identityAsUserName)
        return;
    const QString certificateName = certificateIdentity(peerCertificate);
    if (!certificateName.isEmpty())
        m_security.setTransportIdentity(&connection, TransportIdentity{std::nullopt, certificateName});
}

void Broker::onTlsHandshakeFailed(Connection &connection, const QString &error)
{
    ++m_counters.tlsHandshakeFailures;
    qCInfo(lcBroker) << "TLS handshake with" << connection.peerAddress().toString() << "failed:" << error;
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
        if (m_gate.hasUncommittedWrites())
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

std::optional<SessionDetail> Broker::sessionDetail(const QString &clientId) const
{
    std::optional<SessionDetail> detail = m_sessions.detail(clientId, now(), m_router.subscriptions());
    const Session *session = detail ? sessionFor(clientId) : nullptr;
    if (session && !session->activity.address.isNull()) {
        detail->network = m_fleet->analytics().networkOf(session->activity.address.host());
        detail->networkEstimate = m_fleet->analytics().estimate(detail->network);
    }
    return detail;
}

void Broker::onPacketAfterIdle(Connection &connection, Duration gap, Timestamp now)
{
    if (const Session *session = connection.session())
        m_fleet->packetAfterIdle(session->clientId, connection.peerAddress().host(), gap, now);
}

void Broker::advanceClock(Duration by)
{
    m_clock.advance(by);
    if (m_running)
        onDeadlines(); // runs what fell due and arms the timer for the rest
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

void Broker::publishSys()
{
    refreshBacklogTotals();
    const qint64 uptimeSeconds = (wallNow() - m_counters.startedAtMs) / 1000;
    // In upstream mode, clients/connected and the rest count the cluster's devices too: what
    // a mosquitto dashboard reading $SYS means by "clients".
    for (auto &[topic, value] : m_sysTopics.sample(reportedCounters(), uptimeSeconds)) {
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

SessionSource::Totals Broker::sourceTotals() const
{
    if (!m_sessionSource)
        return {};
    SessionSource::Totals totals = m_sessionSource->totals();
    // In upstream mode the broker holds the operators: a handful, looked up in the source.
    const QHash<QString, ClusterSession> &listed = m_sessionSource->sessions();
    for (const auto &[id, session] : m_sessions.all()) {
        if (const auto found = listed.constFind(session->clientId); found != listed.cend())
            totals.subtract(found->info);
    }
    return totals;
}

BrokerCounters Broker::reportedCounters() const
{
    BrokerCounters counters = m_counters;
    if (!m_sessionSource)
        return counters;
    const SessionSource::Totals cluster = sourceTotals();
    counters.clientsConnected += cluster.online;
    counters.clientsTotal += cluster.sessions;
    counters.clientsDisconnected += cluster.sessions - cluster.online;
    counters.queuedTotal += cluster.queued;
    counters.inflightTotal += cluster.inflight;
    m_reportedMaximum = std::max({m_reportedMaximum, counters.clientsMaximum, counters.clientsConnected});
    counters.clientsMaximum = m_reportedMaximum;
    return counters;
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
