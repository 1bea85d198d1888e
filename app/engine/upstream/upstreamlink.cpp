#include "upstreamlink.h"

#include "engine/push/adminapi.h"

#include "mqtt/topic.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRandomGenerator>


Q_LOGGING_CATEGORY(lcUpstream, "hermes.upstream")

namespace hermes {

UpstreamLink::UpstreamLink(UpstreamSettings settings, QObject *parent)
    : UpstreamLink(std::move(settings), Timing{}, parent)
{
}

UpstreamLink::UpstreamLink(UpstreamSettings settings, Timing timing, QObject *parent)
    : PushTransport(parent)
    , m_settings(std::move(settings))
    , m_timing(timing)
    , m_client(this)
    // Seeded per process, so several hermesd instances that lost the same node do not
    // come back in step.
    , m_backoff(sim::ReconnectConfig::unending(timing.firstDelay, timing.maxDelay), QRandomGenerator::system()->generate64())
    , m_retryTimer(this)
{
    Q_ASSERT(!m_settings.nodes.isEmpty());
    ClientOptions options;
    options.connect.version = mqtt::ProtocolVersion::V3_1_1;
    options.connect.cleanStart = true;
    options.connect.keepAliveSeconds = m_timing.keepAliveSeconds;
    if (!m_settings.userName.isEmpty())
        options.connect.userName = m_settings.userName;
    if (!m_settings.password.isEmpty())
        options.connect.password = m_settings.password;
    // The files are read again at every connection, so a rotated CA or client certificate
    // is picked up by the next retry; startup already refused ones that cannot be read.
    if (m_settings.tls)
        options.setTls(m_settings.tlsFiles);
    options.tcpConnectTimeout = m_timing.connectTimeout;
    options.machine.connackTimeout = m_timing.connectTimeout;
    options.machine.pingResponseTimeout = m_timing.pingTimeout;
    m_client.setOptions(options);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &UpstreamLink::connectNow);

    connect(&m_client, &MqttClient::connected, this, &UpstreamLink::onConnected);
    connect(&m_client, &MqttClient::disconnected, this,
            [this](mqtt::client::CloseReason reason, mqtt::ReasonCode, const QString &detail) {
                onDisconnected(detail.isEmpty() ? mqtt::client::closeReasonName(reason) : detail);
            });
    connect(&m_client, &MqttClient::published, this, [this](quint16 packetId, mqtt::ReasonCode code) {
        const auto it = m_inflight.find(packetId);
        if (it == m_inflight.end())
            return; // dropped by a clean start: already queued again by onDisconnected()
        const Outgoing outgoing = std::move(it->second);
        m_inflight.erase(it);
        if (quint8(code) < 0x80)
            emit delivery(outgoing.trace, DeliveryStage::Sent, {});
        else
            emit delivery(outgoing.trace, DeliveryStage::Failed,
                          tr("%1 refused it (%2)").arg(route()).arg(quint8(code), 2, 16, QLatin1Char('0')));
    });
    connect(&m_client, &MqttClient::subscribed, this, [this](quint16 packetId, const QList<mqtt::ReasonCode> &codes) {
        const QString filter = m_subscribing.take(packetId);
        if (codes.isEmpty() || quint8(codes.constFirst()) >= 0x80) {
            ++m_refusedSubscriptions;
            qCWarning(lcUpstream).noquote() << QStringLiteral("%1 refused the subscription to %2: what devices publish "
                                                              "there will not arrive").arg(route(), filter);
        }
    });
    connect(&m_client, &MqttClient::messageReceived, this, [this](const mqtt::Publish &publish) {
        for (const QString &filter : std::as_const(m_filters)) {
            if (mqtt::topicMatches(filter, publish.topic)) {
                emit inbound(std::nullopt, publish);
                return;
            }
        }
    });
}

UpstreamLink::~UpstreamLink()
{
    m_running = false;
    m_client.disconnect(this);
}

void UpstreamLink::start()
{
    if (m_running)
        return;
    m_running = true;
    connectNow();
}

QString UpstreamLink::route() const
{
    return QStringLiteral("upstream %1").arg(currentNode().toString());
}

QJsonObject UpstreamLink::status() const
{
    QJsonArray nodes;
    for (const UpstreamNode &node : m_settings.nodes)
        nodes.append(node.toString());
    QJsonObject json{{QStringLiteral("nodes"), nodes},
                     {QStringLiteral("node"), currentNode().toString()},
                     {QStringLiteral("connected"), isConnected()},
                     {QStringLiteral("listening"), isListening()},
                     {QStringLiteral("failovers"), double(failovers())},
                     {QStringLiteral("waiting"), double(backlog())},
                     {QStringLiteral("tls"), m_settings.tls},
                     {QStringLiteral("lastError"), m_lastError}};
    if (m_lastErrorAtMs > 0)
        json.insert(QStringLiteral("lastErrorAtMs"), double(m_lastErrorAtMs));
    return json;
}

void UpstreamLink::addAdminMethods(AdminApi &api, const SessionSource *sessions) const
{
    api.addMethod(QStringLiteral("upstream/status"), [this, sessions](const QJsonObject &) {
        QJsonObject json = status();
        if (sessions)
            json.insert(QStringLiteral("management"), sessions->status());
        return AdminApi::Answer{json, {}, {}};
    });
}

void UpstreamLink::connectNow()
{
    const UpstreamNode &node = currentNode();
    // A client ID of its own for every connection: the cluster still holds the previous
    // one's registration and queue on the lost node (RabbitMQ 3.10 closes a connection that
    // reuses them while that node is down).
    m_client.setClientId(QStringLiteral("%1-%2").arg(m_settings.clientId).arg(++m_attempts));
    qCInfo(lcUpstream).noquote() << "connecting to" << node.toString() << "as" << m_client.options().connect.clientId;
    m_client.setHost(node.host);
    m_client.setPort(node.port);
    m_client.connectToBroker();
}

void UpstreamLink::onConnected()
{
    ++m_connects;
    m_backoff.reset();
    m_loggedFailures.remove(currentNode().toString());
    qCInfo(lcUpstream).noquote() << QStringLiteral("connected to %1; %2 messages waiting")
                                        .arg(currentNode().toString())
                                        .arg(m_backlog.size());
    m_subscribing.clear();
    m_refusedSubscriptions = 0;
    for (const QString &filter : std::as_const(m_filters))
        subscribe(filter);
    emit connectedTo(currentNode().toString());
    // Sending may fail and queue again: take the waiting ones out first.
    for (Outgoing &outgoing : std::exchange(m_backlog, {}))
        send(std::move(outgoing));
}

void UpstreamLink::onDisconnected(const QString &why)
{
    // What the lost node had not acknowledged goes again, first, to the next one.
    for (auto it = m_inflight.rbegin(); it != m_inflight.rend(); ++it)
        m_backlog.push_front(std::move(it->second));
    m_inflight.clear();
    if (!m_running)
        return;
    const QString lost = currentNode().toString();
    m_nodeIndex = (m_nodeIndex + 1) % m_settings.nodes.size();
    const std::chrono::milliseconds delay = m_backoff.nextDelay().value_or(m_timing.maxDelay);
    m_lastError = why;
    m_lastErrorAtMs = QDateTime::currentMSecsSinceEpoch();
    const QString line = QStringLiteral("%1: %2; trying %3 in %4 ms (%5 messages waiting)")
                             .arg(lost, why, currentNode().toString())
                             .arg(delay.count())
                             .arg(m_backlog.size());
    if (m_loggedFailures.value(lost) != why) {
        m_loggedFailures.insert(lost, why);
        qCWarning(lcUpstream).noquote() << line;
    } else {
        qCDebug(lcUpstream).noquote() << line;
    }
    emit nodeLost(lost, why, currentNode().toString(), delay.count());
    m_retryTimer.start(delay);
}

bool UpstreamLink::deliverTraced(mqtt::Publish message, const QString &, quint64 trace)
{
    // The cluster decides whether the device's queue takes it: always handed over.
    emit delivery(trace, DeliveryStage::Queued, {});
    send(Outgoing{std::move(message), trace});
    return true;
}

void UpstreamLink::publish(mqtt::Publish message)
{
    send(Outgoing{std::move(message), 0});
}

void UpstreamLink::send(Outgoing outgoing)
{
    mqtt::Publish &publish = outgoing.publish;
    publish.qos = std::min(publish.qos, maximumQoS());
    publish.properties = {}; // MQTT 3.1.1 carries none
    if (!isConnected()) {
        if (qsizetype(m_backlog.size()) >= m_timing.maxBacklog) {
            if (outgoing.trace)
                emit delivery(outgoing.trace, DeliveryStage::Failed,
                              tr("%1 messages already wait for the upstream cluster").arg(m_backlog.size()));
            return;
        }
        m_backlog.push_back(std::move(outgoing));
        return;
    }
    const int packetId = m_client.publish(publish);
    if (packetId < 0) {
        if (outgoing.trace)
            emit delivery(outgoing.trace, DeliveryStage::Failed, tr("the link to %1 is saturated").arg(route()));
        return;
    }
    if (packetId == 0) {
        if (outgoing.trace)
            emit delivery(outgoing.trace, DeliveryStage::Sent, {});
        return;
    }
    m_inflight.insert_or_assign(quint16(packetId), std::move(outgoing));
}

void UpstreamLink::listen(const QString &filter)
{
    m_filters.append(filter);
    if (isConnected())
        subscribe(filter);
}

void UpstreamLink::subscribe(const QString &filter)
{
    const int packetId = m_client.subscribe(filter, mqtt::QoS::AtLeastOnce);
    if (packetId > 0)
        m_subscribing.insert(quint16(packetId), filter);
}

} // namespace hermes
