#include "remoteengine.h"

#include "adminchannel.h"

#include "engine/push/reportdeltas.h"
#include "engine/push/sessionjson.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcRemoteEngine, "hermes.remote")

namespace hermes {

namespace {

constexpr int ApiVersion = 2;
const QString EventsTopic = QStringLiteral("$hermes/admin/v2/sessions/events");
const QString TelemetryTopic = QStringLiteral("$hermes/admin/v2/telemetry");
const QString ReportsTopic = QStringLiteral("$hermes/admin/v2/push/reports");

/// CONNACK codes that mean "these credentials may not connect" rather than "broker down".
bool isCredentialRefusal(mqtt::ReasonCode code)
{
    switch (code) {
    case mqtt::ReasonCode::BadUserNameOrPassword:
    case mqtt::ReasonCode::NotAuthorized:
    case mqtt::ReasonCode::Banned:
    case mqtt::ReasonCode::BadAuthenticationMethod:
    case mqtt::ReasonCode::ClientIdentifierNotValid:
        return true;
    default:
        return false;
    }
}

DeviceRecord deviceFromJson(const QJsonObject &json)
{
    DeviceRecord device;
    device.id = json.value(QLatin1String("id")).toString();
    device.alias = json.value(QLatin1String("alias")).toString();
    for (const QJsonValue &tag : json.value(QLatin1String("tags")).toArray())
        device.tags.append(tag.toString());
    device.registered = json.value(QLatin1String("registered")).toBool();
    device.firstSeenMs = qint64(json.value(QLatin1String("firstSeenMs")).toDouble());
    device.lastSeenMs = qint64(json.value(QLatin1String("lastSeenMs")).toDouble());
    return device;
}

} // namespace

ClientOptions clientOptionsFor(const RemoteEngineOptions &options, const QString &clientIdPrefix)
{
    ClientOptions client;
    client.host = options.host;
    client.port = options.port;
    client.localPath = options.localPath;
    client.setTls(options.tls);
    client.tcpConnectTimeout = options.requestTimeout;
    client.machine.connackTimeout = options.requestTimeout;
    client.connect.version = mqtt::ProtocolVersion::V5;
    client.connect.clientId = !options.clientId.isEmpty()
        ? options.clientId
        : clientIdPrefix + QStringLiteral("%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    client.connect.cleanStart = true;
    client.connect.keepAliveSeconds = 30;
    if (!options.userName.isEmpty()) {
        client.connect.userName = options.userName;
        client.connect.password = options.password;
    }
    return client;
}

/// The MQTT connection, the admin channel and the mirrored sessions, on the engine's
/// thread (a 10,000-row snapshot is parsed there, not on the GUI thread). Hands plain
/// values to the RemoteEngine on the GUI thread.
class RemoteEngine::Link : public QObject
{
public:
    Link(const RemoteEngineOptions &options, std::chrono::milliseconds interval, RemoteEngine *engine)
        : m_options(options)
        , m_engine(engine)
        , m_retryDelay(options.firstRetry)
    {
        const ClientOptions client = clientOptionsFor(options, QStringLiteral("hermes-console-"));
        m_client = new MqttClient(client, this);
        m_client->setAutoPing(true);
        m_replyTopic = AdminChannel::replyTopicFor(ApiVersion, client.connect.clientId);
        m_admin = new AdminChannel(*m_client, m_replyTopic, this);
        m_admin->setTimeout(options.requestTimeout);
        connect(m_client, &MqttClient::connected, this, [this] { subscribe(); });
        connect(m_client, &MqttClient::subscribed, this, &Link::onSubscribed);
        connect(m_client, &MqttClient::messageReceived, this, &Link::onMessage);
        connect(m_client, &MqttClient::published, this, [this](quint16 packetId, mqtt::ReasonCode code) {
            m_admin->onPublished(packetId, quint8(code), mqtt::reasonCodeName(code, mqtt::PacketType::Puback));
        });
        connect(m_client, &MqttClient::errorOccurred, this, [this](const QString &message) { m_lastError = message; });
        connect(m_client, &MqttClient::disconnected, this, &Link::onDisconnected);
        m_tick->setInterval(interval);
        connect(m_tick, &QTimer::timeout, this, &Link::sendTelemetry);
        m_retry->setSingleShot(true);
        connect(m_retry, &QTimer::timeout, m_client, &MqttClient::connectToBroker);
    }

    void open() { m_client->connectToBroker(); }

    void close()
    {
        m_closing = true;
        m_tick->stop();
        m_retry->stop();
        m_admin->failAll(RemoteEngine::tr("the console detached"));
        if (m_client->state() != MqttClient::State::Disconnected)
            m_client->disconnectFromBroker();
    }

    /// Sends `method` and runs `done` with its answer on this thread. While the link is down
    /// the request fails at once ("disconnected").
    void call(const QString &method, const QJsonObject &arguments, std::function<void(const AdminAnswer &)> done)
    {
        if (!m_ready) {
            done({false, {}, QStringLiteral("disconnected"), RemoteEngine::tr("%1 is not connected").arg(m_options.address())});
            return;
        }
        m_admin->call(ApiVersion, method, arguments, std::move(done));
    }

    void publish(const mqtt::Publish &message)
    {
        if (m_client->publish(message) < 0)
            qCWarning(lcRemoteEngine) << "publish to" << message.topic << "refused:" << m_lastError;
    }

    /// Follows one session's detail through a `sessions/watch` topic (empty: none); kept
    /// across reconnects.
    void watchSession(const QString &clientId)
    {
        if (!m_watchTopic.isEmpty() && m_client->state() == MqttClient::State::Connected)
            m_client->unsubscribe({m_watchTopic});
        m_watchTopic.clear();
        m_watchedSession = clientId;
        if (!clientId.isEmpty() && m_ready)
            startWatch();
    }

    void tellDetail(const QJsonObject &json)
    {
        if (std::optional<SessionDetail> detail = sessionDetailFromJson(json))
            toEngine([detail = std::move(*detail)](RemoteEngine &engine) { emit engine.sessionDetail(detail); });
    }

    /// Hands `tell` the report as the broker has it now (a push just accepted, or one that
    /// ran on while the link was down), nullopt when the broker could not say; later changes
    /// come from the report stream.
    void tellReport(const QString &pushId, std::function<void(RemoteEngine &, const std::optional<PushReport> &)> tell)
    {
        askReport(pushId, [this, tell](std::optional<PushReport> report) {
            toEngine([tell, report = std::move(report)](RemoteEngine &engine) { tell(engine, report); });
        });
    }

    /// Asks push/report; `done` runs on this thread with the whole report (kept for the
    /// stream's deltas), or nullopt when the broker could not say.
    void askReport(const QString &pushId, std::function<void(std::optional<PushReport>)> done)
    {
        call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), pushId}}, [this, done](const AdminAnswer &answer) {
            std::optional<PushReport> report = answer.ok ? PushReport::fromJson(answer.result) : std::nullopt;
            if (report)
                m_reports.hold(*report);
            done(std::move(report));
        });
    }

    /// One message of the report stream: a report's summary and the targets that changed.
    void onReportChange(const QByteArray &payload)
    {
        const QJsonObject json = QJsonDocument::fromJson(payload).object();
        std::optional<PushReport> change = PushReport::fromJson(json);
        if (!change)
            return;
        const QString pushId = change->pushId;
        if (m_reportsAsked.contains(pushId))
            return; // the answer to push/report is newer than this message
        std::optional<PushReport> whole = m_reports.apply(std::move(*change), json.value(QLatin1String("audience")).toInteger());
        if (whole) {
            toEngine([report = std::move(*whole)](RemoteEngine &engine) { emit engine.pushReportsChanged({report}); });
            return;
        }
        // A push this console has not seen whole (it began while the link was down, or is
        // larger than one message): the broker's answer carries every target.
        m_reportsAsked.insert(pushId);
        askReport(pushId, [this, pushId](std::optional<PushReport> report) {
            m_reportsAsked.remove(pushId);
            if (report)
                toEngine([report = std::move(*report)](RemoteEngine &engine) { emit engine.pushReportsChanged({report}); });
        });
    }

    /// Runs `work` with the engine on the GUI thread. The engine outlives its link: its
    /// destructor stops this thread first.
    template<typename Work>
    void toEngine(Work work)
    {
        QMetaObject::invokeMethod(m_engine, [engine = m_engine, work = std::move(work)] { work(*engine); },
                                  Qt::QueuedConnection);
    }

    const RemoteEngineOptions &options() const { return m_options; }

private:
    void startWatch()
    {
        const QString clientId = m_watchedSession;
        call(QStringLiteral("sessions/watch"), {{QStringLiteral("clientId"), clientId}}, [this, clientId](const AdminAnswer &answer) {
            if (clientId != m_watchedSession || !m_watchTopic.isEmpty())
                return; // another session is watched by now
            if (!answer.ok) {
                if (answer.code != QLatin1String("disconnected") && answer.code != QLatin1String("not-found"))
                    qCWarning(lcRemoteEngine).noquote() << "watching" << clientId << "failed:" << answer.message;
                return;
            }
            m_watchTopic = answer.result.value(QLatin1String("topic")).toString();
            m_client->subscribe(m_watchTopic, mqtt::QoS::AtMostOnce);
            tellDetail(answer.result.value(QLatin1String("detail")).toObject());
        });
    }

    void subscribe()
    {
        const auto subscription = [](const QString &filter, mqtt::QoS qos) {
            mqtt::TopicSubscription topic;
            topic.filter = filter;
            topic.options.maximumQoS = qos;
            return topic;
        };
        // Replies first: its SUBACK code says whether this account is an operator.
        m_subscribeId = m_client->subscribe({subscription(m_replyTopic, mqtt::QoS::AtLeastOnce),
                                             subscription(EventsTopic, mqtt::QoS::AtMostOnce),
                                             subscription(TelemetryTopic, mqtt::QoS::AtMostOnce),
                                             subscription(ReportsTopic, mqtt::QoS::AtMostOnce),
                                             // each message at its publisher's QoS, as the Messages view shows it
                                             subscription(QStringLiteral("#"), mqtt::QoS::ExactlyOnce)});
    }

    QString notAnOperator() const
    {
        const QString who = m_options.userName.isEmpty() ? RemoteEngine::tr("an anonymous client")
                                                         : RemoteEngine::tr("user \"%1\"").arg(m_options.userName);
        return RemoteEngine::tr("%1: %2 is not an operator (the admin API is for operators)").arg(m_options.address(), who);
    }

    void onSubscribed(quint16 packetId, const QList<mqtt::ReasonCode> &codes)
    {
        if (packetId != m_subscribeId)
            return;
        if (codes.isEmpty() || quint8(codes.first()) >= 0x80) {
            failHard(notAnOperator());
            return;
        }
        m_admin->call(ApiVersion, QStringLiteral("api/version"), {}, [this](const AdminAnswer &answer) { onVersion(answer); });
    }

    void onVersion(const AdminAnswer &answer)
    {
        if (answer.ok) {
            if (answer.result.value(QLatin1String("api")).toInt() < ApiVersion) {
                failHard(RemoteEngine::tr("%1 speaks admin API v%2; this console needs v%3")
                             .arg(m_options.address()).arg(answer.result.value(QLatin1String("api")).toInt()).arg(ApiVersion));
                return;
            }
            const bool upstream = answer.result.value(QLatin1String("upstream")).toBool();
            toEngine([upstream](RemoteEngine &engine) { engine.m_upstream = upstream; }); // before started()
            requestSnapshot();
            return;
        }
        if (answer.code == QLatin1String("refused") || answer.code == QLatin1String("forbidden")) {
            failHard(notAnOperator());
            return;
        }
        if (answer.code == QLatin1String("disconnected"))
            return; // onDisconnected reports it
        // No v2 answer: a hermesd that speaks only v1 still answers there.
        m_admin->call(1, QStringLiteral("push/list"), {{QStringLiteral("limit"), 1}}, [this](const AdminAnswer &v1) {
            if (v1.code == QLatin1String("disconnected"))
                return;
            failHard(v1.ok ? RemoteEngine::tr("%1 speaks admin API v1 only; this console needs v%2 (update hermesd)")
                                 .arg(m_options.address()).arg(ApiVersion)
                           : RemoteEngine::tr("%1 does not answer the Hermes admin API (is it hermesd?)").arg(m_options.address()));
        });
    }

    void requestSnapshot()
    {
        m_ready = false;
        m_snapshotRows.clear();
        m_admin->request(ApiVersion, QStringLiteral("sessions/snapshot"), {}, [this](const AdminAnswer &answer) {
            if (!answer.ok) {
                if (answer.code != QLatin1String("disconnected"))
                    failHard(RemoteEngine::tr("%1: cannot load the sessions: %2").arg(m_options.address(), answer.message));
                return true;
            }
            for (const QJsonValue &row : answer.result.value(QLatin1String("sessions")).toArray()) {
                if (std::optional<SessionInfo> info = sessionRowFromJson(row.toObject()))
                    m_snapshotRows.append(std::move(*info));
            }
            const int page = answer.result.value(QLatin1String("page")).toInt();
            const int pages = answer.result.value(QLatin1String("pages")).toInt(1);
            if (page + 1 < pages)
                return false;
            applySnapshot(quint64(answer.result.value(QLatin1String("seq")).toDouble()));
            return true;
        });
    }

    void applySnapshot(quint64 sequence)
    {
        m_sessions.clear();
        for (SessionInfo &info : m_snapshotRows) {
            QString id = info.clientId;
            m_sessions.insert(std::move(id), std::move(info));
        }
        m_snapshotRows.clear();
        m_sequence = sequence;
        m_changed.clear();
        m_removed.clear();
        m_full = true;
        m_ready = true;
        const QList<QByteArray> early = std::exchange(m_earlyEvents, {});
        for (const QByteArray &payload : early)
            onEvents(payload);
        m_retryDelay = m_options.firstRetry;
        m_tick->start();
        m_watchTopic.clear(); // a new connection has no subscriptions but the fixed ones
        if (!m_watchedSession.isEmpty())
            startWatch();
        // Pushes still running on the broker: what they did while nobody here listened.
        call(QStringLiteral("push/list"), {}, [this](const AdminAnswer &answer) {
            for (const QJsonValue &push : answer.result.value(QLatin1String("pushes")).toArray()) {
                if (!push.toObject().value(QLatin1String("settled")).toBool())
                    tellReport(push.toObject().value(QLatin1String("pushId")).toString(),
                               [](RemoteEngine &engine, const std::optional<PushReport> &report) {
                                   if (report)
                                       emit engine.pushReportsChanged({*report});
                               });
            }
        });
        if (!m_started) {
            m_started = true;
            qCInfo(lcRemoteEngine) << "attached to hermesd at" << m_options.address() << "with" << m_sessions.size()
                                   << "sessions";
            toEngine([](RemoteEngine &engine) { emit engine.started({}); });
        } else {
            toEngine([](RemoteEngine &engine) { emit engine.linkChanged(true, {}); });
        }
    }

    void onMessage(const mqtt::Publish &publish)
    {
        if (m_admin->onMessage(publish.topic, publish.payload, publish.properties.correlationData.value_or(QByteArray())))
            return;
        if (publish.topic == EventsTopic) {
            if (!m_ready) {
                // Only batches after the snapshot's number count; a long wait means a gap.
                if (m_earlyEvents.size() < 64)
                    m_earlyEvents.append(publish.payload);
                return;
            }
            onEvents(publish.payload);
            return;
        }
        if (!m_watchTopic.isEmpty() && publish.topic == m_watchTopic) {
            tellDetail(QJsonDocument::fromJson(publish.payload).object());
            return;
        }
        if (publish.topic == ReportsTopic) {
            onReportChange(publish.payload);
            return;
        }
        if (publish.topic == TelemetryTopic) {
            m_counters = countersFromJson(QJsonDocument::fromJson(publish.payload).object());
            return;
        }
        if (publish.topic.startsWith(QLatin1Char('$')))
            return;
        if (m_messages.size() < m_options.maxMessagesPerBatch)
            m_messages.append(MessageRecord::of(publish, QDateTime::currentMSecsSinceEpoch()));
        else
            ++m_notCaptured;
    }

    void onEvents(const QByteArray &payload)
    {
        const QJsonObject batch = QJsonDocument::fromJson(payload).object();
        const quint64 sequence = quint64(batch.value(QLatin1String("seq")).toDouble());
        if (sequence <= m_sequence)
            return; // already in the snapshot
        if (sequence != m_sequence + 1) {
            qCInfo(lcRemoteEngine) << "session stream gap after" << m_sequence << "- loading a new snapshot";
            requestSnapshot();
            return;
        }
        m_sequence = sequence;
        for (const char *key : {"connected", "disconnected", "changed"}) {
            for (const QJsonValue &row : batch.value(QLatin1String(key)).toArray()) {
                if (std::optional<SessionInfo> info = sessionRowFromJson(row.toObject())) {
                    m_changed.insert(info->clientId);
                    m_removed.remove(info->clientId);
                    QString id = info->clientId;
                    m_sessions.insert(std::move(id), std::move(*info));
                }
            }
        }
        const QJsonObject seen = batch.value(QLatin1String("seen")).toObject();
        for (auto it = seen.begin(); it != seen.end(); ++it) {
            if (const auto session = m_sessions.find(it.key()); session != m_sessions.end()) {
                session->lastInboundMs = qint64(it.value().toDouble());
                m_changed.insert(it.key());
            }
        }
        for (const QJsonValue &removed : batch.value(QLatin1String("removed")).toArray()) {
            const QString id = removed.toString();
            m_sessions.remove(id);
            m_changed.remove(id);
            m_removed.insert(id);
        }
    }

    void sendTelemetry()
    {
        TelemetryBatch batch;
        batch.atMs = QDateTime::currentMSecsSinceEpoch();
        batch.counters = m_counters;
        batch.full = std::exchange(m_full, false);
        if (batch.full) {
            batch.changedSessions = m_sessions.values();
        } else {
            batch.changedSessions.reserve(m_changed.size());
            for (const QString &id : std::as_const(m_changed))
                batch.changedSessions.append(m_sessions.value(id));
            batch.removedSessions = QStringList(m_removed.cbegin(), m_removed.cend());
        }
        m_changed.clear();
        m_removed.clear();
        batch.messages = std::exchange(m_messages, {});
        batch.messagesNotCaptured = std::exchange(m_notCaptured, 0);
        toEngine([batch = std::move(batch)](RemoteEngine &engine) { emit engine.telemetry(batch); });
    }

    void onDisconnected(mqtt::client::CloseReason reason, mqtt::ReasonCode code, const QString &detail)
    {
        if (m_closing)
            return;
        m_ready = false;
        m_tick->stop();
        m_earlyEvents.clear();
        m_reports.clear(); // the reports are asked again once the link is back
        m_reportsAsked.clear();
        QString why = !detail.isEmpty() ? detail : m_lastError;
        if (why.isEmpty())
            why = mqtt::reasonCodeName(code);
        m_admin->failAll(why);
        if (reason == mqtt::client::CloseReason::ConnectRefused && isCredentialRefusal(code)) {
            toEngine([](RemoteEngine &engine) { emit engine.credentialsRefused(); });
            const QString who = m_options.userName.isEmpty() ? RemoteEngine::tr("an anonymous client")
                                                             : RemoteEngine::tr("user \"%1\"").arg(m_options.userName);
            failHard(RemoteEngine::tr("%1 refused the credentials of %2: %3")
                         .arg(m_options.address(), who, mqtt::reasonCodeName(code, mqtt::PacketType::Connack)));
            return;
        }
        if (!m_started) {
            failHard(RemoteEngine::tr("%1: %2").arg(m_options.address(), why));
            return;
        }
        if (m_failed)
            return;
        qCWarning(lcRemoteEngine) << "lost" << m_options.address() << ":" << why << "- retrying in"
                                  << m_retryDelay.count() << "ms";
        const QString message = RemoteEngine::tr("%1: %2; reconnecting in %3 s")
                                    .arg(m_options.address(), why)
                                    .arg(double(m_retryDelay.count()) / 1000.0, 0, 'f', 1);
        toEngine([message](RemoteEngine &engine) { emit engine.linkChanged(false, message); });
        m_retry->start(m_retryDelay);
        m_retryDelay = std::min(m_retryDelay * 2, m_options.lastRetry);
    }

    /// A refusal that retrying cannot fix (credentials, role, API version): the first
    /// connection fails with it; a later one reports it and stops retrying.
    void failHard(const QString &reason)
    {
        if (m_failed)
            return;
        m_failed = true;
        m_closing = true;
        m_retry->stop();
        m_tick->stop();
        qCWarning(lcRemoteEngine).noquote() << reason;
        if (m_client->state() != MqttClient::State::Disconnected)
            m_client->disconnectFromBroker();
        if (!m_started) {
            toEngine([reason](RemoteEngine &engine) {
                engine.stop();
                emit engine.startFailed(reason);
            });
        } else {
            toEngine([reason](RemoteEngine &engine) { emit engine.linkChanged(false, reason); });
        }
    }

    const RemoteEngineOptions m_options;
    RemoteEngine *const m_engine;
    MqttClient *m_client = nullptr;
    AdminChannel *m_admin = nullptr;
    QString m_replyTopic;
    QTimer *const m_tick = new QTimer(this); ///< children, so they move to the engine's thread
    QTimer *const m_retry = new QTimer(this);
    std::chrono::milliseconds m_retryDelay;
    int m_subscribeId = -1;
    bool m_started = false;
    bool m_closing = false;
    bool m_failed = false;
    bool m_ready = false; ///< the snapshot is loaded and the stream applies
    bool m_full = false;  ///< the next batch lists every session
    QString m_lastError;

    QHash<QString, SessionInfo> m_sessions; ///< the broker's sessions as the stream says
    quint64 m_sequence = 0;                 ///< of the last applied stream batch
    QList<SessionInfo> m_snapshotRows;      ///< pages received so far
    QList<QByteArray> m_earlyEvents;        ///< batches that came before the snapshot
    QSet<QString> m_changed, m_removed;     ///< since the last telemetry batch
    BrokerCounters m_counters;
    QList<MessageRecord> m_messages;
    quint64 m_notCaptured = 0;
    QString m_watchedSession; ///< what the Session detail shows; empty: nothing
    QString m_watchTopic;     ///< its `sessions/watch` topic, once subscribed
    PushReportMirror m_reports;   ///< whole reports, from push/report and the stream's deltas
    QSet<QString> m_reportsAsked; ///< pushes whose push/report answer is awaited
};

RemoteEngine::RemoteEngine(RemoteEngineOptions options, QObject *parent)
    : EngineMonitor(parent)
    , m_options(std::move(options))
{
    qRegisterMetaType<TelemetryBatch>();
    qRegisterMetaType<SessionDetail>();
}

RemoteEngine::~RemoteEngine()
{
    stop();
}

void RemoteEngine::start()
{
    m_link.start(m_options, m_interval, this);
}

void RemoteEngine::stop()
{
    if (m_link.stop())
        emit stopped();
}

void RemoteEngine::requestSessionDetail(const QString &clientId)
{
    m_link.post([clientId](Link &link) {
        link.call(QStringLiteral("sessions/detail"), {{QStringLiteral("clientId"), clientId}}, [&link](const AdminAnswer &answer) {
            if (answer.ok)
                link.tellDetail(answer.result);
        });
    });
}

void RemoteEngine::watchSession(const QString &clientId)
{
    m_link.post([clientId](Link &link) { link.watchSession(clientId); });
}

void RemoteEngine::kick(const QString &clientId)
{
    m_link.post([clientId](Link &link) {
        link.call(QStringLiteral("sessions/kick"), {{QStringLiteral("clientId"), clientId}}, [clientId](const AdminAnswer &answer) {
            if (!answer.ok)
                qCWarning(lcRemoteEngine).noquote() << "kick" << clientId << "failed:" << answer.message;
        });
    });
}

void RemoteEngine::publish(const mqtt::Publish &message)
{
    m_link.post([message](Link &link) { link.publish(message); });
}

void RemoteEngine::deleteRetained(const QString &topic)
{
    m_link.post([topic](Link &link) {
        link.call(QStringLiteral("retained/delete"), {{QStringLiteral("topic"), topic}}, [topic](const AdminAnswer &answer) {
            if (!answer.ok)
                qCWarning(lcRemoteEngine).noquote() << "deleting the retained message on" << topic << "failed:" << answer.message;
        });
    });
}

void RemoteEngine::requestRetained()
{
    m_link.post([](Link &link) {
        link.call(QStringLiteral("retained/list"), {{QStringLiteral("limit"), 10000}}, [&link](const AdminAnswer &answer) {
            if (!answer.ok)
                return;
            QList<MessageRecord> records;
            for (const QJsonValue &value : answer.result.value(QLatin1String("messages")).toArray()) {
                const QJsonObject json = value.toObject();
                const QByteArray text = json.value(QLatin1String("payload")).toString().toUtf8();
                MessageRecord record;
                record.topic = json.value(QLatin1String("topic")).toString();
                record.payload = json.value(QLatin1String("payloadEncoding")).toString() == QLatin1String("base64")
                    ? QByteArray::fromBase64(text) : text;
                record.payload.truncate(MessageRecord::MaxPayload);
                record.payloadSize = qsizetype(json.value(QLatin1String("payloadSize")).toDouble());
                record.qos = mqtt::QoS(std::clamp(json.value(QLatin1String("qos")).toInt(), 0, 2));
                record.retain = true;
                records.append(std::move(record));
            }
            link.toEngine([records](RemoteEngine &engine) { emit engine.retainedMessages(records); });
        });
    });
}

void RemoteEngine::sendPush(const PushRequest &request)
{
    m_link.post([request](Link &link) {
        link.call(QStringLiteral("push/send"), request.toJson(), [&link, request](const AdminAnswer &sent) {
            if (!sent.ok) {
                link.toEngine([request, message = sent.message](RemoteEngine &engine) { emit engine.pushRefused(request, message); });
                return;
            }
            const QString pushId = sent.result.value(QLatin1String("pushId")).toString();
            link.tellReport(pushId, [pushId, target = request.target](RemoteEngine &engine, const std::optional<PushReport> &answered) {
                PushReport report = answered.value_or(PushReport{});
                if (!answered) {
                    report.pushId = pushId;
                    report.target = target;
                }
                emit engine.pushAccepted(report);
            });
        });
    });
}

void RemoteEngine::requestAudience(const PushTarget &target)
{
    m_link.post([target](Link &link) {
        link.call(QStringLiteral("push/audience"), {{QStringLiteral("target"), target.toJson()}}, [&link, target](const AdminAnswer &answer) {
            QStringList sample;
            for (const QJsonValue &id : answer.result.value(QLatin1String("sample")).toArray())
                sample.append(id.toString());
            const int count = answer.result.value(QLatin1String("count")).toInt();
            link.toEngine([target, count, sample, error = answer.ok ? QString() : answer.message](RemoteEngine &engine) {
                emit engine.audienceResolved(target, count, sample, error);
            });
        });
    });
}

void RemoteEngine::requestDevices()
{
    m_link.post([](Link &link) {
        link.call(QStringLiteral("devices/list"), {}, [&link](const AdminAnswer &answer) {
            if (!answer.ok)
                return;
            QList<DeviceRecord> devices;
            for (const QJsonValue &device : answer.result.value(QLatin1String("devices")).toArray())
                devices.append(deviceFromJson(device.toObject()));
            link.toEngine([devices](RemoteEngine &engine) { emit engine.devicesListed(devices); });
        });
    });
}

void RemoteEngine::requestAccounts()
{
    m_link.post([](Link &link) {
        link.call(QStringLiteral("accounts/list"), {}, [&link](const AdminAnswer &answer) {
            if (!answer.ok)
                return;
            QList<AccountInfo> accounts;
            for (const QJsonValue &value : answer.result.value(QLatin1String("accounts")).toArray()) {
                const QJsonObject account = value.toObject();
                accounts.append({account.value(QLatin1String("name")).toString(),
                                 parseRole(account.value(QLatin1String("role")).toString()).value_or(Role::Device),
                                 account.value(QLatin1String("source")).toString() == QLatin1String("config")});
            }
            link.toEngine([accounts](RemoteEngine &engine) { emit engine.accountsListed(accounts); });
        });
    });
}

void RemoteEngine::setAccount(const QString &name, Role role, const QString &password)
{
    m_link.post([name, role, password](Link &link) {
        link.call(QStringLiteral("accounts/set"),
                  {{QStringLiteral("name"), name}, {QStringLiteral("role"), roleName(role)}, {QStringLiteral("password"), password}},
                  [&link](const AdminAnswer &answer) {
                      if (!answer.ok)
                          link.toEngine([message = answer.message](RemoteEngine &engine) { emit engine.accountChangeFailed(message); });
                      link.toEngine([](RemoteEngine &engine) { engine.requestAccounts(); });
                  });
    });
}

void RemoteEngine::removeAccount(const QString &name)
{
    m_link.post([name](Link &link) {
        link.call(QStringLiteral("accounts/remove"), {{QStringLiteral("name"), name}}, [&link](const AdminAnswer &answer) {
            if (!answer.ok)
                link.toEngine([message = answer.message](RemoteEngine &engine) { emit engine.accountChangeFailed(message); });
            link.toEngine([](RemoteEngine &engine) { engine.requestAccounts(); });
        });
    });
}

bool RemoteEngine::setListenAddresses(const QList<ListenAddress> &)
{
    return false;
}

} // namespace hermes
