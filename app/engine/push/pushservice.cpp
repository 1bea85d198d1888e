#include "pushservice.h"

#include "push/envelope.h"

#include "mqtt/topic.h"

#include <QDateTime>
#include <QFile>
#include <QRegularExpression>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QUuid>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcPush, "hermes.push")

namespace hermes {

using namespace std::chrono_literals;

namespace {

/// How often devices' last-seen times reach the store.
constexpr auto SeenFlushInterval = 5s;

bool isFinal(TargetState state)
{
    return state == TargetState::Receipted || state == TargetState::Expired || state == TargetState::Failed;
}

} // namespace

std::optional<PushConfig> PushConfig::fromSettings(const PushSettings &settings, QString *error)
{
    PushConfig config;
    config.pushTopic = TopicTemplate(settings.pushTopic);
    config.receiptTopic = TopicTemplate(settings.receiptTopic);
    config.registerTopic = TopicTemplate(settings.registerTopic);
    if (settings.signingKeyId.isEmpty())
        return config;
    QFile file(settings.signingKeyFile);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("push_signing_key: %1: %2").arg(settings.signingKeyFile, file.errorString());
        return std::nullopt;
    }
    QByteArray key = file.readAll();
    // A key written as hex text (openssl rand -hex 32) is decoded; anything else is raw bytes.
    const QByteArray text = key.trimmed();
    static const QRegularExpression hexOnly(QStringLiteral("^[0-9a-fA-F]+$"));
    if (text.size() >= 64 && text.size() % 2 == 0 && hexOnly.match(QString::fromLatin1(text)).hasMatch())
        key = QByteArray::fromHex(text);
    if (key.size() < 32) {
        *error = QStringLiteral("push_signing_key: %1: a key needs at least 32 bytes (e.g. openssl rand -hex 32 > FILE), this one has %2")
                     .arg(settings.signingKeyFile).arg(key.size());
        return std::nullopt;
    }
    config.signingKeyId = settings.signingKeyId;
    config.signingKey = key;
    return config;
}

PushService::PushService(Broker &broker, PushConfig config, QObject *parent)
    : PushService(broker, std::make_unique<BrokerPushTransport>(broker), nullptr, std::move(config), parent)
{
}

PushService::PushService(Broker &broker, PushTransport &transport, PushConfig config, QObject *parent)
    : PushService(broker, nullptr, &transport, std::move(config), parent)
{
}

PushService::PushService(Broker &broker, std::unique_ptr<BrokerPushTransport> ownTransport, PushTransport *transport,
                         PushConfig config, QObject *parent)
    : QObject(parent),
      m_broker(broker),
      m_ownTransport(std::move(ownTransport)),
      m_transport(transport ? *transport : *m_ownTransport),
      m_config(std::move(config)),
      m_devices([this](const DeviceRecord &device, bool removed) { persistDevice(device, removed); })
{
    if (!m_config.signingKeyId.isEmpty() && !m_config.signingKey.isEmpty())
        m_signer.emplace(m_config.signingKeyId, m_config.signingKey);
    for (QTimer *timer : {&m_dispatchTimer, &m_scheduleTimer, &m_expiryTimer})
        timer->setSingleShot(true);
    m_dispatchTimer.setTimerType(Qt::PreciseTimer);
    m_scheduleTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_dispatchTimer, &QTimer::timeout, this, &PushService::dispatchTurn);
    connect(&m_scheduleTimer, &QTimer::timeout, this, &PushService::scheduleTimers);
    connect(&m_expiryTimer, &QTimer::timeout, this, &PushService::sweepExpired);
    m_flushTimer.setInterval(SeenFlushInterval);
    connect(&m_flushTimer, &QTimer::timeout, this, &PushService::flushSeenDevices);
}

void PushService::start()
{
    if (m_started)
        return;
    m_started = true;
    if (Store *store = m_broker.store()) {
        m_devices.restore(store->loadDevices());
        m_sequences = push::SequenceAllocator(store->loadPushSequences());
    }
    connect(&m_transport, &PushTransport::delivery, this, &PushService::onTracedDelivery);
    connect(&m_transport, &PushTransport::inbound, this, &PushService::onInbound);
    m_transport.listen(m_config.receiptTopic.filter());
    m_transport.listen(m_config.registerTopic.filter());
    // The broker's own clients: devices when it serves them (an upstream transport's devices
    // are on the cluster, and this broker serves operators only).
    connect(&m_broker, &Broker::clientConnected, this, &PushService::onClientConnected);
    connect(&m_broker, &Broker::clientDisconnected, this, &PushService::onClientDisconnected);
    connect(&m_broker, &Broker::clientSubscribed, this, &PushService::onClientSubscribed);
    m_flushTimer.start();
}

qint64 PushService::wallNow()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// ---- Audience and sending ----

std::variant<QStringList, PushError> PushService::audience(const PushTarget &target) const
{
    switch (target.kind) {
    case PushTarget::Kind::Devices: {
        QStringList unknown;
        for (const QString &id : target.devices) {
            if (!m_devices.find(id))
                unknown.append(id);
        }
        if (!unknown.isEmpty()) {
            const QString quoted = QLatin1Char('"') + unknown.join(QLatin1String("\", \"")) + QLatin1Char('"');
            return PushError{QStringLiteral("not-found"),
                             unknown.size() == 1
                                 ? tr("unknown device %1 (register with devices/update first)").arg(quoted)
                                 : tr("unknown devices %1 (register with devices/update first)").arg(quoted)};
        }
        return target.devices;
    }
    case PushTarget::Kind::Alias: return m_devices.withAlias(target.value);
    case PushTarget::Kind::Tag: {
        const auto parsed = push::TagExpression::parse(target.value);
        if (const auto *error = std::get_if<push::TagExpressionError>(&parsed))
            return PushError{QStringLiteral("bad-request"), tr("tag expression: ") + error->toString()};
        return m_devices.matching(std::get<push::TagExpression>(parsed));
    }
    case PushTarget::Kind::Topic: return QStringList{};
    case PushTarget::Kind::All: return m_devices.ids();
    }
    return QStringList{};
}

std::variant<PushReport, PushError> PushService::send(PushRequest request)
{
    auto result = accept(std::move(request));
    ++(std::holds_alternative<PushReport>(result) ? m_statistics.accepted : m_statistics.refused);
    return result;
}

void PushService::enterState(TargetReport &target, TargetState state)
{
    if (target.state == state)
        return;
    const bool arrivedBefore = target.state == TargetState::Acknowledged || target.state == TargetState::Receipted;
    target.state = state;
    ++m_statistics.deliveriesEntered[std::size_t(state)];
    const bool arrives = state == TargetState::Acknowledged || state == TargetState::Receipted;
    if (arrives && !arrivedBefore && target.queuedAtMs > 0)
        m_statistics.deliveryDurations.observe(std::max<qint64>(0, wallNow() - target.queuedAtMs) / 1000.0);
}

std::variant<PushReport, PushError> PushService::accept(PushRequest request)
{
    if (request.target.kind == PushTarget::Kind::Topic && !mqtt::isValidTopicName(request.target.value))
        return PushError{QStringLiteral("bad-request"), QStringLiteral("\"%1\" is not a valid topic").arg(request.target.value)};
    if (request.pushId.isEmpty())
        request.pushId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    if (m_pushes.count(request.pushId))
        return PushError{QStringLiteral("bad-request"), QStringLiteral("push id \"%1\" is already in use").arg(request.pushId)};
    const auto resolved = audience(request.target);
    if (const auto *error = std::get_if<PushError>(&resolved))
        return *error;
    QStringList targets = std::get<QStringList>(resolved);
    if (request.target.kind == PushTarget::Kind::Topic)
        targets = {request.target.value};
    if (targets.isEmpty())
        return PushError{QStringLiteral("not-found"), tr("%1 reaches no device").arg(request.target.describe())};
    // What the transport cannot do is refused, or downgraded with a note in the report.
    const bool expiresQueued = m_transport.expiresQueuedMessages();
    if (request.ttlSeconds && !expiresQueued && !request.usesEnvelope())
        return PushError{QStringLiteral("bad-request"),
                         tr("%1 cannot expire queued messages and a raw payload carries no expiry the device could check: "
                            "send it in an envelope, or without a TTL").arg(m_transport.route())};
    QStringList notes;
    if (const mqtt::QoS maximum = m_transport.maximumQoS(); request.qos > maximum) {
        notes.append(tr("QoS %1 downgraded to QoS %2: %3 delivers at most QoS %2, so a device may get a copy twice "
                        "(an envelope's sequence number lets it drop the second)")
                         .arg(int(request.qos)).arg(int(maximum)).arg(m_transport.route()));
        request.qos = maximum;
    }
    if (request.ttlSeconds && !expiresQueued)
        notes.append(tr("TTL: %1 keeps queued copies past it (no message expiry in MQTT 3.1.1); devices drop envelopes "
                        "past their expiresAt and receipt them as expired").arg(m_transport.route()));

    const qint64 now = wallNow();
    ActivePush push;
    push.report.pushId = request.pushId;
    push.report.createdAtMs = now;
    push.report.sendAtMs = std::max(now, request.sendAtMs.value_or(now));
    push.report.target = request.target;
    push.report.qos = request.qos;
    push.report.ttlSeconds = request.ttlSeconds;
    push.report.envelope = request.usesEnvelope();
    push.report.notes = notes;
    // The TTL runs from when delivery starts, so a scheduled push keeps its whole TTL.
    push.expiresAtMs = request.ttlSeconds ? push.report.sendAtMs + qint64(request.ttlSeconds) * 1000 : 0;
    push.lastRefillMs = push.report.sendAtMs;
    push.tokens = 1; // the first delivery goes at once
    push.report.targets.reserve(targets.size());
    push.traces.reserve(targets.size());
    for (const QString &id : std::as_const(targets)) {
        TargetReport target;
        target.device = id;
        if (push.report.sendAtMs > now)
            target.detail = QStringLiteral("scheduled");
        push.indexOf.insert(id, push.report.targets.size());
        push.report.targets.append(target);
        const quint64 trace = m_nextTrace++;
        push.traces.append(trace);
        m_traces.insert(trace, {request.pushId, push.traces.size() - 1});
    }
    push.request = std::move(request);
    const QString pushId = push.request.pushId;
    const bool scheduled = push.report.sendAtMs > now;
    markChanged(m_pushes.emplace(pushId, std::move(push)).first->second);
    m_order.append(pushId);
    qCInfo(lcPush).noquote() << "push" << pushId << "to" << m_pushes.at(pushId).report.target.describe()
                             << "audience" << targets.size() << (scheduled ? "scheduled" : "");
    if (scheduled)
        scheduleTimers();
    else
        startDispatch(pushId);
    evictSettledReports();
    return m_pushes.at(pushId).report;
}

void PushService::startDispatch(const QString &pushId)
{
    m_dispatching.push_back(pushId);
    dispatchTurn();
}

void PushService::dispatchTurn()
{
    const qint64 now = wallNow();
    int budget = std::max(1, m_config.deliveriesPerTurn);
    std::optional<qint64> nextTokenInMs;
    std::deque<QString> stillDispatching;
    while (!m_dispatching.empty()) {
        const QString pushId = m_dispatching.front();
        m_dispatching.pop_front();
        const auto it = m_pushes.find(pushId);
        if (it == m_pushes.end())
            continue;
        ActivePush &push = it->second;
        const qsizetype total = push.report.targets.size();
        const double rate = push.request.ratePerSecond;
        if (rate > 0) {
            // Token bucket: at most a tenth of a second's worth at once, so the rate holds
            // over any window longer than that.
            push.tokens = std::min(std::max(1.0, rate / 10), push.tokens + rate * double(now - push.lastRefillMs) / 1000.0);
            push.lastRefillMs = now;
        }
        while (push.nextToDispatch < total && budget > 0 && (rate <= 0 || push.tokens >= 1)) {
            dispatch(push, push.nextToDispatch++);
            --budget;
            if (rate > 0)
                push.tokens -= 1;
        }
        if (push.nextToDispatch < total) {
            stillDispatching.push_back(pushId);
            if (rate > 0 && push.tokens < 1) {
                const qint64 wait = qint64(std::ceil((1 - push.tokens) * 1000.0 / rate));
                nextTokenInMs = std::min(nextTokenInMs.value_or(wait), wait);
            } else {
                nextTokenInMs = 0; // out of budget for this turn: continue on the next one
            }
        }
        markChanged(push);
    }
    m_dispatching = std::move(stillDispatching);
    if (nextTokenInMs)
        m_dispatchTimer.start(std::chrono::milliseconds(std::max<qint64>(0, *nextTokenInMs)));
    scheduleTimers();
}

void PushService::dispatch(ActivePush &push, qsizetype index)
{
    TargetReport &target = push.report.targets[index];
    const qint64 now = wallNow();
    if (isFinal(target.state) || target.state == TargetState::Acknowledged)
        return;
    if (push.expiresAtMs && now >= push.expiresAtMs) {
        enterState(target, TargetState::Expired);
        target.endedAtMs = now;
        target.detail = tr("TTL passed before delivery");
        return;
    }
    const PushRequest &request = push.request;
    const bool isTopic = request.target.kind == PushTarget::Kind::Topic;
    const QString deviceId = isTopic ? QString() : target.device;

    QByteArray payload = request.payload;
    if (request.usesEnvelope()) {
        if (!isTopic && target.sequence == 0) {
            const std::optional<quint64> sequence = m_sequences.allocate(deviceId);
            if (!sequence) {
                enterState(target, TargetState::Failed);
                target.endedAtMs = now;
                target.detail = tr("sequence numbers exhausted for this device");
                return;
            }
            target.sequence = *sequence;
            // Queued before the envelope is handed over: the broker holds every output until
            // this is committed, so a crash can never reuse a number a device has seen.
            if (Store *store = m_broker.store()) {
                store->savePushSequence(deviceId, m_sequences.peek(deviceId));
                m_broker.scheduleCommit();
            }
        }
        push::PushEnvelope envelope;
        envelope.pushId = request.pushId;
        envelope.deviceId = deviceId;
        envelope.sequence = target.sequence;
        envelope.sentAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
        if (push.expiresAtMs)
            envelope.expiresAt = QDateTime::fromMSecsSinceEpoch(push.expiresAtMs, Qt::UTC);
        envelope.contentType = request.contentType;
        envelope.payload = request.payload;
        if (m_signer)
            envelope = m_signer->sign(std::move(envelope));
        payload = envelope.toBytes();
    }

    mqtt::Publish publish;
    publish.topic = isTopic ? request.target.value : m_config.pushTopic.topicFor(deviceId);
    publish.payload = payload;
    publish.qos = request.qos;
    publish.retain = request.retain;
    publish.properties.contentType = request.usesEnvelope() ? QString(push::EnvelopeContentType) : request.contentType;
    if (push.expiresAtMs)
        publish.properties.messageExpiryInterval = quint32((push.expiresAtMs - now + 999) / 1000);

    if (isTopic) {
        m_transport.publish(std::move(publish));
        enterState(target, TargetState::Sent);
        target.sentAtMs = now;
        target.sendCount = 1;
        target.route = m_transport.route();
        target.detail.clear();
        return;
    }
    const quint64 trace = push.traces.at(index);
    if (m_transport.deliverTraced(std::move(publish), deviceId, trace)) {
        if (target.state == TargetState::Pending)
            target.detail.clear();
        return;
    }
    enterState(target, TargetState::Pending);
    target.detail = tr("waiting for the device to subscribe to %1").arg(m_config.pushTopic.topicFor(deviceId));
    QList<quint64> &waiting = m_waiting[deviceId];
    if (!waiting.contains(trace))
        waiting.append(trace);
}

void PushService::retryWaiting(const QString &deviceId)
{
    const QList<quint64> traces = m_waiting.take(deviceId);
    for (const quint64 trace : traces) {
        qsizetype index = 0;
        if (ActivePush *push = pushFor(trace, &index)) {
            // Paced and scheduled targets keep their turn; only parked ones go again.
            if (index < push->nextToDispatch) {
                dispatch(*push, index);
                markChanged(*push);
            }
        }
    }
    scheduleTimers();
}

PushService::ActivePush *PushService::pushFor(quint64 trace, qsizetype *index)
{
    const auto ref = m_traces.constFind(trace);
    if (ref == m_traces.cend())
        return nullptr;
    const auto it = m_pushes.find(ref->pushId);
    if (it == m_pushes.end())
        return nullptr;
    *index = ref->index;
    return &it->second;
}

// ---- Timers: scheduled starts and TTL expiry ----

void PushService::scheduleTimers()
{
    const qint64 now = wallNow();
    std::optional<qint64> nextStart;
    std::optional<qint64> nextExpiry;
    for (auto &[pushId, push] : m_pushes) {
        const bool started = push.nextToDispatch > 0
            || std::find(m_dispatching.cbegin(), m_dispatching.cend(), pushId) != m_dispatching.cend();
        if (!started && push.nextToDispatch < push.report.targets.size()) {
            if (push.report.sendAtMs <= now) {
                for (TargetReport &target : push.report.targets) {
                    if (target.detail == QLatin1String("scheduled"))
                        target.detail.clear();
                }
                m_dispatching.push_back(pushId);
                m_dispatchTimer.start(0);
            } else {
                nextStart = std::min(nextStart.value_or(push.report.sendAtMs), push.report.sendAtMs);
            }
        }
        if (push.expiresAtMs && !push.report.isSettled())
            nextExpiry = std::min(nextExpiry.value_or(push.expiresAtMs), push.expiresAtMs);
    }
    if (nextStart)
        m_scheduleTimer.start(std::chrono::milliseconds(std::max<qint64>(0, *nextStart - now)));
    else
        m_scheduleTimer.stop();
    if (nextExpiry) {
        const auto due = std::chrono::milliseconds(std::max<qint64>(0, *nextExpiry - now));
        if (!m_expiryTimer.isActive() || m_expiryTimer.remainingTimeAsDuration() > due)
            m_expiryTimer.start(due);
    }
}

void PushService::sweepExpired()
{
    const qint64 now = wallNow();
    for (auto &[pushId, push] : m_pushes) {
        if (!push.expiresAtMs || push.expiresAtMs > now)
            continue;
        bool changed = false;
        for (qsizetype i = 0; i < push.report.targets.size(); ++i) {
            TargetReport &target = push.report.targets[i];
            // Queued in an offline session: the broker drops it by its message expiry when
            // the device returns; the report says so now.
            if (target.state == TargetState::Pending || target.state == TargetState::Queued) {
                enterState(target, TargetState::Expired);
                target.endedAtMs = now;
                target.detail = tr("TTL passed before delivery");
                changed = true;
                if (!target.device.isEmpty())
                    m_waiting[target.device].removeAll(push.traces.at(i));
            }
        }
        if (changed)
            markChanged(push);
    }
    for (auto it = m_waiting.begin(); it != m_waiting.end();)
        it = it->isEmpty() ? m_waiting.erase(it) : std::next(it);
    scheduleTimers();
}

// ---- Broker events ----

bool PushService::isDevice(const QString &clientId) const
{
    // A device is a client with the device role, or any client listening on its own push
    // topic (an anonymous loopback client is an operator by default, yet may be a device).
    if (m_devices.find(clientId))
        return true;
    const std::optional<ClientIdentity> identity = m_broker.identityOf(clientId);
    return identity
        && (identity->role == Role::Device || m_broker.subscribesTo(clientId, m_config.pushTopic.topicFor(clientId)));
}

void PushService::noteSeen(const QString &clientId)
{
    const bool known = m_devices.find(clientId) != nullptr;
    m_devices.seen(clientId, wallNow());
    m_seenDevices.insert(clientId);
    if (!known)
        emit devicesChanged();
}

void PushService::onClientConnected(const QString &clientId)
{
    if (!isDevice(clientId))
        return;
    noteSeen(clientId);
    // A persistent session may already hold its subscription: try the parked pushes now.
    if (m_waiting.contains(clientId))
        retryWaiting(clientId);
}

void PushService::onClientDisconnected(const QString &clientId)
{
    if (m_devices.find(clientId)) {
        m_devices.seen(clientId, wallNow());
        m_seenDevices.insert(clientId);
    }
}

void PushService::onClientSubscribed(const QString &clientId)
{
    if (!m_devices.find(clientId) && isDevice(clientId))
        noteSeen(clientId);
    if (m_waiting.contains(clientId))
        retryWaiting(clientId);
}

void PushService::flushSeenDevices()
{
    Store *store = m_broker.store();
    if (!store || m_seenDevices.isEmpty()) {
        m_seenDevices.clear();
        return;
    }
    for (const QString &id : std::as_const(m_seenDevices)) {
        if (const DeviceRecord *device = m_devices.find(id))
            store->saveDevice(*device);
    }
    m_seenDevices.clear();
    m_broker.scheduleCommit();
}

void PushService::onTracedDelivery(quint64 trace, DeliveryStage stage, const QString &detail)
{
    qsizetype index = 0;
    ActivePush *push = pushFor(trace, &index);
    if (!push)
        return;
    TargetReport &target = push->report.targets[index];
    const qint64 now = wallNow();
    switch (stage) {
    case DeliveryStage::Queued:
        if (!isFinal(target.state) && target.state != TargetState::Acknowledged) {
            enterState(target, TargetState::Queued);
            target.queuedAtMs = now;
        }
        break;
    case DeliveryStage::Sent:
        ++target.sendCount;
        if (!target.sentAtMs)
            target.sentAtMs = now;
        if (target.state == TargetState::Pending || target.state == TargetState::Queued)
            enterState(target, TargetState::Sent);
        target.route = m_transport.route();
        break;
    case DeliveryStage::Acknowledged:
        target.acknowledgedAtMs = now;
        if (!isFinal(target.state))
            enterState(target, TargetState::Acknowledged);
        break;
    case DeliveryStage::Failed:
    case DeliveryStage::Expired:
        if (!isFinal(target.state) && target.state != TargetState::Acknowledged) {
            enterState(target, stage == DeliveryStage::Expired ? TargetState::Expired : TargetState::Failed);
            target.endedAtMs = now;
            target.detail = stage == DeliveryStage::Expired ? tr("TTL passed before delivery") : detail;
        }
        break;
    case DeliveryStage::Abandoned:
        // The session ended (clean start, expiry, a non-persistent session's connection
        // closed) before the device acknowledged: deliver again when it is back, unless it
        // already got it or the TTL is over. A duplicate is the device's to drop (same
        // sequence number).
        if (target.state == TargetState::Queued || target.state == TargetState::Sent
            || (target.state == TargetState::Pending && push->request.qos != mqtt::QoS::AtMostOnce)) {
            if (push->expiresAtMs && now >= push->expiresAtMs) {
                enterState(target, TargetState::Expired);
                target.endedAtMs = now;
                target.detail = tr("TTL passed before delivery");
            } else if (target.state != TargetState::Sent || push->request.qos != mqtt::QoS::AtMostOnce) {
                enterState(target, TargetState::Pending);
                target.detail = tr("%1; will resend when the device returns").arg(detail);
                QList<quint64> &waiting = m_waiting[target.device];
                if (!waiting.contains(trace))
                    waiting.append(trace);
            }
        }
        break;
    }
    markChanged(*push);
}

void PushService::onInbound(const std::optional<ClientIdentity> &publisher, const mqtt::Publish &publish)
{
    const auto receiptOf = m_config.receiptTopic.deviceIdOf(publish.topic);
    const auto registrationOf = m_config.registerTopic.deviceIdOf(publish.topic);
    const std::optional<QString> id = receiptOf ? receiptOf : registrationOf;
    // A device answers only for itself (the default ACL enforces it; operators may replay
    // receipts on a device's behalf). Without a publisher, the transport's own permissions
    // decided who may publish there.
    if (!id || (publisher && publisher->clientId != *id && publisher->role != Role::Operator))
        return;
    if (receiptOf)
        handleReceipt(*id, publish.payload);
    else
        handleRegistration(*id, publish.payload);
}

void PushService::handleReceipt(const QString &deviceId, const QByteArray &payload)
{
    const push::ReceiptResult parsed = push::PushReceipt::fromBytes(payload);
    if (const auto *error = std::get_if<push::PushDecodeError>(&parsed)) {
        ++m_malformedMessages;
        qCInfo(lcPush).noquote() << "malformed receipt from" << deviceId << ":" << error->detail;
        return;
    }
    const push::PushReceipt &receipt = std::get<push::PushReceipt>(parsed);
    const auto it = m_pushes.find(receipt.pushId);
    const qsizetype index = it == m_pushes.end() ? -1 : it->second.indexOf.value(deviceId, -1);
    if (index < 0)
        return; // a push that is over, or that never targeted this device
    ActivePush &push = it->second;
    TargetReport &target = push.report.targets[index];
    const qint64 now = wallNow();
    quint64 missing = 0;
    for (const push::SequenceRange &range : receipt.missing)
        missing += range.count();
    target.missing = missing;
    switch (receipt.status) {
    case push::ReceiptStatus::Delivered:
    case push::ReceiptStatus::Gap:
    case push::ReceiptStatus::Duplicate:
        if (receipt.status == push::ReceiptStatus::Duplicate)
            ++push.report.duplicates;
        if (!target.receiptedAtMs) {
            target.receiptedAtMs = now;
            target.receiptStatus = push::describe(receipt.status);
        }
        // The device has it, whatever the report said before (even expired: it arrived).
        enterState(target, TargetState::Receipted);
        target.detail.clear();
        m_waiting[deviceId].removeAll(push.traces.at(index));
        break;
    case push::ReceiptStatus::RejectedSignature:
    case push::ReceiptStatus::Expired:
    case push::ReceiptStatus::Stale:
    case push::ReceiptStatus::Unspecified:
        target.receiptStatus = push::describe(receipt.status);
        if (target.state != TargetState::Receipted) {
            enterState(target, receipt.status == push::ReceiptStatus::Expired ? TargetState::Expired : TargetState::Failed);
            target.endedAtMs = now;
            target.detail = tr("the device refused it: %1").arg(target.receiptStatus);
        }
        break;
    }
    markChanged(push);
}

void PushService::handleRegistration(const QString &deviceId, const QByteArray &payload)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    const QJsonObject json = document.object();
    DeviceUpdate update;
    if (json.contains(QLatin1String("alias")))
        update.alias = json.value(QLatin1String("alias")).toString();
    if (json.contains(QLatin1String("tags"))) {
        QStringList tags;
        for (const QJsonValue &tag : json.value(QLatin1String("tags")).toArray())
            tags.append(tag.toString());
        update.tags = tags;
    }
    const QString problem = parseError.error != QJsonParseError::NoError
        ? parseError.errorString()
        : !document.isObject() ? QStringLiteral("not a JSON object") : DeviceRegistry::validate(update);
    if (!problem.isEmpty()) {
        ++m_malformedMessages;
        qCInfo(lcPush).noquote() << "ignored registration from" << deviceId << ":" << problem;
        return;
    }
    const bool wasRegistered = m_devices.find(deviceId) && m_devices.find(deviceId)->registered;
    m_devices.update(deviceId, update, wasRegistered);
    emit devicesChanged();
    // Devices register on every connect: on a cluster that is the only sign a device is back
    // and may have missed what was published to it while it was away.
    if (!m_transport.reportsAbandonedCopies())
        resendUnreceipted(deviceId);
}

void PushService::resendUnreceipted(const QString &deviceId)
{
    for (auto &[pushId, push] : m_pushes) {
        const auto found = push.indexOf.constFind(deviceId);
        if (found == push.indexOf.cend() || !push.request.usesEnvelope() || *found >= push.nextToDispatch)
            continue;
        TargetReport &target = push.report.targets[*found];
        // Only what the cluster took: a Queued copy still waits in the link's backlog.
        if (target.state != TargetState::Sent)
            continue;
        dispatch(push, *found);
        if (!isFinal(target.state))
            target.detail = tr("sent again: the device registered after reconnecting");
        markChanged(push);
    }
}

// ---- Devices ----

std::variant<DeviceRecord, PushError> PushService::updateDevice(const QString &id, const DeviceUpdate &update)
{
    if (id.isEmpty() || !mqtt::isValidTopicName(m_config.pushTopic.topicFor(id)) || id.contains(QLatin1Char('/')))
        return PushError{QStringLiteral("bad-request"), QStringLiteral("\"%1\" is not a usable device id").arg(id)};
    if (const QString problem = DeviceRegistry::validate(update); !problem.isEmpty())
        return PushError{QStringLiteral("bad-request"), problem};
    const DeviceRecord device = m_devices.update(id, update, true);
    emit devicesChanged();
    return device;
}

bool PushService::removeDevice(const QString &id)
{
    if (!m_devices.remove(id))
        return false;
    emit devicesChanged();
    return true;
}

void PushService::persistDevice(const DeviceRecord &device, bool removed)
{
    Store *store = m_broker.store();
    if (!store)
        return;
    if (removed)
        store->deleteDevice(device.id);
    else
        store->saveDevice(device);
    m_broker.scheduleCommit();
}

// ---- Reports ----

std::optional<PushReport> PushService::report(const QString &pushId) const
{
    const auto it = m_pushes.find(pushId);
    if (it == m_pushes.end())
        return std::nullopt;
    return it->second.report;
}

QList<PushReport> PushService::recentReports(qsizetype limit) const
{
    QList<PushReport> reports;
    for (auto it = m_order.crbegin(); it != m_order.crend() && reports.size() < limit; ++it)
        reports.append(m_pushes.at(*it).report);
    return reports;
}

QStringList PushService::reportsChangedAfter(quint64 serial) const
{
    QStringList changed;
    if (serial >= m_reportSerial)
        return changed;
    for (const QString &pushId : m_order) {
        if (m_pushes.at(pushId).changedAt > serial)
            changed.append(pushId);
    }
    return changed;
}

void PushService::markChanged(ActivePush &push)
{
    push.changedAt = ++m_reportSerial;
}

void PushService::evictSettledReports()
{
    // Oldest settled reports go first; unsettled ones stay however many there are (they
    // still have deliveries to follow).
    for (qsizetype i = 0; i < m_order.size() && qsizetype(m_pushes.size()) > m_config.maxReports;) {
        const auto it = m_pushes.find(m_order.at(i));
        if (it->second.report.isSettled() && it->second.nextToDispatch >= it->second.report.targets.size()) {
            for (const quint64 trace : it->second.traces)
                m_traces.remove(trace);
            m_pushes.erase(it);
            m_order.removeAt(i);
        } else {
            ++i;
        }
    }
}

} // namespace hermes
