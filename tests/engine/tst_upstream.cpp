// Upstream mode against a real two-node RabbitMQ cluster (scripts/rabbitmq-cluster.sh): hermesd
// as a separate process delivers pushes through the cluster to simulated devices on both nodes,
// follows their receipts, and fails over when the node it uses is killed. It reads the
// cluster's sessions from the management API: listed with their nodes and queue depths, seen
// by an attached console, kicked through it; a refused password and a silent listener named.
// The nodes also listen over TLS (rabbitmq-cluster.sh --tls): a second hermesd pushes through
// the MQTT TLS listeners and reads the management API over https.
#include "engine/mqttclient.h"
#include "engine/remote/remoteengine.h"
#include "engine/simulator/simulateddevice.h"

#include "../common/admincaller.h"
#include "../common/hermesdprocess.h"
#include "../common/testcertificates.h"
#include "../common/testmain.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
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
    /// With `tlsDir` (ca.pem, server.pem, server.key) the nodes listen over TLS too.
    int start(const QString &tlsDir = {})
    {
        m_started = true;
        QStringList arguments{QStringLiteral("start"), m_dir.path(), QStringLiteral("2")};
        if (!tlsDir.isEmpty())
            arguments << QStringLiteral("--tls") << tlsDir;
        return run(arguments, ClusterStartTimeoutMs);
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
    QString managementUrl(int node) const
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(value(QStringLiteral("RABBIT_MANAGEMENT_PORT_%1").arg(node)));
    }
    QString nodeName(int node) const { return value(QStringLiteral("RABBIT_NODE_%1").arg(node)); }
    /// With --tls: the MQTT TLS listener and the management API over https.
    quint16 mqttsPort(int node) const { return quint16(value(QStringLiteral("RABBIT_MQTTS_PORT_%1").arg(node)).toUInt()); }
    QString managementTlsUrl(int node) const
    {
        return QStringLiteral("https://127.0.0.1:%1").arg(value(QStringLiteral("RABBIT_MANAGEMENT_TLS_PORT_%1").arg(node)));
    }

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
    void clusterSessionsAreListedWithTheirNodes();
    void offlineSessionShowsItsQueue();
    void consoleListsAndKicksClusterSessions();
    void managementFailuresAreNamed();
    void pushesAndReadsSessionsOverTls();
    void failsOverWhenItsNodeIsKilled();
    void sessionSourceFollowsTheSurvivingNode();

private:
    /// A simulated device on `node` that registers `tags` and answers receipts.
    sim::SimulatedDevice *addDevice(const QString &id, int node, const QStringList &tags);
    QJsonObject sendPush(const QJsonObject &arguments);
    QJsonObject upstreamStatus() { return m_admin->call(QStringLiteral("upstream/status"), {}); }
    /// sessions/list by client ID.
    QHash<QString, QJsonObject> listedSessions();
    /// A password file only this user can read, in hermesd's directory.
    bool writeSecret(test::HermesdProcess &hermesd, const QString &name, const QByteArray &password);
    /// An MQTT client of the cluster's device account on `node`, connected.
    std::unique_ptr<MqttClient> connectDevice(const QString &id, int node);
    /// The report once every target is receipted, or the last one seen after the timeout.
    QJsonObject settledReport(const QString &pushId);
    /// "upstream 127.0.0.1:PORT" → the cluster node (1 or 2) with that MQTT port; 0 if none.
    int nodeOfRoute(const QString &route) const;

    QTemporaryDir m_certificates; ///< ca.pem and the nodes' server.pem, server.key
    bool m_tls = false;           ///< the cluster listens over TLS too
    RabbitCluster m_cluster;
    std::unique_ptr<test::HermesdProcess> m_hermesd;
    std::unique_ptr<test::AdminCaller> m_admin;
    std::vector<std::unique_ptr<sim::SimulatedDevice>> m_devices;
    int m_pushes = 0;
    int m_killedNode = 0;
};

void TestUpstream::initTestCase()
{
    // Without openssl the cluster runs without TLS listeners, and the TLS test skips.
    if (test::TestCertificates::opensslInstalled()) {
        test::TestCertificates certificates(m_certificates.path());
        QVERIFY(certificates.makeCa(QStringLiteral("ca"), QStringLiteral("Cluster Test CA")));
        QVERIFY(certificates.makeSigned(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                        QStringLiteral("DNS:localhost,IP:127.0.0.1")));
        m_tls = true;
    }
    const int started = m_cluster.start(m_tls ? m_certificates.path() : QString());
    if (started == 77)
        HERMES_SKIP("rabbitmq-server is not installed (scripts/setup.sh installs it)");
    QVERIFY2(started == 0, qPrintable(m_cluster.output()));
    QVERIFY(m_cluster.mqttPort(1) && m_cluster.mqttPort(2));

    m_hermesd = std::make_unique<test::HermesdProcess>();
    // The password goes in a file only this user can read, as the config requires. The
    // management API is asked as the same account (no upstream_management_user).
    QVERIFY(writeSecret(*m_hermesd, QStringLiteral("upstream.secret"), m_cluster.value(QStringLiteral("RABBIT_ADMIN_PASSWORD")).toUtf8()));
    m_hermesd->setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1, 127.0.0.1:%2\nupstream_user %3\n"
                                             "upstream_password_file upstream.secret\n"
                                             "upstream_management %4, %5\nupstream_management_interval 1\n")
                                  .arg(m_cluster.mqttPort(1))
                                  .arg(m_cluster.mqttPort(2))
                                  .arg(m_cluster.value(QStringLiteral("RABBIT_ADMIN_USER")), m_cluster.managementUrl(1),
                                       m_cluster.managementUrl(2)));
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

QHash<QString, QJsonObject> TestUpstream::listedSessions()
{
    QHash<QString, QJsonObject> sessions;
    for (const QJsonValue &value : m_admin->call(QStringLiteral("sessions/list"), {}).value(QLatin1String("sessions")).toArray())
        sessions.insert(value.toObject().value(QLatin1String("clientId")).toString(), value.toObject());
    return sessions;
}

bool TestUpstream::writeSecret(test::HermesdProcess &hermesd, const QString &name, const QByteArray &password)
{
    QFile secret(hermesd.filePath(name));
    return secret.open(QIODevice::WriteOnly) && secret.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        && secret.write(password + '\n') > 0;
}

std::unique_ptr<MqttClient> TestUpstream::connectDevice(const QString &id, int node)
{
    auto client = std::make_unique<MqttClient>();
    client->setPort(m_cluster.mqttPort(node));
    client->setClientId(id);
    client->setProtocolVersion(mqtt::ProtocolVersion::V3_1_1);
    client->setCredentials(m_cluster.value(QStringLiteral("RABBIT_DEVICE_USER")),
                           m_cluster.value(QStringLiteral("RABBIT_DEVICE_PASSWORD")).toUtf8());
    QSignalSpy connected(client.get(), &MqttClient::connected);
    client->connectToBroker();
    if (!connected.wait(20000))
        return nullptr;
    // RabbitMQ gives a client its queue when it subscribes.
    QSignalSpy subscribed(client.get(), &MqttClient::subscribed);
    client->subscribe(QStringLiteral("devices/%1/push").arg(id), mqtt::QoS::AtLeastOnce);
    return subscribed.wait(20000) ? std::move(client) : nullptr;
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

void TestUpstream::pushesAndReadsSessionsOverTls()
{
    if (!m_tls)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    QVERIFY(m_cluster.mqttsPort(1) && m_cluster.mqttsPort(2));
    ClientTlsSettings trustCluster;
    trustCluster.caFile = m_certificates.filePath(QStringLiteral("ca.pem"));

    // A device on node 2 over TLS, subscribed to its push topic.
    MqttClient device;
    ClientOptions options = device.options();
    options.setTls(trustCluster);
    device.setOptions(options);
    device.setPort(m_cluster.mqttsPort(2));
    device.setClientId(QStringLiteral("tls-dev"));
    device.setProtocolVersion(mqtt::ProtocolVersion::V3_1_1);
    device.setCredentials(m_cluster.value(QStringLiteral("RABBIT_DEVICE_USER")),
                          m_cluster.value(QStringLiteral("RABBIT_DEVICE_PASSWORD")).toUtf8());
    QList<mqtt::Publish> received;
    connect(&device, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) { received.append(publish); });
    QSignalSpy connected(&device, &MqttClient::connected);
    device.connectToBroker();
    QVERIFY(connected.wait(20000));
    QSignalSpy subscribed(&device, &MqttClient::subscribed);
    device.subscribe(QStringLiteral("devices/tls-dev/push"), mqtt::QoS::AtLeastOnce);
    QVERIFY(subscribed.wait(20000));

    // A second hermesd, on the TLS listeners only, with its own client ID.
    test::HermesdProcess hermesd;
    QVERIFY(writeSecret(hermesd, QStringLiteral("upstream.secret"), m_cluster.value(QStringLiteral("RABBIT_ADMIN_PASSWORD")).toUtf8()));
    hermesd.setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1, 127.0.0.1:%2\nupstream_tls on\nupstream_tls_ca %3\n"
                                          "upstream_user %4\nupstream_password_file upstream.secret\n"
                                          "upstream_client_id hermesd-tls\n"
                                          "upstream_management %5, %6\nupstream_management_interval 1\n")
                               .arg(m_cluster.mqttsPort(2))
                               .arg(m_cluster.mqttsPort(1))
                               .arg(trustCluster.caFile, m_cluster.value(QStringLiteral("RABBIT_ADMIN_USER")),
                                    m_cluster.managementTlsUrl(2), m_cluster.managementTlsUrl(1)));
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    QElapsedTimer clock;
    clock.start();
    test::AdminCaller admin(hermesd.localSocket());
    QVERIFY(admin.connect());
    QVERIFY2(QTest::qWaitFor([&] {
        return admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("listening")).toBool();
    }, DeliveryTimeoutMs), hermesd.standardError().constData());
    const qint64 listeningMs = clock.elapsed();
    const QJsonObject status = admin.call(QStringLiteral("upstream/status"), {});
    QCOMPARE(status.value(QLatin1String("tls")).toBool(), true);
    QCOMPARE(status.value(QLatin1String("node")).toString(), QStringLiteral("127.0.0.1:%1").arg(m_cluster.mqttsPort(2)));

    // A push through the TLS link reaches the TLS device, acknowledged by the node.
    QVERIFY(!admin.call(QStringLiteral("devices/update"), {{QStringLiteral("id"), QStringLiteral("tls-dev")}}).isEmpty());
    clock.restart();
    const QJsonObject sent = admin.call(QStringLiteral("push/send"),
                                        {{QStringLiteral("target"), QJsonObject{{QStringLiteral("devices"), QJsonArray{QStringLiteral("tls-dev")}}}},
                                         {QStringLiteral("payload"), QStringLiteral("over tls")},
                                         {QStringLiteral("envelope"), false},
                                         {QStringLiteral("pushId"), QStringLiteral("tls-1")}});
    QCOMPARE(sent.value(QLatin1String("audience")).toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, DeliveryTimeoutMs);
    const qint64 pushMs = clock.elapsed();
    QCOMPARE(received.at(0).payload, QByteArray("over tls"));
    QJsonObject report;
    QVERIFY(QTest::qWaitFor([&] {
        report = admin.call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), QStringLiteral("tls-1")}});
        return report.value(QLatin1String("counts")).toObject().value(QLatin1String("sent")).toInt() == 1;
    }, DeliveryTimeoutMs));
    QCOMPARE(report.value(QLatin1String("targets")).toArray().at(0).toObject().value(QLatin1String("route")).toString(),
             QStringLiteral("upstream 127.0.0.1:%1").arg(m_cluster.mqttsPort(2)));

    // The management API over https, verified against the same CA: the cluster's sessions.
    QVERIFY2(QTest::qWaitFor([&] {
        QHash<QString, QJsonObject> sessions;
        for (const QJsonValue &value : admin.call(QStringLiteral("sessions/list"), {}).value(QLatin1String("sessions")).toArray())
            sessions.insert(value.toObject().value(QLatin1String("clientId")).toString(), value.toObject());
        return sessions.value(QStringLiteral("tls-dev")).value(QLatin1String("node")).toString() == m_cluster.nodeName(2)
            && sessions.contains(QStringLiteral("near-1"));
    }, DeliveryTimeoutMs), qPrintable(QJsonDocument(admin.call(QStringLiteral("upstream/status"), {})).toJson()));
    const QJsonObject management = admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("management")).toObject();
    QVERIFY(management.value(QLatin1String("answering")).toBool());
    QVERIFY(management.value(QLatin1String("url")).toString().startsWith(QLatin1String("https://127.0.0.1:")));
    QVERIFY(!hermesd.standardError().contains("TLS handshake failed"));
    qInfo("over TLS: hermesd subscribed on the cluster %lld ms after it started; a push reached the TLS device %lld ms after push/send",
          listeningMs, pushMs);
    device.disconnectFromBroker();
    hermesd.stop();
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
    m_killedNode = usedNode;
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

void TestUpstream::clusterSessionsAreListedWithTheirNodes()
{
    // The simulated devices, as the cluster's management API lists them: both nodes, each
    // session with its node; hermesd's own operator connection beside them, without one.
    QHash<QString, QJsonObject> sessions;
    QVERIFY2(QTest::qWaitFor([&] {
        sessions = listedSessions();
        return sessions.contains(QStringLiteral("near-1")) && sessions.contains(QStringLiteral("far-2"));
    }, DeliveryTimeoutMs), qPrintable(QJsonDocument(upstreamStatus()).toJson()));
    for (const QString &id : {QStringLiteral("near-1"), QStringLiteral("near-2"), QStringLiteral("far-1"), QStringLiteral("far-2")}) {
        const QJsonObject session = sessions.value(id);
        QVERIFY2(session.value(QLatin1String("online")).toBool(), qPrintable(id));
        QCOMPARE(session.value(QLatin1String("node")).toString(), m_cluster.nodeName(id.startsWith(QLatin1String("near")) ? 1 : 2));
        QCOMPARE(session.value(QLatin1String("userName")).toString(), m_cluster.value(QStringLiteral("RABBIT_DEVICE_USER")));
        QCOMPARE(session.value(QLatin1String("protocol")).toString(), QStringLiteral("3.1.1"));
        QVERIFY(session.value(QLatin1String("address")).toString().startsWith(QLatin1String("127.0.0.1:")));
    }
    QVERIFY(sessions.contains(QStringLiteral("test-operator")));
    QVERIFY(!sessions.value(QStringLiteral("test-operator")).contains(QLatin1String("node")));
    // Filtered by node like by address.
    const QJsonArray onNode2 = m_admin->call(QStringLiteral("sessions/list"), {{QStringLiteral("filter"), m_cluster.nodeName(2)}})
                                   .value(QLatin1String("sessions")).toArray();
    for (const QJsonValue &session : onNode2)
        QCOMPARE(session.toObject().value(QLatin1String("node")).toString(), m_cluster.nodeName(2));

    const QJsonObject far = m_admin->call(QStringLiteral("sessions/get"), {{QStringLiteral("clientId"), QStringLiteral("far-1")}});
    QCOMPARE(far.value(QLatin1String("node")).toString(), m_cluster.nodeName(2));
    QCOMPARE(far.value(QLatin1String("inflightMessages")).toArray().size(), 0);

    // devices/list knows the cluster's devices are online.
    for (const QJsonValue &device : m_admin->call(QStringLiteral("devices/list"), {{QStringLiteral("tag"), QStringLiteral("fleet")}})
                                        .value(QLatin1String("devices")).toArray())
        QVERIFY2(device.toObject().value(QLatin1String("online")).toBool(), qPrintable(device.toObject().value(QLatin1String("id")).toString()));

    const QJsonObject management = upstreamStatus().value(QLatin1String("management")).toObject();
    QCOMPARE(management.value(QLatin1String("url")).toString(), m_cluster.managementUrl(1));
    QVERIFY(management.value(QLatin1String("answering")).toBool());
    QVERIFY(management.value(QLatin1String("sessions")).toInt() >= 4);
    QCOMPARE(management.value(QLatin1String("requests")).toInt(), 2); // one page of each listing
    QVERIFY(management.value(QLatin1String("bytes")).toInt() > 0);
    QVERIFY(management.value(QLatin1String("lastRefreshAtMs")).toDouble() > 0);
    qInfo("management API: %d sessions, %d requests and %d bytes per refresh, %d ms",
          management.value(QLatin1String("sessions")).toInt(), management.value(QLatin1String("requests")).toInt(),
          management.value(QLatin1String("bytes")).toInt(), management.value(QLatin1String("refreshMs")).toInt());
}

void TestUpstream::offlineSessionShowsItsQueue()
{
    // mosquitto_sub with clean session off on node 2: RabbitMQ keeps its queue when it goes.
    QProcess subscriber;
    subscriber.start(QStringLiteral("mosquitto_sub"),
                     {QStringLiteral("-p"), QString::number(m_cluster.mqttPort(2)), QStringLiteral("-u"),
                      m_cluster.value(QStringLiteral("RABBIT_DEVICE_USER")), QStringLiteral("-P"),
                      m_cluster.value(QStringLiteral("RABBIT_DEVICE_PASSWORD")), QStringLiteral("-i"), QStringLiteral("sub 2"),
                      QStringLiteral("-c"), QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-t"),
                      QStringLiteral("devices/sub-2/push")});
    if (!subscriber.waitForStarted(10000))
        HERMES_SKIP("mosquitto_sub is not installed (scripts/setup.sh installs mosquitto-clients)");
    QVERIFY(QTest::qWaitFor([&] { return listedSessions().value(QStringLiteral("sub 2")).value(QLatin1String("online")).toBool(); },
                            DeliveryTimeoutMs));
    QCOMPARE(listedSessions().value(QStringLiteral("sub 2")).value(QLatin1String("node")).toString(), m_cluster.nodeName(2));
    subscriber.terminate(); // a clean DISCONNECT
    QVERIFY(subscriber.waitForFinished(10000));
    // Two pushes to it while it is away wait in its queue; hermesd shows the depth (RabbitMQ's
    // queue statistics are sampled every 5 s).
    const QJsonObject sent = sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("topic"), QStringLiteral("devices/sub-2/push")}}},
                                       {QStringLiteral("qos"), 1}});
    QVERIFY(!sent.isEmpty());
    QVERIFY(!sendPush({{QStringLiteral("target"), QJsonObject{{QStringLiteral("topic"), QStringLiteral("devices/sub-2/push")}}},
                       {QStringLiteral("qos"), 1}}).isEmpty());
    QJsonObject offline;
    QVERIFY2(QTest::qWaitFor([&] {
        offline = listedSessions().value(QStringLiteral("sub 2"));
        return !offline.isEmpty() && !offline.value(QLatin1String("online")).toBool() && offline.value(QLatin1String("queued")).toInt() == 2;
    }, DeliveryTimeoutMs), QJsonDocument(offline).toJson().constData());
    QCOMPARE(offline.value(QLatin1String("node")).toString(), m_cluster.nodeName(2));
    QVERIFY(offline.value(QLatin1String("disconnectedAtMs")).toDouble() > 0);
    const QJsonArray offlineOnly = m_admin->call(QStringLiteral("sessions/list"), {{QStringLiteral("state"), QStringLiteral("offline")}})
                                       .value(QLatin1String("sessions")).toArray();
    QVERIFY(std::any_of(offlineOnly.begin(), offlineOnly.end(), [](const QJsonValue &session) {
        return session.toObject().value(QLatin1String("clientId")).toString() == QLatin1String("sub 2");
    }));
}

void TestUpstream::consoleListsAndKicksClusterSessions()
{
    // The console's engine, attached to hermesd as an operator on its admin socket.
    RemoteEngineOptions options;
    options.localPath = m_hermesd->localSocket();
    RemoteEngine console(options);
    console.setTelemetryInterval(std::chrono::milliseconds(100));
    QHash<QString, SessionInfo> shown; // what the Sessions view would show
    BrokerCounters counters;
    connect(&console, &EngineMonitor::telemetry, this, [&](const TelemetryBatch &batch) {
        if (batch.full)
            shown.clear();
        for (const SessionInfo &info : batch.changedSessions)
            shown.insert(info.clientId, info);
        for (const QString &id : batch.removedSessions)
            shown.remove(id);
        counters = batch.counters;
    });
    QSignalSpy started(&console, &EngineMonitor::started);
    console.start();
    QVERIFY(started.wait(20000));
    // hermesd said it is in upstream mode: the Session detail says what it cannot show.
    QVERIFY(console.features().testFlag(EngineFeature::Sessions));
    QVERIFY(!console.features().testFlag(EngineFeature::SessionInternals));

    std::unique_ptr<MqttClient> victim = connectDevice(QStringLiteral("kick-me"), 2);
    QVERIFY(victim);
    const QString node1 = m_cluster.nodeName(1);
    const QString node2 = m_cluster.nodeName(2);
    QVERIFY2(QTest::qWaitFor([&] {
        return shown.contains(QStringLiteral("kick-me")) && shown.contains(QStringLiteral("near-1"));
    }, DeliveryTimeoutMs), qPrintable(QStringList(shown.keys()).join(QLatin1Char(' '))));
    // The node in its own field, the address as the cluster gave it.
    QCOMPARE(shown.value(QStringLiteral("near-1")).node, node1);
    QCOMPARE(shown.value(QStringLiteral("far-1")).node, node2);
    QCOMPARE(shown.value(QStringLiteral("kick-me")).node, node2);
    QVERIFY2(shown.value(QStringLiteral("far-1")).address.startsWith(QLatin1String("127.0.0.1:")),
             qPrintable(shown.value(QStringLiteral("far-1")).address));
    // The Dashboard's counts are the sessions listed: the cluster's and hermesd's own.
    const auto onlineShown = [&] {
        return quint64(std::count_if(shown.cbegin(), shown.cend(), [](const SessionInfo &info) { return info.online; }));
    };
    QVERIFY2(QTest::qWaitFor([&] { return counters.clientsConnected == onlineShown() && counters.clientsTotal == quint64(shown.size()); },
                             10000),
             qPrintable(QStringLiteral("%1 connected, %2 sessions; %3 online of %4 shown")
                            .arg(counters.clientsConnected).arg(counters.clientsTotal).arg(onlineShown()).arg(shown.size())));

    QSignalSpy detail(&console, &EngineMonitor::sessionDetail);
    console.requestSessionDetail(QStringLiteral("far-1"));
    QVERIFY(detail.wait(10000));
    const SessionDetail far = detail.constFirst().at(0).value<SessionDetail>();
    QCOMPARE(far.info.node, node2);
    QVERIFY(far.heartbeats.isEmpty() && far.packetTrace.isEmpty());

    // Kick: hermesd asks the cluster to close the connection, and it really ends.
    QSignalSpy disconnected(victim.get(), &MqttClient::disconnected);
    console.kick(QStringLiteral("kick-me"));
    QVERIFY(disconnected.wait(DeliveryTimeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.contains(QStringLiteral("kick-me")), DeliveryTimeoutMs);
    QVERIFY(!listedSessions().contains(QStringLiteral("kick-me")));
    console.stop();
}

void TestUpstream::managementFailuresAreNamed()
{
    // A second hermesd whose management API list starts with a listener that accepts and never
    // answers, then node 1's, with a wrong password: both named, each once, and the admin API
    // keeps answering meanwhile.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> held;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = silent.nextPendingConnection())
            held.append(socket);
    });
    test::HermesdProcess hermesd;
    QVERIFY(writeSecret(hermesd, QStringLiteral("upstream.secret"), m_cluster.value(QStringLiteral("RABBIT_ADMIN_PASSWORD")).toUtf8()));
    QVERIFY(writeSecret(hermesd, QStringLiteral("management.secret"), "not-the-password"));
    const QString silentUrl = QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort());
    hermesd.setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1\nupstream_user hermes\nupstream_password_file upstream.secret\n"
                                          "upstream_client_id hermesd-second\n"
                                          "upstream_management %2, %3\nupstream_management_user hermes\n"
                                          "upstream_management_password_file management.secret\n"
                                          "upstream_management_timeout 5\n")
                               .arg(m_cluster.mqttPort(1))
                               .arg(silentUrl, m_cluster.managementUrl(1)));
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    test::AdminCaller admin(hermesd.localSocket());
    QVERIFY(admin.connect());

    const QByteArray timedOut = QStringLiteral("%1 did not answer within 5 s").arg(silentUrl).toUtf8();
    const QByteArray refused = QStringLiteral("%1 refused user hermes (401)").arg(m_cluster.managementUrl(1)).toUtf8();
    QVERIFY2(QTest::qWaitFor([&] { return hermesd.standardError().contains(refused); }, 30000), hermesd.standardError().constData());
    QVERIFY(hermesd.standardError().contains(timedOut));
    QVERIFY(!held.isEmpty());
    const QJsonObject management = admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("management")).toObject();
    QVERIFY(!management.value(QLatin1String("answering")).toBool());
    QVERIFY2(management.value(QLatin1String("lastError")).toString().endsWith(QLatin1String("refused user hermes (401)"))
                 || management.value(QLatin1String("lastError")).toString().contains(QLatin1String("did not answer")),
             qPrintable(management.value(QLatin1String("lastError")).toString()));
    QVERIFY(management.value(QLatin1String("failures")).toInt() >= 2);
    // Still serving: the admin API answers, the sessions list holds only what hermesd knows.
    const QJsonArray sessions = admin.call(QStringLiteral("sessions/list"), {}).value(QLatin1String("sessions")).toArray();
    QVERIFY(!sessions.isEmpty());
    for (const QJsonValue &session : sessions)
        QVERIFY(!session.toObject().contains(QLatin1String("node")));
    // Retries do not repeat what the log already said (the next timeout is due ~5 s later).
    QVERIFY(QTest::qWaitFor([&] { return admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("management")).toObject()
                                             .value(QLatin1String("failures")).toInt() >= 3; }, 30000));
    QCOMPARE(hermesd.standardError().count(refused), 1);
    QCOMPARE(hermesd.standardError().count(timedOut), 1);
    QVERIFY(!hermesd.standardError().contains("not-the-password"));
    hermesd.stop();
    qDeleteAll(held);
}

void TestUpstream::sessionSourceFollowsTheSurvivingNode()
{
    QVERIFY2(m_killedNode != 0, "failsOverWhenItsNodeIsKilled killed no node");
    const int survivor = 3 - m_killedNode;
    // The killed node's management API died with it (when it was the one in use, hermesd
    // moves to the survivor's); the devices that were connected to it are listed no more.
    QJsonObject management;
    QHash<QString, QJsonObject> sessions;
    const auto onKilledNode = [&] {
        return std::count_if(sessions.cbegin(), sessions.cend(), [&](const QJsonObject &session) {
            return session.value(QLatin1String("online")).toBool()
                && session.value(QLatin1String("node")).toString() == m_cluster.nodeName(m_killedNode);
        });
    };
    QVERIFY2(QTest::qWaitFor([&] {
        management = upstreamStatus().value(QLatin1String("management")).toObject();
        sessions = listedSessions();
        return management.value(QLatin1String("answering")).toBool()
            && management.value(QLatin1String("url")).toString() == m_cluster.managementUrl(survivor) && onKilledNode() == 0;
    }, DeliveryTimeoutMs), QJsonDocument(management).toJson().constData());
    const QString survivors = survivor == 1 ? QStringLiteral("near-") : QStringLiteral("far-");
    for (const QString &id : {survivors + QLatin1Char('1'), survivors + QLatin1Char('2')}) {
        QVERIFY2(sessions.value(id).value(QLatin1String("online")).toBool(), qPrintable(id));
        QCOMPARE(sessions.value(id).value(QLatin1String("node")).toString(), m_cluster.nodeName(survivor));
    }
}

HERMES_TEST_GUILESS_MAIN(TestUpstream)
#include "tst_upstream.moc"
