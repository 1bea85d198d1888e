#include "scenariorunner.h"

#include "engine/mqttclient.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

Q_LOGGING_CATEGORY(lcRunner, "hermes.sim.runner", QtInfoMsg)

namespace hermes::sim {

using namespace std::chrono_literals;

ScenarioRunner::ScenarioRunner(Scenario scenario, RunOptions options, QObject *parent)
    : QObject(parent)
    , m_scenario(std::move(scenario))
    , m_options(std::move(options))
    , m_sampler(this)
    , m_end(this)
{
    if (m_options.devices)
        m_scenario.devices = std::max(1, *m_options.devices);
    if (m_options.timeScale && *m_options.timeScale > 0)
        m_scenario.timeScale = *m_options.timeScale;
    m_brokerHost = !m_options.brokerHost.isEmpty() ? m_options.brokerHost
            : !m_scenario.brokerHost.isEmpty()     ? m_scenario.brokerHost
                                                   : QStringLiteral("127.0.0.1");
    m_brokerPort = m_options.brokerPort ? m_options.brokerPort
            : m_scenario.brokerPort     ? m_scenario.brokerPort
                                        : quint16(1883);
    m_moreBrokers = !m_options.brokerHost.isEmpty() ? m_options.moreBrokers : m_scenario.moreBrokers;
    if (!m_scenario.signingKeyId.isEmpty())
        m_signer.emplace(m_scenario.signingKeyId, m_scenario.signingKey);
    m_sampler.setInterval(int(std::max<qint64>(10, m_options.sampleInterval.count())));
    connect(&m_sampler, &QTimer::timeout, this, &ScenarioRunner::sample);
    m_end.setSingleShot(true);
    m_end.setTimerType(Qt::PreciseTimer);
    connect(&m_end, &QTimer::timeout, this, &ScenarioRunner::finish);
}

ScenarioRunner::~ScenarioRunner() = default;

std::unique_ptr<HeartbeatStrategy> ScenarioRunner::makeHeartbeat(int index) const
{
    if (m_scenario.heartbeat == Scenario::Heartbeat::Smart)
        return std::make_unique<SmartHeartbeat>(m_scenario.smart);
    auto interval = m_scenario.fixedInterval;
    if (m_scenario.fixedIntervalLongest && m_scenario.devices > 1)
        interval += (*m_scenario.fixedIntervalLongest - interval) * index / (m_scenario.devices - 1);
    return std::make_unique<FixedHeartbeat>(interval);
}

QString ScenarioRunner::heartbeatName() const
{
    const QString first = makeHeartbeat(0)->name();
    if (m_scenario.heartbeat == Scenario::Heartbeat::Smart || !m_scenario.fixedIntervalLongest)
        return first;
    return QStringLiteral("%1 … %2").arg(first, makeHeartbeat(m_scenario.devices - 1)->name());
}

QList<BrokerNode> ScenarioRunner::brokers() const
{
    return QList<BrokerNode>{BrokerNode{m_brokerHost, m_brokerPort}} + m_moreBrokers;
}

bool ScenarioRunner::start()
{
    if (m_running)
        return true;
    const Scenario &s = m_scenario;
    if (!m_moreBrokers.isEmpty() && s.network != Scenario::Network::Direct) {
        m_error = QStringLiteral("several brokers need \"nat direct\": the relay reaches one broker");
        return false;
    }
    if (s.network != Scenario::Network::Direct) {
        NatRelay::Config relayConfig;
        relayConfig.targetHost = m_brokerHost;
        relayConfig.targetPort = m_brokerPort;
        relayConfig.preset = s.network == Scenario::Network::Nat ? s.nat : NatRelay::Preset::Custom;
        relayConfig.customTimeout = s.network == Scenario::Network::Nat ? s.natTimeout : 0ms;
        relayConfig.timeScale = s.timeScale;
        relayConfig.keepDeviceAddress = m_options.keepSourceAddress;
        m_relay = new NatRelay(relayConfig, this);
        if (!m_relay->start()) {
            m_error = QStringLiteral("NAT relay: %1").arg(m_relay->errorString());
            return false;
        }
    }

    FleetConfig config;
    config.deviceCount = s.devices;
    config.idPrefix = s.idPrefix();
    config.idSuffix = s.idSuffix();
    config.connectsPerSecond = s.connectRate;
    config.localAddresses = m_options.localAddresses;
    if (!m_moreBrokers.isEmpty())
        config.brokers = brokers();
    DeviceConfig &d = config.device;
    d.brokerHost = m_brokerHost;
    d.brokerPort = m_brokerPort;
    if (m_relay) {
        d.relayHost = QStringLiteral("127.0.0.1");
        d.relayPort = m_relay->port();
    }
    d.version = s.protocol;
    d.cleanStart = s.cleanStart;
    d.timeScale = s.timeScale;
    d.pongTimeout = s.pongTimeout;
    d.keepAlive = s.keepAlive;
    d.reconnect = s.reconnect;
    d.seed = m_options.seed;
    d.pushQoS = s.pushQoS;
    d.userName = m_options.userName;
    d.password = m_options.password;
    d.registerTags = s.registerTags;
    if (m_signer) {
        auto ring = std::make_shared<push::Verifier>();
        ring->addKey(s.signingKeyId, s.signingKey);
        d.verifier = ring;
    }
    config.heartbeat = [this](int index) { return makeHeartbeat(index); };
    m_fleet = new Fleet(config, this);
    connect(m_fleet, &Fleet::allConnected, this, [this] {
        if (m_allConnectedMs < 0)
            m_allConnectedMs = m_clock.elapsed();
    });

    const bool pushes = std::any_of(s.events.cbegin(), s.events.cend(), [](const ScenarioEvent &e) {
        return e.kind == ScenarioEvent::Kind::PushBurst;
    });
    if (pushes && !m_publisher) {
        // The sender connects straight to the broker (it is the server side, not behind a
        // carrier NAT); publishes before its CONNACK wait in its queue.
        m_sender = new MqttClient(this);
        ClientOptions options;
        options.host = m_brokerHost;
        options.port = m_brokerPort;
        options.connect.version = s.protocol == mqtt::ProtocolVersion::V5 ? mqtt::ProtocolVersion::V5
                                                                         : mqtt::ProtocolVersion::V3_1_1;
        options.connect.clientId = QStringLiteral("hermes-sim-sender-%1").arg(QCoreApplication::applicationPid());
        options.connect.keepAliveSeconds = 60;
        if (!m_options.userName.isEmpty()) {
            options.connect.userName = m_options.userName;
            options.connect.password = m_options.password;
        }
        options.machine.maximumQueued = 10'000'000;
        m_sender->setOptions(options);
        connect(m_sender, &MqttClient::errorOccurred, this, [](const QString &message) {
            qCWarning(lcRunner).noquote() << "push sender:" << message;
        });
        m_sender->connectToBroker();
    }

    m_running = true;
    m_clock.start();
    m_fleet->start();
    for (const ScenarioEvent &event : std::as_const(s.events)) {
        auto *timer = new QTimer(this);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [this, event] { apply(event); });
        timer->start(int(std::llround(double(event.at.count()) / s.timeScale)));
        m_eventTimers.append(timer);
    }
    m_end.start(int(std::max<qint64>(1, s.realDuration().count())));
    m_sampler.start();
    qCInfo(lcRunner).noquote() << "running" << s.name << "with" << s.devices << "devices against"
                               << m_brokerHost << m_brokerPort << "network" << s.networkName();
    return true;
}

void ScenarioRunner::stop()
{
    if (m_running)
        finish();
}

void ScenarioRunner::finish()
{
    if (!m_running)
        return;
    sample();
    m_finishedMs = m_clock.elapsed();
    m_running = false;
    m_sampler.stop();
    m_end.stop();
    for (QTimer *timer : std::as_const(m_eventTimers))
        timer->stop();
    SimulationSnapshot last = snapshot();
    last.finished = true;
    m_final = last;
    m_fleet->stop();
    if (m_sender)
        m_sender->disconnectFromBroker();
    emit finished(last);
}

qint64 ScenarioRunner::simulatedNow() const
{
    const qint64 real = m_finishedMs >= 0 ? m_finishedMs : m_clock.elapsed();
    return qint64(std::llround(double(real) * m_scenario.timeScale));
}

void ScenarioRunner::publish(const mqtt::Publish &message)
{
    if (m_publisher)
        m_publisher(message);
    else if (m_sender)
        m_sender->publish(message);
}

int ScenarioRunner::pushBurst(const ScenarioEvent &event, int index)
{
    const QList<SimulatedDevice *> &devices = m_fleet->devices();
    QList<int> order(devices.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(m_options.seed * 7919 + quint64(index));
    std::shuffle(order.begin(), order.end(), rng);
    const int targets = int(std::llround(event.share * double(devices.size())));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    int sent = 0;
    for (int round = 0; round < event.count; ++round) {
        for (int t = 0; t < targets; ++t) {
            const SimulatedDevice *device = devices.at(order.at(t));
            const std::optional<quint64> sequence = m_allocator.allocate(device->id());
            if (!sequence)
                continue;
            push::PushEnvelope envelope;
            envelope.pushId = QStringLiteral("sim-%1-%2").arg(index).arg(*sequence);
            envelope.deviceId = device->id();
            envelope.sequence = *sequence;
            envelope.sentAt = now;
            if (event.ttl.count() > 0) // the TTL is simulated time, the clock is real
                envelope.expiresAt = now.addMSecs(qint64(std::llround(double(event.ttl.count()) / m_scenario.timeScale)));
            envelope.contentType = QStringLiteral("text/plain");
            envelope.payload = QByteArrayLiteral("simulated push ") + QByteArray::number(*sequence);
            if (m_signer)
                envelope = m_signer->sign(std::move(envelope));
            mqtt::Publish message;
            message.topic = device->pushTopic();
            message.payload = envelope.toBytes();
            message.qos = event.qos;
            if (m_scenario.protocol == mqtt::ProtocolVersion::V5)
                message.properties.contentType = QString(push::EnvelopeContentType);
            publish(message);
            ++m_pushesSent;
            ++sent;
        }
    }
    return sent;
}

QString ScenarioRunner::apply(const ScenarioEvent &event)
{
    QString what;
    const int index = m_eventIndex++;
    switch (event.kind) {
    case ScenarioEvent::Kind::BrokerRestart:
    case ScenarioEvent::Kind::BrokerKill: {
        const bool abortive = event.kind == ScenarioEvent::Kind::BrokerKill;
        if (m_brokerControl && m_brokerControl(event.kind))
            what = QStringLiteral("broker %1").arg(abortive ? QStringLiteral("killed") : QStringLiteral("restarted"));
        else if (m_relay)
            what = QStringLiteral("%1 connections %2 at the relay")
                           .arg(m_relay->resetAll(abortive))
                           .arg(abortive ? QStringLiteral("reset") : QStringLiteral("closed"));
        else
            what = QStringLiteral("skipped: no broker control and no relay (nat direct)");
        break;
    }
    case ScenarioEvent::Kind::NetworkDrop:
        if (m_relay)
            what = QStringLiteral("%1 mappings black-holed").arg(m_relay->dropMappings(event.share, m_options.seed + quint64(index)));
        else
            what = QStringLiteral("skipped: no relay (nat direct)");
        break;
    case ScenarioEvent::Kind::PushBurst:
        what = QStringLiteral("%1 envelopes sent").arg(pushBurst(event, index));
        break;
    }
    const QString line = QStringLiteral("%1  %2: %3")
                                 .arg(QString::number(double(m_clock.elapsed()) / 1000.0, 'f', 1) + QLatin1Char('s'),
                                      describe(event), what);
    m_events.append(line);
    qCInfo(lcRunner).noquote() << line;
    emit eventApplied(line);
    return what;
}

void ScenarioRunner::sample()
{
    if (!m_fleet)
        return;
    const FleetStats f = m_fleet->stats();
    StatsSample p;
    p.realMs = m_clock.elapsed();
    p.simulatedMs = qint64(std::llround(double(p.realMs) * m_scenario.timeScale));
    p.connected = f.connected;
    p.connects = f.connects;
    p.reconnectAttempts = f.reconnectAttempts;
    p.pushesDelivered = f.pushesDelivered;
    p.meanIntervalSeconds = f.meanIntervalMs / 1000.0;
    const StatsSample previous = m_samples.isEmpty() ? StatsSample{} : m_samples.constLast();
    const double seconds = double(std::max<qint64>(1, p.realMs - previous.realMs)) / 1000.0;
    p.connectsPerSecond = double(p.connects - previous.connects) / seconds;
    p.reconnectsPerSecond = double(p.reconnectAttempts - previous.reconnectAttempts) / seconds;
    p.arrivalsPerSecond = double(p.pushesDelivered - previous.pushesDelivered) / seconds;
    m_peakConnects = std::max(m_peakConnects, p.connectsPerSecond);
    m_peakReconnects = std::max(m_peakReconnects, p.reconnectsPerSecond);
    m_samples.append(p);
    if (m_running)
        emit progress(snapshot());
}

SimulationSnapshot ScenarioRunner::snapshot() const
{
    if (m_final)
        return *m_final;
    SimulationSnapshot s;
    s.scenario = m_scenario.name;
    s.network = m_scenario.networkName();
    s.heartbeat = heartbeatName();
    s.timeScale = m_scenario.timeScale;
    s.elapsedMs = m_finishedMs >= 0 ? m_finishedMs : (m_clock.isValid() ? m_clock.elapsed() : 0);
    s.simulatedMs = m_clock.isValid() ? simulatedNow() : 0;
    s.durationMs = m_scenario.duration.count();
    s.finished = !m_running && m_finishedMs >= 0;
    if (m_fleet)
        s.fleet = m_fleet->stats();
    if (m_relay)
        s.relay = m_relay->counters();
    const FleetStats &f = s.fleet;
    s.heartbeats.sent = f.heartbeatsSent;
    s.heartbeats.answered = f.pongs;
    s.heartbeats.deadLinks = f.deadLinks;
    s.heartbeats.natDropped = s.relay.mappingsDropped;
    s.heartbeats.meanDetectionMs = f.meanDetectionMs;
    s.heartbeats.maxDetectionMs = f.maxDetectionMs;

    QList<std::chrono::milliseconds> converged;
    int smart = 0;
    if (m_fleet && m_scenario.heartbeat == Scenario::Heartbeat::Smart) {
        for (const SimulatedDevice *device : m_fleet->devices()) {
            ++smart;
            if (device->heartbeat().converged())
                converged.append(device->heartbeat().currentInterval());
        }
    }
    s.keepAlive = recommendKeepAlive(converged, smart, m_scenario.natIdleTimeout());

    s.pushesSent = m_pushesSent;
    s.pushesDelivered = f.pushesDelivered;
    s.duplicates = f.duplicates;
    s.gaps = f.gaps;
    s.missing = f.missing;
    s.rejected = f.rejected;
    s.expired = f.expired;
    s.lost = s.pushesSent > s.pushesDelivered ? s.pushesSent - s.pushesDelivered : 0;
    s.arrivalRate = s.pushesSent == 0 ? 1.0 : std::min(1.0, double(s.pushesDelivered) / double(s.pushesSent));
    s.peakConnectsPerSecond = m_peakConnects;
    s.peakReconnectsPerSecond = m_peakReconnects;
    s.allConnectedMs = m_allConnectedMs;
    s.samples = m_samples;
    s.events = m_events;
    return s;
}

} // namespace hermes::sim
