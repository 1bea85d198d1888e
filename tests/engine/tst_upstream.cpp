// Upstream mode against a real two-node RabbitMQ cluster (scripts/rabbitmq-cluster.sh): hermesd
// as a separate process delivers pushes through the cluster to simulated devices on both nodes,
// follows their receipts, and fails over when the node it uses is killed.
#include "engine/mqttclient.h"
#include "engine/simulator/simulateddevice.h"

#include "../common/admincaller.h"
#include "../common/hermesdprocess.h"
#include "../common/testmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace hermes;

namespace {

constexpr int ClusterStartTimeoutMs = 420000; // minutes on a loaded machine
constexpr int ClusterStopTimeoutMs = 90000;
constexpr int DeliveryTimeoutMs = 30000;

/// The cluster for the whole test, stopped by the destructor whatever happened.
class RabbitCluster
{
public:
    ~RabbitCluster() { stop(); }

    /// Runs the script; its exit code (77: rabbitmq-server is not installed), or -1 on a timeout.
    int start()
    {
        m_started = true;
        return run({QStringLiteral("start"), m_dir.path(), QStringLiteral("2")}, ClusterStartTimeoutMs);
    }
    void stop()
    {
        if (std::exchange(m_started, false))
            run({QStringLiteral("stop"), m_dir.path()}, ClusterStopTimeoutMs);
    }
    bool kill(int node) { return run({QStringLiteral("kill"), m_dir.path(), QString::number(node)}, 30000) == 0; }
    QString output() const { return m_output; }

    /// A value of DIR/cluster.env ("RABBIT_MQTT_PORT_1").
    QString value(const QString &key) const
    {
        QFile file(m_dir.filePath(QStringLiteral("cluster.env")));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        for (const QByteArray &line : file.readAll().split('\n')) {
            if (line.startsWith(key.toUtf8() + '='))
                return QString::fromUtf8(line.mid(key.size() + 1)).trimmed();
        }
        return {};
    }
    quint16 mqttPort(int node) const { return quint16(value(QStringLiteral("RABBIT_MQTT_PORT_%1").arg(node)).toUInt()); }

private:
    int run(const QStringList &arguments, int timeoutMs)
    {
        QProcess script;
        script.setProcessChannelMode(QProcess::MergedChannels);
        script.start(QStringLiteral(HERMES_SOURCE_DIR "/scripts/rabbitmq-cluster.sh"), arguments);
        if (!script.waitForFinished(timeoutMs)) {
            script.kill();
            script.waitForFinished();
            m_output = QString::fromUtf8(script.readAll()) + QStringLiteral("\n(timed out)");
            return -1;
        }
        m_output = QString::fromUtf8(script.readAll());
        return script.exitStatus() == QProcess::NormalExit ? script.exitCode() : -1;
    }

    QTemporaryDir m_dir;
    QString m_output;
    bool m_started = false;
};

} // namespace

class TestUpstream : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void devicesRegisterThroughTheCluster();
    void pushByIdAndTagReachesBothNodes();
    void qos2IsDowngradedAndSaysSo();
    void devicesCannotConnectToHermesd();
    void failsOverWhenItsNodeIsKilled();

private:
    /// A simulated device on `node` that registers `tags` and answers receipts.
    sim::SimulatedDevice *addDevice(const QString &id, int node, const QStringList &tags);
    QJsonObject sendPush(const QJsonObject &arguments);
    QJsonObject upstreamStatus() { return m_admin->call(QStringLiteral("upstream/status"), {}); }
    /// The report once every target is receipted, or the last one seen after the timeout.
    QJsonObject settledReport(const QString &pushId);
    /// "upstream 127.0.0.1:PORT" → the cluster node (1 or 2) with that MQTT port; 0 if none.
    int nodeOfRoute(const QString &route) const;

    RabbitCluster m_cluster;
    std::unique_ptr<test::HermesdProcess> m_hermesd;
    std::unique_ptr<test::AdminCaller> m_admin;
    std::vector<std::unique_ptr<sim::SimulatedDevice>> m_devices;
    int m_pushes = 0;
};

void TestUpstream::initTestCase()
{
    const int started = m_cluster.start();
    if (started == 77)
        HERMES_SKIP("rabbitmq-server is not installed (scripts/setup.sh installs it)");
    QVERIFY2(started == 0, qPrintable(m_cluster.output()));
    QVERIFY(m_cluster.mqttPort(1) && m_cluster.mqttPort(2));

    m_hermesd = std::make_unique<test::HermesdProcess>();
    // The password goes in a file only this user can read, as the config requires.
    QFile secret(m_hermesd->filePath(QStringLiteral("upstream.secret")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    QVERIFY(secret.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    secret.write(m_cluster.value(QStringLiteral("RABBIT_ADMIN_PASSWORD")).toUtf8() + '\n');
    secret.close();
    m_hermesd->setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1, 127.0.0.1:%2\nupstream_user %3\n"
                                             "upstream_password_file %4\n")
                                  .arg(m_cluster.mqttPort(1))
                                  .arg(m_cluster.mqttPort(2))
                                  .arg(m_cluster.value(QStringLiteral("RABBIT_ADMIN_USER")), secret.fileName()));
    QVERIFY2(m_hermesd->start(), qPrintable(m_hermesd->error()));
    m_admin = std::make_unique<test::AdminCaller>(m_hermesd->localSocket());
    QVERIFY(m_admin->connect());
    // Devices register once, when they connect: hermesd must already listen on the cluster.
    QTRY_VERIFY_WITH_TIMEOUT(upstreamStatus().value(QLatin1String("listening")).toBool(), DeliveryTimeoutMs);
    QCOMPARE(upstreamStatus().value(QLatin1String("nodes")).toArray().size(), 2);

    addDevice(QStringLiteral("near-1"), 1, {QStringLiteral("fleet"), QStringLiteral("near")});
    addDevice(QStringLiteral("near-2"), 1, {QStringLiteral("fleet"), QStringLiteral("near")});
    addDevice(QStringLiteral("far-1"), 2, {QStringLiteral("fleet"), QStringLiteral("far")});
    addDevice(QStringLiteral("far-2"), 2, {QStringLiteral("fleet"), QStringLiteral("far")});
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(m_devices.cbegin(), m_devices.cend(), [](const auto &d) { return d->isConnected(); }),
                             DeliveryTimeoutMs);
    // Registrations published on either node reach hermesd's registry with their tags.
    QTRY_COMPARE_WITH_TIMEOUT(m_admin->call(QStringLiteral("devices/list"), {{QStringLiteral("tag"), QStringLiteral("fleet")}})
                                  .value(QLatin1String("devices")).toArray().size(),
                              4, DeliveryTimeoutMs);
}

void TestUpstream::cleanupTestCase()
{
    for (const auto &device : m_devices)
        device->stop();
    m_devices.clear();
    m_admin.reset();
    if (m_hermesd)
        m_hermesd->stop();
    m_cluster.stop();
}

sim::SimulatedDevice *TestUpstream::addDevice(const QString &id, int node, const QStringList &tags)
{
    sim::DeviceConfig config;
    config.brokerPort = m_cluster.mqttPort(node);
    config.reconnect.maxAttempts = 0; // a device of a killed node stays down: pushes to it show that
    auto device = std::make_unique<sim::SimulatedDevice>(id, config,
                                                         std::make_unique<sim::FixedHeartbeat>(std::chrono::seconds(30)));
    device->client().setCredentials(m_cluster.value(QStringLiteral("RABBIT_DEVICE_USER")),
                                    m_cluster.value(QStringLiteral("RABBIT_DEVICE_PASSWORD")).toUtf8());
    // Registration travels through the cluster to hermesd, like a receipt.
    const QByteArray registration = QJsonDocument(QJsonObject{{QStringLiteral("tags"), QJsonArray::fromStringList(tags)}})
                                        .toJson(QJsonDocument::Compact);
    sim::SimulatedDevice *raw = device.get();
    QObject::connect(raw, &sim::SimulatedDevice::connected, raw, [raw, registration] {
        raw->client().publish(raw->registerTopic(), registration, mqtt::QoS::AtLeastOnce);
    });
    device->start();
    m_devices.push_back(std::move(device));
    return raw;
}

QJsonObject TestUpstream::sendPush(const QJsonObject &arguments)
{
    QJsonObject withId = arguments;
    withId.insert(QStringLiteral("pushId"), QStringLiteral("up-%1").arg(++m_pushes));
    withId.insert(QStringLiteral("payload"), QStringLiteral("hello through the cluster"));
    const QJsonObject result = m_admin->call(QStringLiteral("push/send"), withId);
    if (result.isEmpty())
        qWarning("push/send: %s", qPrintable(m_admin->lastError()));
    return result;
}

QJsonObject TestUpstream::settledReport(const QString &pushId)
{
    QJsonObject report;
    QTest::qWaitFor([&] {
        report = m_admin->call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), pushId}});
        const QJsonObject counts = report.value(QLatin1String("counts")).toObject();
        return report.value(QLatin1String("audience")).toInt() > 0
            && counts.value(QLatin1String("receipted")).toInt() == report.value(QLatin1String("audience")).toInt();
    }, DeliveryTimeoutMs);
    if (report.value(QLatin1String("counts")).toObject().value(QLatin1String("receipted")) != report.value(QLatin1String("audience")))
        qWarning("unsettled report: %s\nhermesd: %s", QJsonDocument(report).toJson(QJsonDocument::Compact).constData(),
                 m_hermesd->standardError().constData());
    return report;
}

int TestUpstream::nodeOfRoute(const QString &route) const
{
    for (int node : {1, 2}) {
        if (route == QStringLiteral("upstream 127.0.0.1:%1").arg(m_cluster.mqttPort(node)))
            return node;
    }
    return 0;
}

void TestUpstream::devicesRegisterThroughTheCluster()
{
    // initTestCase waited for the whole fleet; each device's tags came with it.
    const QJsonArray far = m_admin->call(QStringLiteral("devices/list"), {{QStringLiteral("tag"), QStringLiteral("far")}})
                               .value(QLatin1String("devices")).toArray();
    QCOMPARE(far.size(), 2);
    for (const QJsonValue &device : far)
        QVERIFY(device.toObject().value(QLatin1String("id")).toString().startsWith(QLatin1String("far-")));
}

void TestUpstream::pushByIdAndTagReachesBothNodes()
{
    // By id: one device on each node.
    const QJsonObject byId = sendPush({{QStringLiteral("target"),
                                        QJsonObject{{QStringLiteral("devices"), QJsonArray{QStringLiteral("near-1"), QStringLiteral("far-1")}}}}});
    QCOMPARE(byId.value(QLatin1String("audience")).toInt(), 2);
    const QJsonObject idReport = settledReport(byId.value(QLatin1String("pushId")).toString());
    QCOMPARE(idReport.value(QLatin1String("counts")).toObject().value(QLatin1String("receipted")).toInt(), 2);
    for (const QJsonValue &target : idReport.value(QLatin1String("targets")).toArray()) {
        // The report shows the path: the node hermesd published on.
        QVERIFY2(nodeOfRoute(target.toObject().value(QLatin1String("route")).toString()) != 0,
                 qPrintable(QJsonDocument(target.toObject()).toJson()));
        QCOMPARE(target.toObject().value(QLatin1String("sequence")).toInt(), 1);
        QCOMPARE(target.toObject().value(QLatin1String("receiptStatus")).toString(), QStringLiteral("delivered"));
    }

    // By tag: every device of the fleet, on both nodes; each one's sequence goes on.
    const QJsonObject byTag = sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("tag"), QStringLiteral("fleet")}}}});
    QCOMPARE(byTag.value(QLatin1String("audience")).toInt(), 4);
    const QJsonObject tagReport = settledReport(byTag.value(QLatin1String("pushId")).toString());
    QCOMPARE(tagReport.value(QLatin1String("counts")).toObject().value(QLatin1String("receipted")).toInt(), 4);
    QCOMPARE(tagReport.value(QLatin1String("duplicates")).toInt(), 0);
    for (const auto &device : m_devices)
        QCOMPARE(device->stats().pushesDelivered, device->id().endsWith(QLatin1String("-1")) ? 2u : 1u);
}

void TestUpstream::qos2IsDowngradedAndSaysSo()
{
    const QJsonObject sent = sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("tag"), QStringLiteral("far")}}},
                                       {QStringLiteral("qos"), 2}});
    const QJsonObject report = settledReport(sent.value(QLatin1String("pushId")).toString());
    QCOMPARE(report.value(QLatin1String("counts")).toObject().value(QLatin1String("receipted")).toInt(), 2);
    QCOMPARE(report.value(QLatin1String("qos")).toInt(), 1);
    const QJsonArray notes = report.value(QLatin1String("notes")).toArray();
    QCOMPARE(notes.size(), 1);
    QVERIFY2(notes.at(0).toString().startsWith(QLatin1String("QoS 2 downgraded to QoS 1")), qPrintable(notes.at(0).toString()));

    // A raw payload with a TTL cannot be expired by the cluster, nor checked by the device.
    const QJsonObject raw = sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("tag"), QStringLiteral("far")}}},
                                      {QStringLiteral("envelope"), false},
                                      {QStringLiteral("ttlSeconds"), 60}});
    QVERIFY(raw.isEmpty());
    QVERIFY2(m_admin->lastError().contains(QLatin1String("cannot expire")), qPrintable(m_admin->lastError()));
}

void TestUpstream::devicesCannotConnectToHermesd()
{
    // hermesd's own listener serves operators only: an anonymous loopback client (a device by
    // the config) is refused, with Not authorized.
    MqttClient device;
    device.setPort(m_hermesd->port());
    device.setClientId(QStringLiteral("stray-device"));
    device.setProtocolVersion(mqtt::ProtocolVersion::V5);
    QSignalSpy disconnected(&device, &MqttClient::disconnected);
    device.connectToBroker();
    QVERIFY(disconnected.wait(10000));
    QCOMPARE(disconnected.constFirst().at(0).value<mqtt::client::CloseReason>(), mqtt::client::CloseReason::ConnectRefused);
    QCOMPARE(disconnected.constFirst().at(1).value<mqtt::ReasonCode>(), mqtt::ReasonCode::NotAuthorized);
}

void TestUpstream::failsOverWhenItsNodeIsKilled()
{
    // Which node is hermesd on? A report's route says.
    const QJsonObject sent = sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("tag"), QStringLiteral("fleet")}}}});
    const QJsonObject before = settledReport(sent.value(QLatin1String("pushId")).toString());
    QCOMPARE(before.value(QLatin1String("counts")).toObject().value(QLatin1String("receipted")).toInt(), 4);
    const int usedNode = nodeOfRoute(before.value(QLatin1String("targets")).toArray().at(0).toObject().value(QLatin1String("route")).toString());
    QVERIFY(usedNode != 0);
    QHash<QString, int> sequenceBefore;
    for (const QJsonValue &target : before.value(QLatin1String("targets")).toArray())
        sequenceBefore.insert(target.toObject().value(QLatin1String("device")).toString(),
                              target.toObject().value(QLatin1String("sequence")).toInt());
    QCOMPARE(nodeOfRoute(QStringLiteral("upstream ") + upstreamStatus().value(QLatin1String("node")).toString()), usedNode);
    const int otherNode = 3 - usedNode;
    const QString survivors = otherNode == 1 ? QStringLiteral("near") : QStringLiteral("far");

    QElapsedTimer failover;
    failover.start();
    QVERIFY2(m_cluster.kill(usedNode), qPrintable(m_cluster.output()));
    // Pushed at once, while hermesd may still be on the dead node or between nodes: it waits
    // in the link, or is resent from it, and goes out through the other node.
    const QJsonObject after = sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("tag"), survivors}}}});
    QCOMPARE(after.value(QLatin1String("audience")).toInt(), 2);
    // hermesd says which node it lost and which it tries next.
    const QByteArray next = QStringLiteral("trying 127.0.0.1:%1").arg(m_cluster.mqttPort(otherNode)).toUtf8();
    QTRY_VERIFY_WITH_TIMEOUT(m_hermesd->standardError().contains(next), DeliveryTimeoutMs);
    QVERIFY2(QTest::qWaitFor([&] { return upstreamStatus().value(QLatin1String("listening")).toBool(); }, DeliveryTimeoutMs),
             m_hermesd->standardError().constData());
    const QJsonObject status = upstreamStatus();
    QCOMPARE(nodeOfRoute(QStringLiteral("upstream ") + status.value(QLatin1String("node")).toString()), otherNode);
    QVERIFY(status.value(QLatin1String("failovers")).toInt() >= 1);
    const qint64 failoverMs = failover.elapsed();

    // The push to the surviving node's devices was delivered through it and receipted.
    const QJsonObject report = settledReport(after.value(QLatin1String("pushId")).toString());
    QCOMPARE(report.value(QLatin1String("counts")).toObject().value(QLatin1String("receipted")).toInt(), 2);
    for (const QJsonValue &target : report.value(QLatin1String("targets")).toArray()) {
        QCOMPARE(nodeOfRoute(target.toObject().value(QLatin1String("route")).toString()), otherNode);
        // Numbers go on from where they were: none reused.
        const QString device = target.toObject().value(QLatin1String("device")).toString();
        QCOMPARE(target.toObject().value(QLatin1String("sequence")).toInt(), sequenceBefore.value(device) + 1);
    }
    qInfo("killed node %d; hermesd listened on node %d %lld ms later; the push sent right after the kill was receipted "
          "through it %lld ms after the kill",
          usedNode, otherNode, failoverMs, failover.elapsed());
}

HERMES_TEST_GUILESS_MAIN(TestUpstream)
#include "tst_upstream.moc"
