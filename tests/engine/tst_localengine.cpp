// The embedded engine on its own thread, seen only through EngineMonitor.
#include "../common/testmain.h"
#include "../common/testconfig.h"
#include "rawclient.h"

#include "engine/local/localengine.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

class TestLocalEngine : public QObject
{
    Q_OBJECT
private slots:
    void startsReportsSessionsAndStops();
    void takenPortFailsWithReason();
    void batchesAreBoundedUnderLoad();
    void messagesCarryTheirContentType();
};

void TestLocalEngine::startsReportsSessionsAndStops()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy batches(&engine, &EngineMonitor::telemetry);
    engine.start();
    QVERIFY(started.wait(5000));
    const auto addresses = started.at(0).at(0).value<QList<ListenAddress>>();
    QCOMPARE(addresses.size(), 1);
    QVERIFY(addresses.first().port != 0);
    QVERIFY(engine.isRunning());

    RawClient device;
    QVERIFY(device.connectTo(addresses.first().port));
    Connect connect;
    connect.clientId = QStringLiteral("device-1");
    connect.keepAliveSeconds = 30;
    QVERIFY(device.handshake(connect));

    // The session shows up in a batch as a plain value.
    SessionInfo seen;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 for (const auto &args : std::as_const(batches)) {
                                     for (const SessionInfo &info : args.at(0).value<TelemetryBatch>().changedSessions) {
                                         if (info.clientId == QLatin1String("device-1") && info.online) {
                                             seen = info;
                                             return true;
                                         }
                                     }
                                 }
                                 return false;
                             }()),
                             5000);
    QCOMPARE(seen.keepAliveSeconds, 30);
    QCOMPARE(seen.version, ProtocolVersion::V3_1_1);

    QSignalSpy details(&engine, &EngineMonitor::sessionDetail);
    engine.requestSessionDetail(QStringLiteral("device-1"));
    QVERIFY(details.wait(5000));
    const auto detail = details.at(0).at(0).value<SessionDetail>();
    QCOMPARE(detail.info.clientId, QStringLiteral("device-1"));
    QVERIFY(!detail.heartbeats.isEmpty());
    QCOMPARE(detail.heartbeats.first().type, PacketType::Connect);

    // Watched, the detail comes at once and again after a heartbeat, without being asked.
    details.clear();
    engine.watchSession(QStringLiteral("device-1"));
    QVERIFY(details.wait(5000));
    const auto heartbeatsBefore = details.last().at(0).value<SessionDetail>().heartbeats.size();
    device.send(Pingreq{});
    QVERIFY(device.waitFor(PacketType::Pingresp));
    QTRY_VERIFY_WITH_TIMEOUT(details.last().at(0).value<SessionDetail>().heartbeats.size() > heartbeatsBefore, 5000);
    QCOMPARE(details.last().at(0).value<SessionDetail>().heartbeats.last().type, PacketType::Pingresp);
    engine.watchSession({});

    const qsizetype batchesBeforeKick = batches.size();
    engine.kick(QStringLiteral("device-1"));
    QVERIFY(device.waitForClosed());
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 for (qsizetype i = batchesBeforeKick; i < batches.size(); ++i) {
                                     const auto batch = batches.at(i).at(0).value<TelemetryBatch>();
                                     if (batch.removedSessions.contains(QStringLiteral("device-1")))
                                         return true;
                                 }
                                 return false;
                             }()),
                             5000);

    QSignalSpy stopped(&engine, &EngineMonitor::stopped);
    engine.stop();
    QVERIFY(stopped.wait(5000));
    QVERIFY(!engine.isRunning());
}

void TestLocalEngine::takenPortFailsWithReason()
{
    QTcpServer occupant;
    QVERIFY(occupant.listen(QHostAddress::LocalHost, 0));
    BrokerConfig config = test::loopbackConfig();
    config.listeners = {ListenAddress{QHostAddress::LocalHost, occupant.serverPort()}};
    LocalEngine engine(config);
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    QSignalSpy taken(&engine, &EngineMonitor::listenAddressTaken);
    engine.start();
    QVERIFY(failed.wait(5000));
    const QString reason = failed.at(0).at(0).toString();
    QVERIFY2(reason.contains(QString::number(occupant.serverPort())), qPrintable(reason));
    QVERIFY(!engine.isRunning());
    // It names the address another program holds, so the console can offer to attach to it.
    QCOMPARE(taken.size(), 1);
    QCOMPARE(taken.at(0).at(0).value<ListenAddress>().port, occupant.serverPort());

    // An address this machine does not have fails for another reason: nothing is taken.
    config.listeners = {ListenAddress{QHostAddress(QStringLiteral("203.0.113.7")), 1883}};
    engine.setConfig(config);
    failed.clear();
    taken.clear();
    engine.start();
    QVERIFY(failed.wait(5000));
    QCOMPARE(taken.size(), 0);

    // The operator picks another port and starts again.
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    engine.setConfig(config);
    QSignalSpy started(&engine, &EngineMonitor::started);
    engine.start();
    QVERIFY(started.wait(5000));
}

void TestLocalEngine::batchesAreBoundedUnderLoad()
{
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy batches(&engine, &EngineMonitor::telemetry);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    RawClient publisher;
    QVERIFY(publisher.connectTo(port));
    Connect connect;
    connect.clientId = QStringLiteral("flood");
    QVERIFY(publisher.handshake(connect));
    constexpr int Messages = 5000;
    QByteArray burst;
    for (int i = 0; i < Messages; ++i) {
        Publish publish;
        publish.topic = QStringLiteral("telemetry/flood");
        publish.payload = QByteArray::number(i);
        burst += encode(publish, ProtocolVersion::V3_1_1);
    }
    publisher.sendBytes(burst);
    quint64 captured = 0;
    quint64 notCaptured = 0;
    qsizetype largestBatch = 0;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 captured = notCaptured = 0;
                                 for (const auto &args : std::as_const(batches)) {
                                     const auto batch = args.at(0).value<TelemetryBatch>();
                                     largestBatch = std::max(largestBatch, batch.messages.size());
                                     captured += quint64(batch.messages.size());
                                     notCaptured += batch.messagesNotCaptured;
                                 }
                                 return captured + notCaptured == Messages;
                             }()),
                             10000);
    // Every message is accounted for, and no batch exceeds the bound.
    QVERIFY(captured > 0);
    QVERIFY(largestBatch <= 500);
}

void TestLocalEngine::messagesCarryTheirContentType()
{
    // The payload inspector decodes a protobuf message by its v5 Content Type: the captured
    // message and the retained list must carry it to the console.
    LocalEngine engine(test::loopbackConfig());
    engine.setTelemetryInterval(std::chrono::milliseconds(50));
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy batches(&engine, &EngineMonitor::telemetry);
    QSignalSpy retained(&engine, &EngineMonitor::retainedMessages);
    engine.start();
    QVERIFY(started.wait(5000));
    const quint16 port = started.at(0).at(0).value<QList<ListenAddress>>().first().port;
    RawClient publisher(ProtocolVersion::V5);
    QVERIFY(publisher.connectTo(port));
    Connect connect;
    connect.version = ProtocolVersion::V5;
    connect.clientId = QStringLiteral("typed");
    QVERIFY(publisher.handshake(connect));
    const QString type = QStringLiteral("application/x-protobuf; messageType=hermes.test.Telemetry");
    Publish publish;
    publish.topic = QStringLiteral("devices/typed/telemetry");
    publish.payload = QByteArray::fromHex("0a0374763112");
    publish.retain = true;
    publish.properties.contentType = type;
    publisher.send(publish);
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 for (const auto &args : std::as_const(batches)) {
                                     for (const MessageRecord &record : args.at(0).value<TelemetryBatch>().messages) {
                                         if (record.topic == publish.topic)
                                             return record.contentType == type;
                                     }
                                 }
                                 return false;
                             }()),
                             5000);
    engine.requestRetained();
    QVERIFY(retained.wait(5000));
    const auto records = retained.at(0).at(0).value<QList<MessageRecord>>();
    QCOMPARE(records.size(), 1);
    QCOMPARE(records.first().contentType, type);
}

HERMES_TEST_GUILESS_MAIN(TestLocalEngine)
#include "tst_localengine.moc"
