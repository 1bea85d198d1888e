#include "clientengine.h"

#include "sysstatistics.h"

#include "engine/mqttclient.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <map>

Q_LOGGING_CATEGORY(lcClientEngine, "hermes.client")

namespace hermes {

QString ClientEngineOptions::address() const
{
    return brokerAddress(host, port, tls.has_value());
}

/// The MQTT client and what it has seen, on the engine's thread; hands plain values to the
/// ClientEngine on the GUI thread.
class ClientEngine::Link : public QObject
{
public:
    Link(const ClientEngineOptions &options, std::chrono::milliseconds interval, ClientEngine *engine)
        : m_options(options)
        , m_engine(engine)
        , m_retryDelay(options.firstRetry)
    {
        ClientOptions client;
        client.host = options.host;
        client.port = options.port;
        client.setTls(options.tls);
        client.connect.version = options.version;
        client.connect.clientId = options.clientId.isEmpty()
            ? QStringLiteral("hermes-console-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'))
            : options.clientId;
        client.connect.cleanStart = true;
        client.connect.keepAliveSeconds = 30;
        if (!options.userName.isEmpty()) {
            client.connect.userName = options.userName;
            client.connect.password = options.password;
        }
        m_client = new MqttClient(client, this);
        m_client->setAutoPing(true);
        connect(m_client, &MqttClient::connected, this, [this] { subscribe(); });
        connect(m_client, &MqttClient::subscribed, this, &Link::onSubscribed);
        connect(m_client, &MqttClient::messageReceived, this, &Link::onMessage);
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
        if (m_client->state() != MqttClient::State::Disconnected)
            m_client->disconnectFromBroker();
    }

    void publish(const mqtt::Publish &message)
    {
        if (m_client->publish(message) < 0)
            qCWarning(lcClientEngine) << "publish to" << message.topic << "refused:" << m_lastError;
    }

    void deleteRetained(const QString &topic)
    {
        m_retained.erase(topic);
        m_client->publish(topic, {}, mqtt::QoS::AtLeastOnce, true);
    }

    QList<MessageRecord> retained() const
    {
        QList<MessageRecord> out;
        out.reserve(qsizetype(m_retained.size()));
        for (const auto &[topic, record] : m_retained)
            out.append(record);
        return out;
    }

private:
    /// Runs `work` with the engine on the GUI thread. The engine outlives its link: its
    /// destructor stops this thread first.
    template<typename Work>
    void toEngine(Work work)
    {
        QMetaObject::invokeMethod(m_engine, [engine = m_engine, work = std::move(work)] { work(*engine); },
                                  Qt::QueuedConnection);
    }

    void subscribe()
    {
        QList<mqtt::TopicSubscription> subscriptions;
        for (const QString &filter : m_options.filters) {
            mqtt::TopicSubscription subscription;
            subscription.filter = filter;
            // The broker then forwards each message at its publisher's QoS, which the
            // Messages view shows.
            subscription.options.maximumQoS = mqtt::QoS::ExactlyOnce;
            subscriptions.append(subscription);
        }
        m_subscribeId = m_client->subscribe(subscriptions);
    }

    void onSubscribed(quint16 packetId, const QList<mqtt::ReasonCode> &codes)
    {
        if (packetId != m_subscribeId)
            return;
        const qsizetype all = m_options.filters.indexOf(QStringLiteral("#"));
        const bool allRefused = all >= 0 && all < codes.size() && quint8(codes.at(all)) >= 0x80;
        if (allRefused && !m_started) {
            fail(ClientEngine::tr("%1 refused the subscription to # (%2): the console needs to read every topic")
                     .arg(m_options.address(), mqtt::reasonCodeName(codes.at(all))));
            return;
        }
        m_retryDelay = m_options.firstRetry;
        m_tick->start();
        if (!m_started) {
            m_started = true;
            qCInfo(lcClientEngine) << "attached to" << m_options.address() << "as a client";
            toEngine([](ClientEngine &engine) { emit engine.started({}); });
        } else {
            toEngine([](ClientEngine &engine) { emit engine.linkChanged(true, {}); });
        }
    }

    void onMessage(const mqtt::Publish &publish)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_statistics.take(publish.topic, publish.payload, now);
        MessageRecord record = MessageRecord::of(publish, now);
        if (publish.retain) {
            if (publish.payload.isEmpty())
                m_retained.erase(publish.topic);
            else if (qsizetype(m_retained.size()) < m_options.maxRetained || m_retained.count(publish.topic))
                m_retained[publish.topic] = record;
        }
        if (m_pending.size() < m_options.maxMessagesPerBatch)
            m_pending.append(std::move(record));
        else
            ++m_notCaptured;
    }

    void sendTelemetry()
    {
        TelemetryBatch batch;
        batch.atMs = QDateTime::currentMSecsSinceEpoch();
        batch.counters = m_statistics.counters();
        batch.counters.retainedCount = std::max<quint64>(batch.counters.retainedCount, m_retained.size());
        batch.messages = std::exchange(m_pending, {});
        batch.messagesNotCaptured = std::exchange(m_notCaptured, 0);
        batch.full = std::exchange(m_firstBatch, false);
        toEngine([batch = std::move(batch)](ClientEngine &engine) { emit engine.telemetry(batch); });
    }

    void onDisconnected(mqtt::client::CloseReason, mqtt::ReasonCode code, const QString &detail)
    {
        if (m_closing)
            return;
        QString why = !detail.isEmpty() ? detail : m_lastError;
        if (why.isEmpty())
            why = mqtt::reasonCodeName(code);
        if (!m_started) {
            fail(ClientEngine::tr("%1: %2").arg(m_options.address(), why));
            return;
        }
        m_tick->stop();
        qCWarning(lcClientEngine) << "lost" << m_options.address() << ":" << why << "- retrying in"
                                  << m_retryDelay.count() << "ms";
        const QString message = ClientEngine::tr("%1: %2; reconnecting in %3 s")
                                    .arg(m_options.address(), why)
                                    .arg(double(m_retryDelay.count()) / 1000.0, 0, 'f', 1);
        toEngine([message](ClientEngine &engine) { emit engine.linkChanged(false, message); });
        m_retry->start(m_retryDelay);
        m_retryDelay = std::min(m_retryDelay * 2, m_options.lastRetry);
    }

    /// The first connection failed: nothing half-connected stays behind.
    void fail(const QString &reason)
    {
        m_closing = true;
        m_retry->stop();
        qCWarning(lcClientEngine).noquote() << reason;
        toEngine([reason](ClientEngine &engine) {
            engine.stop();
            emit engine.startFailed(reason);
        });
    }

    const ClientEngineOptions m_options;
    ClientEngine *const m_engine;
    MqttClient *m_client = nullptr;
    QTimer *const m_tick = new QTimer(this); ///< children, so they move to the engine's thread
    QTimer *const m_retry = new QTimer(this);
    std::chrono::milliseconds m_retryDelay;
    int m_subscribeId = -1;
    bool m_started = false;
    bool m_closing = false;
    bool m_firstBatch = true;
    QString m_lastError;
    SysStatistics m_statistics;
    std::map<QString, MessageRecord> m_retained; ///< ordered: the Topics view lists them sorted
    QList<MessageRecord> m_pending;
    quint64 m_notCaptured = 0;
};

ClientEngine::ClientEngine(ClientEngineOptions options, QObject *parent)
    : EngineMonitor(parent)
    , m_options(std::move(options))
{
}

ClientEngine::~ClientEngine()
{
    stop();
}

void ClientEngine::start()
{
    m_link.start(m_options, m_interval, this);
}

void ClientEngine::stop()
{
    if (m_link.stop())
        emit stopped();
}

void ClientEngine::publish(const mqtt::Publish &message)
{
    m_link.post([message](Link &link) { link.publish(message); });
}

void ClientEngine::deleteRetained(const QString &topic)
{
    m_link.post([topic](Link &link) { link.deleteRetained(topic); });
}

void ClientEngine::requestRetained()
{
    m_link.post([self = QPointer<ClientEngine>(this)](Link &link) {
        QList<MessageRecord> retained = link.retained();
        QMetaObject::invokeMethod(self, [self, retained = std::move(retained)] {
            if (self)
                emit self->retainedMessages(retained);
        }, Qt::QueuedConnection);
    });
}

void ClientEngine::requestSessionDetail(const QString &)
{
}

void ClientEngine::kick(const QString &clientId)
{
    qCWarning(lcClientEngine) << "cannot kick" << clientId << ": a client of" << m_options.address()
                              << "sees no sessions";
}

void ClientEngine::sendPush(const PushRequest &request)
{
    emit pushRefused(request, tr("%1 is attached as a plain MQTT client: pushes need a Hermes broker "
                                 "(publish to the device's topic instead)")
                                  .arg(m_options.address()));
}

void ClientEngine::requestAudience(const PushTarget &target)
{
    emit audienceResolved(target, 0, {}, tr("%1 does not expose its devices to a client").arg(m_options.address()));
}

void ClientEngine::requestDevices()
{
    emit devicesListed({});
}

bool ClientEngine::setListenAddresses(const QList<ListenAddress> &)
{
    return false;
}

} // namespace hermes
