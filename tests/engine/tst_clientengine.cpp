// Client mode against a real mosquitto: the console, attached as an ordinary client, sees
// messages, retained messages (and deletes one) and the $SYS dashboard; an unreachable
// broker, a wrong password and a lost link each say which broker and why; what a client
// cannot do (pushes, sessions) is refused plainly.
#include "../common/mosquitto.h"
#include "../common/testmain.h"
#include "engine/client/clientengine.h"
#include "engine/client/sysstatistics.h"
#include "engine/mqttclient.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace hermes;
using hermes::test::freePort;
using hermes::test::Mosquitto;

namespace {

ClientEngineOptions optionsFor(quint16 port)
{
    ClientEngineOptions options;
    options.port = port;
    options.firstRetry = std::chrono::milliseconds(200);
    return options;
}

/// Every message the engine's telemetry carried so far, by topic (latest wins).
class Capture
{
public:
    explicit Capture(ClientEngine &engine)
    {
        QObject::connect(&engine, &EngineMonitor::telemetry, &engine, [this](const TelemetryBatch &batch) {
            for (const MessageRecord &message : batch.messages)
                messages[message.topic] = message;
            counters = batch.counters;
        });
    }
    QHash<QString, MessageRecord> messages;
    BrokerCounters counters;
};

} // namespace

class TestClientEngine : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void seesMessagesAndDeletesRetained();
    void dashboardFromSys();
    void sysTopicsMapToCounters();
    void unreachableBrokerIsNamed();
    void wrongPasswordIsNamed();
    void lostLinkIsRetried();
    void pushesAndSessionsAreNotAvailable();

private:
    QTemporaryDir m_dir;
};

void TestClientEngine::init()
{
    if (!Mosquitto::installed())
        HERMES_SKIP("mosquitto is not installed (package mosquitto)");
    QVERIFY(m_dir.isValid());
}

void TestClientEngine::seesMessagesAndDeletesRetained()
{
    const quint16 port = freePort();
    Mosquitto broker(m_dir, port, {QStringLiteral("allow_anonymous true")});
    QVERIFY(broker.start());
    MqttClient publisher;
    publisher.setPort(port);
    publisher.setClientId(QStringLiteral("publisher"));
    QSignalSpy publisherUp(&publisher, &MqttClient::connected);
    publisher.connectToBroker();
    QVERIFY(publisherUp.wait(5000));
    publisher.publish(QStringLiteral("config/lamp"), "on", mqtt::QoS::AtLeastOnce, true);

    ClientEngine engine(optionsFor(port));
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    Capture capture(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    QVERIFY(engine.isRunning());
    QVERIFY(!(engine.features() & EngineFeature::Sessions));

    publisher.publish(QStringLiteral("sensors/7/temp"), "21.5", mqtt::QoS::AtLeastOnce);
    QTRY_VERIFY_WITH_TIMEOUT(capture.messages.contains(QStringLiteral("sensors/7/temp")), 5000);
    const MessageRecord message = capture.messages.value(QStringLiteral("sensors/7/temp"));
    QCOMPARE(message.payload, QByteArray("21.5"));
    QCOMPARE(message.qos, mqtt::QoS::AtLeastOnce);
    QVERIFY(capture.messages.contains(QStringLiteral("config/lamp"))); // retained, at subscribe

    QSignalSpy retained(&engine, &EngineMonitor::retainedMessages);
    engine.requestRetained();
    QVERIFY(retained.wait(2000));
    // mosquitto's $SYS topics are retained too.
    const auto holds = [](const QList<MessageRecord> &messages, const QString &topic) {
        return std::any_of(messages.cbegin(), messages.cend(), [&](const MessageRecord &m) { return m.topic == topic; });
    };
    QVERIFY(holds(retained.last().at(0).value<QList<MessageRecord>>(), QStringLiteral("config/lamp")));

    engine.deleteRetained(QStringLiteral("config/lamp"));
    // A second console subscribing afresh: the broker no longer holds the message. A plain
    // message published after the deletion marks when every retained delivery is over.
    ClientEngine second(optionsFor(port));
    second.setTelemetryInterval(std::chrono::milliseconds(50));
    Capture secondCapture(second);
    QSignalSpy secondStarted(&second, &EngineMonitor::started);
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
        engine.requestRetained();
        return retained.wait(200)
            && !holds(retained.last().at(0).value<QList<MessageRecord>>(), QStringLiteral("config/lamp"));
    }()), 5000);
    second.start();
    QVERIFY(secondStarted.wait(5000));
    publisher.publish(QStringLiteral("sync/after-delete"), "1", mqtt::QoS::AtLeastOnce);
    QTRY_VERIFY_WITH_TIMEOUT(secondCapture.messages.contains(QStringLiteral("sync/after-delete")), 5000);
    QVERIFY(!secondCapture.messages.contains(QStringLiteral("config/lamp")));
}

void TestClientEngine::dashboardFromSys()
{
    const quint16 port = freePort();
    Mosquitto broker(m_dir, port, {QStringLiteral("allow_anonymous true"), QStringLiteral("sys_interval 1")});
    QVERIFY(broker.start());
    ClientEngine engine(optionsFor(port));
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    Capture capture(engine);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(capture.counters.clientsConnected >= 1 && capture.counters.startedAtMs > 0, 10000);
    QVERIFY(capture.messages.contains(QStringLiteral("$SYS/broker/version")));
}

void TestClientEngine::sysTopicsMapToCounters()
{
    SysStatistics statistics;
    QVERIFY(!statistics.take(QStringLiteral("sensors/1"), "5", 0));
    QVERIFY(!statistics.take(QStringLiteral("$SYS/broker/clients/connected"), "many", 0));
    QVERIFY(!statistics.seen());
    QVERIFY(statistics.take(QStringLiteral("$SYS/broker/clients/connected"), "42", 0));
    QVERIFY(statistics.take(QStringLiteral("$SYS/broker/publish/messages/received"), "1000\n", 0));
    QVERIFY(statistics.take(QStringLiteral("$SYS/broker/uptime"), "90 seconds", 100'000));
    QVERIFY(!statistics.take(QStringLiteral("$SYS/broker/version"), "mosquitto version 2.0.11", 0));
    QVERIFY(statistics.seen());
    QCOMPARE(statistics.counters().clientsConnected, 42u);
    QCOMPARE(statistics.counters().publishReceived, 1000u);
    QCOMPARE(statistics.counters().startedAtMs, 10'000);
}

void TestClientEngine::unreachableBrokerIsNamed()
{
    const quint16 port = freePort(); // nothing listens there
    ClientEngine engine(optionsFor(port));
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    engine.start();
    QVERIFY(failed.wait(10000));
    const QString reason = failed.first().at(0).toString();
    QVERIFY2(reason.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("refused"), Qt::CaseInsensitive), qPrintable(reason));
    QVERIFY(!engine.isRunning());
}

void TestClientEngine::wrongPasswordIsNamed()
{
    const QString passwordFile = m_dir.filePath(QStringLiteral("passwords"));
    QProcess passwd;
    passwd.start(QStringLiteral("mosquitto_passwd"), {QStringLiteral("-b"), QStringLiteral("-c"), passwordFile,
                                                      QStringLiteral("operator"), QStringLiteral("right")});
    if (!passwd.waitForStarted())
        HERMES_SKIP("mosquitto_passwd is not installed (package mosquitto)");
    QVERIFY(passwd.waitForFinished());
    QCOMPARE(passwd.exitCode(), 0);
    const quint16 port = freePort();
    Mosquitto broker(m_dir, port, {QStringLiteral("allow_anonymous false"), QStringLiteral("password_file ") + passwordFile});
    QVERIFY(broker.start());

    ClientEngineOptions options = optionsFor(port);
    options.userName = QStringLiteral("operator");
    options.password = "wrong";
    ClientEngine refused(options);
    QSignalSpy failed(&refused, &EngineMonitor::startFailed);
    refused.start();
    QVERIFY(failed.wait(5000));
    const QString reason = failed.first().at(0).toString();
    QVERIFY2(reason.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("password"), Qt::CaseInsensitive)
                 || reason.contains(QStringLiteral("authori"), Qt::CaseInsensitive),
             qPrintable(reason));
    QVERIFY(!refused.isRunning());

    options.password = "right";
    ClientEngine accepted(options);
    QSignalSpy started(&accepted, &EngineMonitor::started);
    accepted.start();
    QVERIFY(started.wait(5000));
}

void TestClientEngine::lostLinkIsRetried()
{
    const quint16 port = freePort();
    auto broker = std::make_unique<Mosquitto>(m_dir, port, QStringList{QStringLiteral("allow_anonymous true")});
    QVERIFY(broker->start());
    ClientEngine engine(optionsFor(port));
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy link(&engine, &EngineMonitor::linkChanged);
    engine.start();
    QVERIFY(started.wait(5000));

    broker.reset(); // killed
    QVERIFY(link.wait(5000));
    QCOMPARE(link.first().at(0).toBool(), false);
    const QString detail = link.first().at(1).toString();
    QVERIFY2(detail.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(detail));
    QVERIFY(engine.isRunning());

    broker = std::make_unique<Mosquitto>(m_dir, port, QStringList{QStringLiteral("allow_anonymous true")});
    QVERIFY(broker->start());
    QTRY_VERIFY_WITH_TIMEOUT(!link.isEmpty() && link.last().at(0).toBool(), 15000);
}

void TestClientEngine::pushesAndSessionsAreNotAvailable()
{
    ClientEngine engine(optionsFor(1883));
    QSignalSpy refused(&engine, &EngineMonitor::pushRefused);
    PushRequest request;
    request.target.kind = PushTarget::Kind::Devices;
    request.target.devices = {QStringLiteral("phone-1")};
    engine.sendPush(request);
    QCOMPARE(refused.size(), 1);
    QVERIFY(refused.first().at(1).toString().contains(QStringLiteral("127.0.0.1:1883")));
    QSignalSpy audience(&engine, &EngineMonitor::audienceResolved);
    engine.requestAudience(request.target);
    QCOMPARE(audience.size(), 1);
    QVERIFY(!audience.first().at(3).toString().isEmpty());
    QVERIFY(!engine.setListenAddresses({}));
    QVERIFY(engine.features() & EngineFeature::Messages);
    QVERIFY(!(engine.features() & (EngineFeature::Sessions | EngineFeature::Push | EngineFeature::Accounts
                                    | EngineFeature::Networks)));
}

HERMES_TEST_GUILESS_MAIN(TestClientEngine)
#include "tst_clientengine.moc"
