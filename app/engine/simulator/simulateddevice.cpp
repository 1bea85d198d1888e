#include "simulateddevice.h"

#include "push/keepaliveoffer.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <limits>

Q_LOGGING_CATEGORY(lcDevice, "hermes.sim.device", QtInfoMsg)

namespace hermes::sim {

using mqtt::client::CloseReason;

SimulatedDevice::SimulatedDevice(const QString &id, DeviceConfig config,
                                 std::unique_ptr<HeartbeatStrategy> heartbeat, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_config(std::move(config))
    , m_heartbeat(heartbeat ? std::move(heartbeat)
                            : std::make_unique<FixedHeartbeat>(std::chrono::seconds(120)))
    , m_policy(m_config.reconnect, m_config.seed)
    , m_client(this)
    , m_timer(this)
{
    if (!(m_config.timeScale > 0.0))
        m_config.timeScale = 1.0;
    m_clock.start();
    m_timer.setSingleShot(true);
    // Precise, unlike the client's own timers: a coarse timer may fire 5 % early or late,
    // and the smart heartbeat probes the NAT timeout with exactly this interval.
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &SimulatedDevice::onTimer);

    ClientOptions options;
    options.host = m_config.brokerHost;
    options.port = m_config.brokerPort;
    options.relayHost = m_config.relayHost;
    options.relayPort = m_config.relayPort;
    options.connect.version = m_config.version;
    options.connect.clientId = m_id;
    options.connect.cleanStart = m_config.cleanStart;
    if (!m_config.userName.isEmpty()) {
        options.connect.userName = m_config.userName;
        options.connect.password = m_config.password;
    }
    if (!m_config.cleanStart && m_config.version == mqtt::ProtocolVersion::V5)
        options.connect.properties.sessionExpiryInterval = m_config.sessionExpirySeconds;
    // The keep-alive is whole real seconds on the wire; round up so the broker's 1.5 T is
    // never shorter than the simulated value asks for.
    const auto keepAlive = m_config.keepAlive.value_or(m_heartbeat->maxInterval());
    const double realSeconds = double(keepAlive.count()) / 1000.0 / m_config.timeScale;
    options.connect.keepAliveSeconds = keepAlive.count() == 0
            ? 0
            : quint16(std::clamp<double>(std::ceil(realSeconds), 1.0, 65535.0));
    options.machine.autoPing = false; // the strategy decides when to ping
    options.machine.pingResponseTimeout = toReal(m_config.pongTimeout);
    m_client.setOptions(options);

    connect(&m_client, &MqttClient::connected, this,
            [this](bool, const mqtt::Connack &connack) { onConnected(connack); });
    connect(&m_client, &MqttClient::disconnected, this,
            [this](CloseReason reason, mqtt::ReasonCode, const QString &) { onDisconnected(reason); });
    connect(&m_client, &MqttClient::pong, this, &SimulatedDevice::onPong);
    connect(&m_client, &MqttClient::subscribed, this,
            [this](quint16 packetId, const QList<mqtt::ReasonCode> &codes) { onSubscribed(packetId, codes); });
    connect(&m_client, &MqttClient::messageReceived, this, [this](const mqtt::Publish &publish) {
        ++m_stats.messagesReceived;
        emit messageReceived(publish);
        if (publish.topic == pushTopic())
            handlePush(publish);
        // Traffic refreshes the NAT mapping as well as a heartbeat would; measured after the
        // answers (PUBACK, receipt) were queued, since those refresh it too.
        m_lastActivityNs = m_clock.nsecsElapsed();
        m_lastActivityMs = m_lastActivityNs / 1000000;
        if (!m_pingSentMs)
            scheduleHeartbeat();
    });
}

SimulatedDevice::~SimulatedDevice() = default;

QString SimulatedDevice::pushTopic() const
{
    return QStringLiteral("devices/%1/push").arg(m_id);
}

QString SimulatedDevice::receiptTopic() const
{
    return QStringLiteral("devices/%1/receipt").arg(m_id);
}

QString SimulatedDevice::registerTopic() const
{
    return QStringLiteral("devices/%1/register").arg(m_id);
}

/*
 * What a real app does with a push (PUSH.md): tell an envelope from a raw payload, verify
 * it when the device holds keys, check expiry, run the sequence tracker, deliver or drop,
 * and answer with a receipt either way. Only envelopes that verified touch the tracker.
 */
void SimulatedDevice::handlePush(const mqtt::Publish &publish)
{
    // MQTT 5 labels envelopes; on 3.x (or an unlabelled v5 publish) an envelope is bytes
    // that parse and name a device — a raw payload that happens to parse as protobuf
    // almost never carries a device id.
    const std::optional<QString> &type = publish.properties.contentType;
    if (type && *type != push::EnvelopeContentType) {
        ++m_stats.pushesRaw;
        return;
    }
    const push::EnvelopeResult parsed = push::PushEnvelope::fromBytes(publish.payload);
    const auto *envelope = std::get_if<push::PushEnvelope>(&parsed);
    if (!envelope || (!type && envelope->deviceId.isEmpty())) {
        ++m_stats.pushesRaw;
        return;
    }
    if (envelope->contentType == push::KeepAliveOfferContentType) {
        handleKeepAliveOffer(*envelope);
        return;
    }
    ++m_stats.pushesReceived;

    const QDateTime now = QDateTime::currentDateTimeUtc();
    push::PushReceipt receipt;
    receipt.pushId = envelope->pushId;
    receipt.sequence = envelope->sequence;
    receipt.receivedAt = now;

    bool accepted = true;
    if (envelope->deviceId != m_id) { // replayed from another device: the id is signed
        receipt.status = push::ReceiptStatus::RejectedSignature;
        accepted = false;
    } else if (m_config.verifier) {
        switch (m_config.verifier->verify(*envelope, now)) {
        case push::VerifyResult::Verified:
            break;
        case push::VerifyResult::Expired:
            receipt.status = push::ReceiptStatus::Expired;
            accepted = false;
            break;
        case push::VerifyResult::Unsigned:
        case push::VerifyResult::UnknownKey:
        case push::VerifyResult::BadSignature:
            receipt.status = push::ReceiptStatus::RejectedSignature;
            accepted = false;
            break;
        }
    } else if (envelope->expiresAt.isValid() && now >= envelope->expiresAt) {
        receipt.status = push::ReceiptStatus::Expired;
        accepted = false;
    }

    if (!accepted) {
        if (receipt.status == push::ReceiptStatus::Expired)
            ++m_stats.expired;
        else
            ++m_stats.rejected;
        receipt.missing = m_tracker.missing();
    } else if (envelope->sequence == 0) { // unsequenced: nothing to track
        receipt.status = push::ReceiptStatus::Delivered;
        ++m_stats.pushesDelivered;
    } else {
        const push::AcceptResult result = m_tracker.accept(envelope->sequence);
        receipt.missing = result.missing;
        switch (result.outcome) {
        case push::SequenceOutcome::New:
            receipt.status = push::ReceiptStatus::Delivered;
            break;
        case push::SequenceOutcome::Gap:
            receipt.status = push::ReceiptStatus::Gap;
            ++m_stats.gaps;
            break;
        case push::SequenceOutcome::Duplicate:
            receipt.status = push::ReceiptStatus::Duplicate;
            ++m_stats.duplicates;
            break;
        case push::SequenceOutcome::Stale:
            receipt.status = push::ReceiptStatus::Stale;
            ++m_stats.stale;
            break;
        case push::SequenceOutcome::Invalid: // not a sequence number: no receipt
            ++m_stats.invalid;
            return;
        }
        if (result.deliver())
            ++m_stats.pushesDelivered;
        quint64 missing = 0;
        for (const push::SequenceRange &range : std::as_const(result.missing))
            missing += range.count();
        m_stats.missing = missing;
        m_stats.lost = m_tracker.lostCount();
        m_stats.highestSequence = m_tracker.highestReceived();
    }
    sendReceipt(receipt);
    emit pushHandled(*envelope, receipt);
}

/*
 * An offer changes how long this device stays silent, so only an authentic one counts: it
 * must name this device and verify against the device's keys (a device without keys cannot
 * tell a forgery and takes none). No receipt: it is not a push.
 */
void SimulatedDevice::handleKeepAliveOffer(const push::PushEnvelope &envelope)
{
    if (!m_heartbeat->takesAdvice())
        return;
    const std::optional<push::KeepAliveOffer> offer = push::KeepAliveOffer::fromEnvelope(envelope);
    if (!offer || envelope.deviceId != m_id || !m_config.verifier
        || m_config.verifier->verify(envelope, QDateTime::currentDateTimeUtc()) != push::VerifyResult::Verified) {
        ++m_stats.offersRejected;
        qCDebug(lcDevice).noquote() << m_id << "ignored a keep-alive offer:" << push::describe(envelope);
        return;
    }
    const Duration ceiling = fromRealSeconds(offer->keepAliveSeconds);
    m_heartbeat->adviseCeiling(ceiling);
    ++m_stats.offersApplied;
    m_stats.offeredKeepAliveMs = ceiling.count();
}

void SimulatedDevice::sendReceipt(const push::PushReceipt &receipt)
{
    if (!m_config.sendReceipts || !isConnected())
        return;
    if (m_client.publish(receiptTopic(), receipt.toBytes(), m_config.receiptQoS) >= 0)
        ++m_stats.receiptsSent;
}

void SimulatedDevice::start()
{
    if (m_running)
        return;
    m_running = true;
    m_stats.gaveUp = false;
    m_policy.reset();
    connectNow();
}

void SimulatedDevice::stop()
{
    m_running = false;
    m_timer.stop();
    m_pending = Pending::None;
    m_lostAtMs.reset();
    if (m_client.state() != MqttClient::State::Disconnected)
        m_client.disconnectFromBroker();
}

void SimulatedDevice::crash()
{
    m_running = false;
    m_timer.stop();
    m_pending = Pending::None;
    if (m_client.state() != MqttClient::State::Disconnected)
        m_client.abort();
}

void SimulatedDevice::connectNow()
{
    ++m_stats.connectAttempts;
    m_wasConnected = false;
    m_pushSubscription = -1;
    m_pushSubscribed = false;
    m_pingSentMs.reset();
    m_client.connectToBroker();
}

void SimulatedDevice::onConnected(const mqtt::Connack &connack)
{
    ++m_stats.connects;
    m_wasConnected = true;
    m_policy.reset();
    m_lastActivityNs = m_clock.nsecsElapsed();
    m_lastActivityMs = m_lastActivityNs / 1000000;
    m_stats.serverKeepAliveSeconds = connack.properties.serverKeepAlive.value_or(0);
    m_serverKeepAlive.reset();
    if (connack.properties.serverKeepAlive && *connack.properties.serverKeepAlive > 0)
        m_serverKeepAlive = fromRealSeconds(*connack.properties.serverKeepAlive);
    // Before the subscription: the broker reads the tag when the subscription arrives, and
    // packets on one connection arrive in order. (Tags to register go after the subscription:
    // below.)
    if (m_config.registerTags.isEmpty() && m_config.announceSmartHeartbeat && m_heartbeat->takesAdvice() && !m_registered) {
        m_registered = m_client.publish(registerTopic(), QByteArrayLiteral(R"({"tags":["heartbeat:smart"]})"),
                                        mqtt::QoS::AtLeastOnce) >= 0;
    }
    m_pushSubscription = m_client.subscribe(pushTopic(), m_config.pushQoS);
    scheduleHeartbeat();
    emit connected();
}

void SimulatedDevice::onDisconnected(CloseReason reason)
{
    m_timer.stop();
    m_pending = Pending::None;
    const qint64 now = m_clock.elapsed();
    if (reason == CloseReason::PingTimeout && m_pingSentMs) {
        const qint64 detection = now - *m_pingSentMs;
        ++m_stats.deadLinks;
        m_stats.lastDetectionMs = detection;
        m_stats.maxDetectionMs = std::max(m_stats.maxDetectionMs, detection);
        m_stats.totalDetectionMs += detection;
        m_stats.lastSilenceMs = now - m_lastActivityMs;
        m_heartbeat->onFailure(simNow());
        qCDebug(lcDevice).noquote() << m_id << "dead link noticed after" << detection << "ms; next interval"
                                    << m_heartbeat->currentInterval().count() << "ms";
        emit deadLinkDetected(detection);
    } else if (m_wasConnected) {
        if (reason != CloseReason::ClientDisconnect) // stop() is not a loss
            ++m_stats.connectionsLost;
    } else {
        ++m_stats.connectFailures;
    }
    // The outage runs from the first loss to the push subscription granted again, failed
    // attempts included.
    if (m_wasConnected && reason != CloseReason::ClientDisconnect && !m_lostAtMs)
        m_lostAtMs = now;
    m_pingSentMs.reset();
    m_wasConnected = false;
    emit disconnected(reason);
    if (m_running && reason != CloseReason::ClientDisconnect)
        scheduleReconnect();
}

/*
 * A reconnect is over when pushes can reach the device again: its push subscription was
 * granted. A CONNACK alone is not enough: a cluster node may accept the connection and then
 * refuse the subscription (RabbitMQ 3.10 while the node holding the device's QoS 1 queue is
 * down), and the connection closes.
 */
void SimulatedDevice::onSubscribed(quint16 packetId, const QList<mqtt::ReasonCode> &codes)
{
    if (int(packetId) != m_pushSubscription)
        return;
    m_pushSubscription = -1;
    if (codes.isEmpty() || quint8(codes.first()) >= 0x80)
        return;
    m_pushSubscribed = true;
    // Once it can receive: on a cluster the registration is hermesd's only sign that the
    // device is back, and it sends again what the device missed while away; sent before the
    // subscription is in place, that would be missed too.
    if (!m_config.registerTags.isEmpty()) {
        QStringList tags = m_config.registerTags;
        if (m_config.announceSmartHeartbeat && m_heartbeat->takesAdvice())
            tags.append(QStringLiteral("heartbeat:smart"));
        const QByteArray registration = QJsonDocument(QJsonObject{{QStringLiteral("tags"), QJsonArray::fromStringList(tags)}})
                                                .toJson(QJsonDocument::Compact);
        m_registered = m_client.publish(registerTopic(), registration, mqtt::QoS::AtLeastOnce) >= 0;
    }
    if (const std::optional<qint64> lostAt = std::exchange(m_lostAtMs, std::nullopt)) {
        const qint64 took = m_clock.elapsed() - *lostAt;
        ++m_stats.reconnects;
        m_stats.lastReconnectMs = took;
        m_stats.maxReconnectMs = std::max(m_stats.maxReconnectMs, took);
        emit reconnected(took);
    }
}

void SimulatedDevice::onPong(qint64 rttMs)
{
    ++m_stats.pongs;
    m_pingSentMs.reset();
    m_lastActivityNs = m_clock.nsecsElapsed();
    m_lastActivityMs = m_lastActivityNs / 1000000;
    m_heartbeat->onSuccess(simNow());
    scheduleHeartbeat();
    emit heartbeatAnswered(rttMs);
}

void SimulatedDevice::onTimer()
{
    switch (std::exchange(m_pending, Pending::None)) {
    case Pending::None:
        return;
    case Pending::Heartbeat:
        sendHeartbeat();
        return;
    case Pending::Reconnect:
        if (m_running) {
            ++m_stats.reconnectAttempts;
            connectNow();
        }
        return;
    }
}

void SimulatedDevice::sendHeartbeat()
{
    if (!isConnected())
        return;
    if (!m_client.ping()) { // a PINGREQ is still outstanding: its timeout will decide
        return;
    }
    ++m_stats.heartbeatsSent;
    m_pingSentMs = m_clock.elapsed();
}

void SimulatedDevice::scheduleHeartbeat()
{
    m_pending = Pending::Heartbeat;
    // Never early: a heartbeat meant for exactly the NAT timeout must not slip under it by
    // rounding (the smart search probes that boundary). Precise timers do not fire early.
    const qint64 dueNs = m_lastActivityNs + toReal(heartbeatInterval()).count() * 1000000;
    // One more millisecond: bytes this device queued just before (a PUBACK, a receipt) leave
    // after the measurement, and would otherwise put the probe a few µs under the timeout.
    const qint64 waitMs = (dueNs - m_clock.nsecsElapsed() + 999999) / 1000000 + 1;
    m_timer.start(int(std::clamp<qint64>(waitMs, 0, std::numeric_limits<int>::max())));
}

void SimulatedDevice::scheduleReconnect()
{
    const auto delay = m_policy.nextDelay();
    if (!delay) {
        m_running = false;
        m_stats.gaveUp = true;
        qCDebug(lcDevice).noquote() << m_id << "gave up after" << m_policy.attempts() << "attempts";
        emit gaveUp();
        return;
    }
    if (!m_config.moreBrokers.isEmpty()) {
        // Whatever ended this connection, the next node may be the one still up.
        m_brokerIndex = (m_brokerIndex + 1) % (m_config.moreBrokers.size() + 1);
        const BrokerNode next = currentBroker();
        ClientOptions options = m_client.options();
        options.host = next.host;
        options.port = next.port;
        m_client.setOptions(options);
    }
    m_pending = Pending::Reconnect;
    m_timer.start(int(toReal(*delay).count()));
}

BrokerNode SimulatedDevice::currentBroker() const
{
    return m_brokerIndex == 0 ? BrokerNode{m_config.brokerHost, m_config.brokerPort}
                              : m_config.moreBrokers.at(m_brokerIndex - 1);
}

Duration SimulatedDevice::heartbeatInterval() const
{
    const Duration interval = m_heartbeat->currentInterval();
    return m_serverKeepAlive ? std::min(interval, *m_serverKeepAlive) : interval;
}

std::chrono::milliseconds SimulatedDevice::toReal(std::chrono::milliseconds simulated) const
{
    return std::chrono::milliseconds(qint64(std::llround(double(simulated.count()) / m_config.timeScale)));
}

Duration SimulatedDevice::fromRealSeconds(quint32 seconds) const
{
    return Duration(qint64(std::llround(double(seconds) * 1000.0 * m_config.timeScale)));
}

Timestamp SimulatedDevice::simNow() const
{
    return Timestamp(qint64(std::llround(double(m_clock.elapsed()) * m_config.timeScale)));
}

} // namespace hermes::sim
