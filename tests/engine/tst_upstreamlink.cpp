// UpstreamLink against two real mosquitto brokers standing in for cluster nodes: delivery and
// its stages, what devices publish coming back, fail-over when a node dies (with what was in
// flight or waiting sent to the next one), the QoS cap and the bounded backlog. Each mosquitto is
// its own island, so a subscriber on a node sees only what the link published there: that is
// how the test knows which node carried a message. Over TLS, against mosquitto TLS listeners
// with certificates made by the openssl CLI: the right CA delivers; an untrusted CA, a name
// the certificate does not carry, an expired certificate and a missing client certificate are
// named in clienttls's words and retried, delivering nothing, until the files are right (a
// CA file replaced in place is picked up); hermesd logs such a failure once, however often
// it retries. (tst_upstream runs the real cluster.)
#include "engine/upstream/upstreamlink.h"

#include "push/envelope.h"

#include "../common/admincaller.h"
#include "../common/hermesdprocess.h"
#include "../common/mosquitto.h"
#include "../common/testcertificates.h"
#include "../common/testmain.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace hermes;
using namespace std::chrono_literals;

namespace {

constexpr int TimeoutMs = 15000;

/// A device on one node: subscribed to its push topic, recording what arrives.
class NodeListener
{
public:
    NodeListener(quint16 port, const QString &topic, const std::optional<ClientTlsSettings> &tls = std::nullopt)
    {
        ClientOptions options = m_client.options();
        options.setTls(tls);
        m_client.setOptions(options);
        m_client.setPort(port);
        m_client.setClientId(QStringLiteral("listener-%1").arg(port));
        QObject::connect(&m_client, &MqttClient::connected, [this, topic] { m_client.subscribe(topic, mqtt::QoS::ExactlyOnce); });
        QObject::connect(&m_client, &MqttClient::messageReceived, [this](const mqtt::Publish &publish) { received.append(publish); });
    }
    bool connect()
    {
        QSignalSpy subscribed(&m_client, &MqttClient::subscribed);
        m_client.connectToBroker();
        return subscribed.wait(TimeoutMs);
    }
    MqttClient &client() { return m_client; }
    QList<mqtt::Publish> received;

private:
    MqttClient m_client;
};

mqtt::Publish pushTo(const QString &topic, const QByteArray &payload, mqtt::QoS qos = mqtt::QoS::AtLeastOnce)
{
    mqtt::Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.properties.messageExpiryInterval = 60; // MQTT 5 only: the link drops it
    return publish;
}

/// The warnings of the link's logging category ("hermes.upstream"), as hermesd would print
/// them, while one is alive; every message still goes to the previous handler.
class UpstreamWarnings
{
public:
    UpstreamWarnings()
    {
        s_lines = &lines;
        s_previous = qInstallMessageHandler(&UpstreamWarnings::handle);
    }
    ~UpstreamWarnings()
    {
        qInstallMessageHandler(s_previous);
        s_lines = nullptr;
    }
    qsizetype count(const QString &text) const
    {
        return std::count_if(lines.cbegin(), lines.cend(), [&](const QString &line) { return line.contains(text); });
    }
    QStringList lines;

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        if (s_lines && type == QtWarningMsg && qstrcmp(context.category, "hermes.upstream") == 0)
            s_lines->append(message);
        if (s_previous)
            s_previous(type, context, message);
    }
    static inline QStringList *s_lines = nullptr;
    static inline QtMessageHandler s_previous = nullptr;
};

/// Retries as fast as the tests want to watch them.
UpstreamLink::Timing quickRetries()
{
    UpstreamLink::Timing timing;
    timing.firstDelay = 50ms;
    timing.maxDelay = 200ms;
    return timing;
}

} // namespace

class TestUpstreamLink : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void deliversAndHearsDevicesOnTheNodeInUse();
    void failsOverAndResendsWhatTheLostNodeHeld();
    void waitsWhileNoNodeAnswersWithinItsBound();
    void refusedLoginIsNamedAndRetried();
    void hermesdServesOperatorsWhileNoNodeAnswers();
    void deliversOverTlsWithTheRightCa();
    void untrustedCaIsNamedOnceAndARotatedOneIsPickedUp();
    void peerNameIsVerified();
    void expiredNodeCertificateIsNamed();
    void clientCertificateWhenTheNodeRequiresOne();
    void hermesdNamesATlsFailureAndKeepsServing();
    void aDeviceAwayAtThePushGetsItWhenItRegisters();

private:
    UpstreamSettings settings() const;
    /// Certificates made in initTestCase(): ca signs "server" (localhost, 127.0.0.1), "named"
    /// (rabbit.internal only), "expired" (yesterday) and "client"; other-ca signed nothing here.
    QString certificate(const QString &file) const { return m_certificates.filePath(file); }
    /// A mosquitto TLS listener on 127.0.0.1 presenting `server` (.pem/.key), with `extra` lines.
    std::unique_ptr<test::Mosquitto> startTlsNode(quint16 port, const QString &server, const QStringList &extra = {});
    /// Trusting `caFile` (a name in the certificates' directory, or an absolute path).
    ClientTlsSettings trusting(const QString &caFile) const;
    /// A link's settings for one TLS node on 127.0.0.1:port.
    UpstreamSettings tlsSettings(quint16 port, const ClientTlsSettings &tls) const;

    QTemporaryDir m_certificates;
    bool m_haveCertificates = false;

    std::unique_ptr<QTemporaryDir> m_dir;
    quint16 m_ports[2] = {0, 0};
    std::unique_ptr<test::Mosquitto> m_nodes[2];
};

void TestUpstreamLink::initTestCase()
{
    if (!test::TestCertificates::opensslInstalled())
        return; // the TLS tests skip, saying so
    test::TestCertificates certificates(m_certificates.path());
    QVERIFY(certificates.makeCa(QStringLiteral("ca"), QStringLiteral("Cluster Test CA")));
    QVERIFY(certificates.makeSigned(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                    QStringLiteral("DNS:localhost,IP:127.0.0.1")));
    QVERIFY(certificates.makeSigned(QStringLiteral("named"), QStringLiteral("ca"), QStringLiteral("rabbit.internal"),
                                    QStringLiteral("DNS:rabbit.internal")));
    QVERIFY(certificates.makeSigned(QStringLiteral("client"), QStringLiteral("ca"), QStringLiteral("hermesd-upstream")));
    QVERIFY(certificates.makeSigned(QStringLiteral("expired"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                    QStringLiteral("DNS:localhost,IP:127.0.0.1"), -1));
    QVERIFY(certificates.makeCa(QStringLiteral("other-ca"), QStringLiteral("Somebody Else")));
    m_haveCertificates = true;
}

void TestUpstreamLink::init()
{
    if (!test::Mosquitto::installed())
        HERMES_SKIP("mosquitto is not installed (scripts/setup.sh installs it)");
    m_dir = std::make_unique<QTemporaryDir>();
    for (int i = 0; i < 2; ++i) {
        m_ports[i] = test::freePort();
        m_nodes[i] = std::make_unique<test::Mosquitto>(*m_dir, m_ports[i], QStringList{QStringLiteral("allow_anonymous true")});
        QVERIFY(m_nodes[i]->start());
    }
}

void TestUpstreamLink::cleanup()
{
    for (auto &node : m_nodes)
        node.reset();
    m_dir.reset();
}

UpstreamSettings TestUpstreamLink::settings() const
{
    UpstreamSettings settings;
    settings.nodes = {UpstreamNode{QStringLiteral("127.0.0.1"), m_ports[0]}, UpstreamNode{QStringLiteral("localhost"), m_ports[1]}};
    settings.clientId = QStringLiteral("link-under-test");
    return settings;
}

std::unique_ptr<test::Mosquitto> TestUpstreamLink::startTlsNode(quint16 port, const QString &server, const QStringList &extra)
{
    auto node = std::make_unique<test::Mosquitto>(*m_dir, port,
                                                  QStringList{QStringLiteral("certfile ") + certificate(server + QStringLiteral(".pem")),
                                                              QStringLiteral("keyfile ") + certificate(server + QStringLiteral(".key")),
                                                              QStringLiteral("allow_anonymous true")}
                                                      + extra);
    if (!node->start())
        return nullptr;
    return node;
}

ClientTlsSettings TestUpstreamLink::trusting(const QString &caFile) const
{
    ClientTlsSettings tls;
    tls.caFile = caFile.startsWith(QLatin1Char('/')) ? caFile : certificate(caFile);
    return tls;
}

UpstreamSettings TestUpstreamLink::tlsSettings(quint16 port, const ClientTlsSettings &tls) const
{
    UpstreamSettings settings;
    settings.nodes = {UpstreamNode{QStringLiteral("127.0.0.1"), port}};
    settings.clientId = QStringLiteral("tls-link");
    settings.tls = true;
    settings.tlsFiles = tls;
    return settings;
}

void TestUpstreamLink::deliversAndHearsDevicesOnTheNodeInUse()
{
    NodeListener device(m_ports[0], QStringLiteral("devices/d1/push"));
    QVERIFY(device.connect());
    UpstreamLink link(settings());
    link.listen(QStringLiteral("devices/+/receipt"));
    QSignalSpy delivery(&link, &PushTransport::delivery);
    QSignalSpy inbound(&link, &PushTransport::inbound);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QCOMPARE(link.route(), QStringLiteral("upstream 127.0.0.1:%1").arg(m_ports[0]));
    QCOMPARE(link.maximumQoS(), mqtt::QoS::AtLeastOnce);
    QVERIFY(!link.expiresQueuedMessages());

    // Always taken (the cluster's queues decide), queued at once, sent on the node's PUBACK.
    QVERIFY(link.deliverTraced(pushTo(QStringLiteral("devices/d1/push"), "one", mqtt::QoS::ExactlyOnce), QStringLiteral("d1"), 7));
    QCOMPARE(delivery.size(), 1);
    QCOMPARE(delivery.at(0).at(1).value<DeliveryStage>(), DeliveryStage::Queued);
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 2, TimeoutMs);
    QCOMPARE(delivery.at(1).at(0).toULongLong(), 7u);
    QCOMPARE(delivery.at(1).at(1).value<DeliveryStage>(), DeliveryStage::Sent);
    QTRY_COMPARE_WITH_TIMEOUT(device.received.size(), 1, TimeoutMs);
    QCOMPARE(device.received.at(0).payload, QByteArray("one"));
    QCOMPARE(device.received.at(0).qos, mqtt::QoS::AtLeastOnce); // QoS 2 capped at 1

    // What a device publishes on a listened-to filter comes back, publisher unknown; other
    // topics do not.
    device.client().publish(QStringLiteral("devices/d1/state"), "ignored", mqtt::QoS::AtLeastOnce);
    device.client().publish(QStringLiteral("devices/d1/receipt"), "receipt", mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE_WITH_TIMEOUT(inbound.size(), 1, TimeoutMs);
    QVERIFY(!inbound.at(0).at(0).value<std::optional<ClientIdentity>>().has_value());
    QCOMPARE(inbound.at(0).at(1).value<mqtt::Publish>().payload, QByteArray("receipt"));
    QCOMPARE(link.failovers(), 0u);
}

void TestUpstreamLink::failsOverAndResendsWhatTheLostNodeHeld()
{
    NodeListener onSecond(m_ports[1], QStringLiteral("devices/d2/push"));
    QVERIFY(onSecond.connect());
    UpstreamLink link(settings());
    link.listen(QStringLiteral("devices/+/receipt"));
    QSignalSpy delivery(&link, &PushTransport::delivery);
    QSignalSpy lost(&link, &UpstreamLink::nodeLost);
    QSignalSpy connected(&link, &UpstreamLink::connectedTo);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);

    // The node dies with the link's messages handed over and not yet acknowledged: they go to
    // the next node (same bytes: a device drops a copy by its sequence number).
    m_nodes[0]->stop();
    for (quint64 trace = 1; trace <= 3; ++trace)
        QVERIFY(link.deliverTraced(pushTo(QStringLiteral("devices/d2/push"), QByteArray::number(trace)), QStringLiteral("d2"), trace));
    // Written in the same turn as the node died, the loss may go unseen by the socket: the
    // keep-alive (5 s, then 5 s for the PINGRESP) finds it then.
    QTRY_COMPARE_WITH_TIMEOUT(lost.size(), 1, 2 * TimeoutMs);
    QCOMPARE(lost.at(0).at(0).toString(), QStringLiteral("127.0.0.1:%1").arg(m_ports[0]));
    QCOMPARE(lost.at(0).at(2).toString(), QStringLiteral("localhost:%1").arg(m_ports[1]));
    QVERIFY(lost.at(0).at(3).toLongLong() <= 400); // the first retry: 200-400 ms
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QCOMPARE(link.route(), QStringLiteral("upstream localhost:%1").arg(m_ports[1]));
    QCOMPARE(link.failovers(), 1u);
    QCOMPARE(connected.size(), 2);

    QTRY_COMPARE_WITH_TIMEOUT(onSecond.received.size(), 3, TimeoutMs);
    for (qsizetype i = 0; i < 3; ++i)
        QCOMPARE(onSecond.received.at(i).payload, QByteArray::number(i + 1));
    QSet<quint64> sent;
    QTRY_VERIFY_WITH_TIMEOUT((sent = [&] {
        QSet<quint64> traces;
        for (const QList<QVariant> &event : std::as_const(delivery)) {
            if (event.at(1).value<DeliveryStage>() == DeliveryStage::Sent)
                traces.insert(event.at(0).toULongLong());
        }
        return traces;
    }()).size() == 3, TimeoutMs);
}

void TestUpstreamLink::waitsWhileNoNodeAnswersWithinItsBound()
{
    for (auto &node : m_nodes)
        node->stop();
    UpstreamLink::Timing timing;
    timing.maxBacklog = 2;
    timing.maxDelay = 1s;
    UpstreamLink link(settings(), timing);
    QSignalSpy delivery(&link, &PushTransport::delivery);
    QSignalSpy lost(&link, &UpstreamLink::nodeLost);
    link.start();
    // Unreachable: it says which node, and keeps going round the list.
    QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 3, TimeoutMs);
    QVERIFY(!lost.at(0).at(1).toString().isEmpty());
    QCOMPARE(lost.at(1).at(0).toString(), QStringLiteral("localhost:%1").arg(m_ports[1]));
    QCOMPARE(lost.at(2).at(0).toString(), QStringLiteral("127.0.0.1:%1").arg(m_ports[0]));

    link.deliverTraced(pushTo(QStringLiteral("devices/d3/push"), "a"), QStringLiteral("d3"), 1);
    link.deliverTraced(pushTo(QStringLiteral("devices/d3/push"), "b"), QStringLiteral("d3"), 2);
    link.deliverTraced(pushTo(QStringLiteral("devices/d3/push"), "c"), QStringLiteral("d3"), 3);
    QCOMPARE(link.backlog(), 2);
    const QList<QVariant> refused = delivery.constLast();
    QCOMPARE(refused.at(0).toULongLong(), 3u);
    QCOMPARE(refused.at(1).value<DeliveryStage>(), DeliveryStage::Failed);
    QVERIFY2(refused.at(2).toString().contains(QLatin1String("already wait")), qPrintable(refused.at(2).toString()));

    // A node comes back: what waited goes out there, acknowledged by it. (Whether a device
    // there got it depends on its subscribing before the link's next attempt: not asserted.)
    QVERIFY(m_nodes[1]->start());
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 6, TimeoutMs); // 3 queued, 1 failed, 2 sent
    QCOMPARE(delivery.at(4).at(0).toULongLong(), 1u);
    QCOMPARE(delivery.at(4).at(1).value<DeliveryStage>(), DeliveryStage::Sent);
    QCOMPARE(delivery.at(5).at(0).toULongLong(), 2u);
    QCOMPARE(delivery.at(5).at(1).value<DeliveryStage>(), DeliveryStage::Sent);
    QCOMPARE(link.backlog(), 0);
}

void TestUpstreamLink::refusedLoginIsNamedAndRetried()
{
    // A node that refuses the account: each attempt says so, and the link keeps trying.
    const quint16 port = test::freePort();
    test::Mosquitto strict(*m_dir, port, {QStringLiteral("allow_anonymous false")});
    QVERIFY(strict.start());
    UpstreamSettings settings;
    settings.nodes = {UpstreamNode{QStringLiteral("127.0.0.1"), port}};
    settings.userName = QStringLiteral("hermes");
    settings.password = "wrong";
    UpstreamLink::Timing timing;
    timing.maxDelay = 500ms;
    UpstreamLink link(settings, timing);
    QSignalSpy lost(&link, &UpstreamLink::nodeLost);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 2, TimeoutMs);
    const QString why = lost.at(0).at(1).toString();
    QVERIFY2(why.contains(QLatin1String("refused"), Qt::CaseInsensitive) || why.contains(QLatin1String("authori"), Qt::CaseInsensitive),
             qPrintable(why));
    QCOMPARE(lost.at(1).at(0).toString(), QStringLiteral("127.0.0.1:%1").arg(port));
    QVERIFY(!link.isConnected());
}

void TestUpstreamLink::hermesdServesOperatorsWhileNoNodeAnswers()
{
    // hermesd whose only node is down: it starts, says which node it cannot reach, keeps
    // answering the admin API, and accepts pushes that wait for a node.
    m_nodes[0]->stop();
    test::HermesdProcess hermesd;
    hermesd.setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1").arg(m_ports[0]));
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    QTRY_VERIFY_WITH_TIMEOUT(hermesd.standardError().contains(QStringLiteral("127.0.0.1:%1: Connection refused; trying 127.0.0.1:%1")
                                                                  .arg(m_ports[0]).toUtf8()),
                             TimeoutMs);
    test::AdminCaller admin(hermesd.localSocket());
    QVERIFY(admin.connect());
    const QJsonObject status = admin.call(QStringLiteral("upstream/status"), {});
    QCOMPARE(status.value(QLatin1String("connected")).toBool(true), false);
    QCOMPARE(status.value(QLatin1String("node")).toString(), QStringLiteral("127.0.0.1:%1").arg(m_ports[0]));
    QVERIFY(!admin.call(QStringLiteral("devices/update"), {{QStringLiteral("id"), QStringLiteral("d9")}}).isEmpty());
    const QJsonObject sent = admin.call(QStringLiteral("push/send"), {{QStringLiteral("target"), QJsonObject{{QStringLiteral("devices"), QJsonArray{QStringLiteral("d9")}}}},
                                                                      {QStringLiteral("payload"), QStringLiteral("later")},
                                                                      {QStringLiteral("pushId"), QStringLiteral("waits")}});
    QCOMPARE(sent.value(QLatin1String("audience")).toInt(), 1);
    const QJsonObject report = admin.call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), QStringLiteral("waits")}});
    QCOMPARE(report.value(QLatin1String("counts")).toObject().value(QLatin1String("queued")).toInt(), 1);
    QCOMPARE(admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("waiting")).toInt(), 1);

    // The node comes back: the push goes out there, and the node acknowledges it.
    QVERIFY(m_nodes[0]->start());
    QTRY_COMPARE_WITH_TIMEOUT(admin.call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), QStringLiteral("waits")}})
                                  .value(QLatin1String("counts")).toObject().value(QLatin1String("sent")).toInt(),
                              1, 2 * TimeoutMs);
    QCOMPARE(admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("waiting")).toInt(), 0);
}

void TestUpstreamLink::deliversOverTlsWithTheRightCa()
{
    if (!m_haveCertificates)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    const quint16 port = test::freePort();
    const auto node = startTlsNode(port, QStringLiteral("server"));
    QVERIFY(node);
    NodeListener device(port, QStringLiteral("devices/t1/push"), trusting(QStringLiteral("ca.pem")));
    QVERIFY(device.connect());

    UpstreamLink link(tlsSettings(port, trusting(QStringLiteral("ca.pem"))));
    link.listen(QStringLiteral("devices/+/receipt"));
    QSignalSpy delivery(&link, &PushTransport::delivery);
    QSignalSpy inbound(&link, &PushTransport::inbound);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QVERIFY(link.deliverTraced(pushTo(QStringLiteral("devices/t1/push"), "over tls"), QStringLiteral("t1"), 11));
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 2, TimeoutMs);
    QCOMPARE(delivery.at(1).at(1).value<DeliveryStage>(), DeliveryStage::Sent);
    QTRY_COMPARE_WITH_TIMEOUT(device.received.size(), 1, TimeoutMs);
    QCOMPARE(device.received.at(0).payload, QByteArray("over tls"));
    device.client().publish(QStringLiteral("devices/t1/receipt"), "receipt", mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE_WITH_TIMEOUT(inbound.size(), 1, TimeoutMs);

    const QJsonObject status = link.status();
    QCOMPARE(status.value(QLatin1String("tls")).toBool(), true);
    QCOMPARE(status.value(QLatin1String("connected")).toBool(), true);
    QCOMPARE(status.value(QLatin1String("lastError")).toString(), QString());
}

void TestUpstreamLink::untrustedCaIsNamedOnceAndARotatedOneIsPickedUp()
{
    if (!m_haveCertificates)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    const quint16 port = test::freePort();
    const auto node = startTlsNode(port, QStringLiteral("server"));
    QVERIFY(node);
    NodeListener device(port, QStringLiteral("devices/t2/push"), trusting(QStringLiteral("ca.pem")));
    QVERIFY(device.connect());

    // The link trusts a CA file that holds the wrong CA; an operator will replace it in place.
    const QString caFile = m_dir->filePath(QStringLiteral("rotating-ca.pem"));
    QVERIFY(QFile::copy(certificate(QStringLiteral("other-ca.pem")), caFile));
    UpstreamWarnings warnings;
    UpstreamLink link(tlsSettings(port, trusting(caFile)), quickRetries());
    QSignalSpy delivery(&link, &PushTransport::delivery);
    QSignalSpy lost(&link, &UpstreamLink::nodeLost);
    link.start();
    QVERIFY(link.deliverTraced(pushTo(QStringLiteral("devices/t2/push"), "after rotation"), QStringLiteral("t2"), 21));

    // Retried with back-off, each time for the same reason, which names the node and the file.
    QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 4, TimeoutMs);
    const QString why = lost.at(0).at(1).toString();
    const QString untrusted = QStringLiteral("TLS handshake failed: the broker's certificate is not trusted by CA file %1").arg(caFile);
    QVERIFY2(why.startsWith(untrusted), qPrintable(why));
    for (const QList<QVariant> &attempt : std::as_const(lost)) {
        QCOMPARE(attempt.at(0).toString(), QStringLiteral("127.0.0.1:%1").arg(port));
        QCOMPARE(attempt.at(1).toString(), why);
    }
    // Logged once, as one sentence naming the node, not at every retry.
    QCOMPARE(warnings.count(untrusted), 1);
    QVERIFY2(warnings.lines.constFirst().startsWith(QStringLiteral("127.0.0.1:%1: %2").arg(port).arg(untrusted)),
             qPrintable(warnings.lines.constFirst()));
    const QJsonObject status = link.status();
    QCOMPARE(status.value(QLatin1String("connected")).toBool(true), false);
    QCOMPARE(status.value(QLatin1String("tls")).toBool(), true);
    QCOMPARE(status.value(QLatin1String("lastError")).toString(), why);
    QVERIFY(status.value(QLatin1String("lastErrorAtMs")).toDouble() > 0);
    // Nothing reached the node: the push waits in the link, queued and not sent.
    QCOMPARE(delivery.size(), 1);
    QCOMPARE(delivery.at(0).at(1).value<DeliveryStage>(), DeliveryStage::Queued);
    QCOMPARE(link.backlog(), 1);
    QVERIFY(device.received.isEmpty());

    // The CA file is replaced with the right CA: the next retry reads it and delivers.
    QVERIFY(QFile::remove(caFile));
    QVERIFY(QFile::copy(certificate(QStringLiteral("ca.pem")), caFile));
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(delivery.size(), 2, TimeoutMs);
    QCOMPARE(delivery.at(1).at(1).value<DeliveryStage>(), DeliveryStage::Sent);
    QTRY_COMPARE_WITH_TIMEOUT(device.received.size(), 1, TimeoutMs);
    QCOMPARE(device.received.at(0).payload, QByteArray("after rotation"));
}

void TestUpstreamLink::peerNameIsVerified()
{
    if (!m_haveCertificates)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    // The node's certificate names rabbit.internal only; hermesd reaches it by address.
    const quint16 port = test::freePort();
    const auto node = startTlsNode(port, QStringLiteral("named"));
    QVERIFY(node);
    {
        UpstreamLink link(tlsSettings(port, trusting(QStringLiteral("ca.pem"))), quickRetries());
        QSignalSpy lost(&link, &UpstreamLink::nodeLost);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 2, TimeoutMs);
        const QString why = lost.at(0).at(1).toString();
        QCOMPARE(why, QStringLiteral("TLS handshake failed: the broker's certificate does not name 127.0.0.1 (it names rabbit.internal)"));
        QCOMPARE(lost.at(1).at(1).toString(), why);
        QVERIFY(!link.isConnected());
        QCOMPARE(link.status().value(QLatin1String("lastError")).toString(), why);
    }
    // upstream_tls_name: the name to verify, whatever the address.
    ClientTlsSettings named = trusting(QStringLiteral("ca.pem"));
    named.peerName = QStringLiteral("rabbit.internal");
    NodeListener device(port, QStringLiteral("devices/t3/push"), named);
    QVERIFY(device.connect());
    UpstreamLink link(tlsSettings(port, named), quickRetries());
    QSignalSpy delivery(&link, &PushTransport::delivery);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QVERIFY(link.deliverTraced(pushTo(QStringLiteral("devices/t3/push"), "named"), QStringLiteral("t3"), 31));
    QTRY_COMPARE_WITH_TIMEOUT(device.received.size(), 1, TimeoutMs);
    QCOMPARE(delivery.constLast().at(1).value<DeliveryStage>(), DeliveryStage::Sent);
}

void TestUpstreamLink::expiredNodeCertificateIsNamed()
{
    if (!m_haveCertificates)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    const quint16 port = test::freePort();
    const auto node = startTlsNode(port, QStringLiteral("expired"));
    QVERIFY(node);
    UpstreamLink link(tlsSettings(port, trusting(QStringLiteral("ca.pem"))), quickRetries());
    QSignalSpy lost(&link, &UpstreamLink::nodeLost);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 2, TimeoutMs);
    const QString why = lost.at(0).at(1).toString();
    QVERIFY2(why.startsWith(QLatin1String("TLS handshake failed: the broker's certificate expired on ")), qPrintable(why));
    QCOMPARE(lost.at(1).at(1).toString(), why);
    QVERIFY(!link.isConnected());
}

void TestUpstreamLink::clientCertificateWhenTheNodeRequiresOne()
{
    if (!m_haveCertificates)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    const quint16 port = test::freePort();
    const auto node = startTlsNode(port, QStringLiteral("server"),
                                   {QStringLiteral("cafile ") + certificate(QStringLiteral("ca.pem")),
                                    QStringLiteral("require_certificate true")});
    QVERIFY(node);
    {
        UpstreamLink link(tlsSettings(port, trusting(QStringLiteral("ca.pem"))), quickRetries());
        QSignalSpy lost(&link, &UpstreamLink::nodeLost);
        link.start();
        QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 2, TimeoutMs);
        const QString why = lost.at(0).at(1).toString();
        QCOMPARE(why, QStringLiteral("TLS handshake failed: the broker requires a client certificate"));
        QCOMPARE(link.status().value(QLatin1String("lastError")).toString(), why);
        QVERIFY(!link.isConnected());
    }
    ClientTlsSettings withCertificate = trusting(QStringLiteral("ca.pem"));
    withCertificate.certificateFile = certificate(QStringLiteral("client.pem"));
    withCertificate.keyFile = certificate(QStringLiteral("client.key"));
    NodeListener device(port, QStringLiteral("devices/t4/push"), withCertificate);
    QVERIFY(device.connect());
    UpstreamLink link(tlsSettings(port, withCertificate), quickRetries());
    QSignalSpy delivery(&link, &PushTransport::delivery);
    link.start();
    QTRY_VERIFY_WITH_TIMEOUT(link.isListening(), TimeoutMs);
    QVERIFY(link.deliverTraced(pushTo(QStringLiteral("devices/t4/push"), "certified"), QStringLiteral("t4"), 41));
    QTRY_COMPARE_WITH_TIMEOUT(device.received.size(), 1, TimeoutMs);
    QCOMPARE(delivery.constLast().at(1).value<DeliveryStage>(), DeliveryStage::Sent);
}

void TestUpstreamLink::hermesdNamesATlsFailureAndKeepsServing()
{
    if (!m_haveCertificates)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    const quint16 port = test::freePort();
    const auto node = startTlsNode(port, QStringLiteral("server"));
    QVERIFY(node);
    test::HermesdProcess hermesd;
    hermesd.setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1\nupstream_tls on\nupstream_tls_ca %2\n")
                               .arg(port)
                               .arg(certificate(QStringLiteral("other-ca.pem"))));
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    const QString untrusted = QStringLiteral("127.0.0.1:%1: TLS handshake failed: the broker's certificate is not trusted by "
                                             "CA file %2")
                                  .arg(port)
                                  .arg(certificate(QStringLiteral("other-ca.pem")));
    QTRY_VERIFY_WITH_TIMEOUT(hermesd.standardError().contains(untrusted.toUtf8()), TimeoutMs);

    // The admin API answers throughout, and says what is wrong.
    test::AdminCaller admin(hermesd.localSocket());
    QVERIFY(admin.connect());
    QJsonObject status = admin.call(QStringLiteral("upstream/status"), {});
    QCOMPARE(status.value(QLatin1String("connected")).toBool(true), false);
    QCOMPARE(status.value(QLatin1String("tls")).toBool(), true);
    QVERIFY2(status.value(QLatin1String("lastError")).toString().startsWith(QLatin1String("TLS handshake failed: the broker's "
                                                                                        "certificate is not trusted")),
             qPrintable(status.value(QLatin1String("lastError")).toString()));
    // Two more failures later (each moves lastErrorAtMs), the log still holds the one line.
    for (int retry = 0; retry < 2; ++retry) {
        const double before = status.value(QLatin1String("lastErrorAtMs")).toDouble();
        QTRY_VERIFY_WITH_TIMEOUT((status = admin.call(QStringLiteral("upstream/status"), {}))
                                         .value(QLatin1String("lastErrorAtMs")).toDouble() > before,
                                 TimeoutMs);
    }
    QCOMPARE(hermesd.standardError().count(untrusted.toUtf8()), 1);
    QCOMPARE(hermesd.standardError().count("TLS handshake failed"), 1);
}

/*
 * A cluster takes a push for a device whose clean session is gone (its node died, it has not
 * subscribed again yet) and says nothing: the copy is lost. The device registers when it is
 * back, and hermesd sends what it has not receipted again, with the same sequence number.
 */
void TestUpstreamLink::aDeviceAwayAtThePushGetsItWhenItRegisters()
{
    test::HermesdProcess hermesd;
    hermesd.setExtraConfig(QStringLiteral("upstream 127.0.0.1:%1").arg(m_ports[0]));
    QVERIFY2(hermesd.start(), qPrintable(hermesd.error()));
    test::AdminCaller admin(hermesd.localSocket());
    QVERIFY(admin.connect());
    QTRY_VERIFY_WITH_TIMEOUT(admin.call(QStringLiteral("upstream/status"), {}).value(QLatin1String("listening")).toBool(),
                             TimeoutMs);
    QVERIFY(!admin.call(QStringLiteral("devices/update"), {{QStringLiteral("id"), QStringLiteral("d7")}}).isEmpty());
    const QJsonObject arguments{{QStringLiteral("target"), QJsonObject{{QStringLiteral("devices"), QJsonArray{QStringLiteral("d7")}}}},
                                {QStringLiteral("payload"), QStringLiteral("while away")},
                                {QStringLiteral("ttlSeconds"), 60},
                                {QStringLiteral("pushId"), QStringLiteral("missed")}};
    QCOMPARE(admin.call(QStringLiteral("push/send"), arguments).value(QLatin1String("audience")).toInt(), 1);
    const auto target = [&admin] {
        return admin.call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), QStringLiteral("missed")}})
            .value(QLatin1String("targets")).toArray().at(0).toObject();
    };
    // The node took it; nobody was subscribed.
    QTRY_COMPARE_WITH_TIMEOUT(target().value(QLatin1String("state")).toString(), QStringLiteral("sent"), TimeoutMs);

    NodeListener device(m_ports[0], QStringLiteral("devices/d7/push"));
    QVERIFY(device.connect());
    QVERIFY(device.received.isEmpty());
    device.client().publish(QStringLiteral("devices/d7/register"), QByteArrayLiteral(R"({"tags":["back"]})"),
                            mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE_WITH_TIMEOUT(device.received.size(), 1, TimeoutMs);
    const push::EnvelopeResult envelope = push::PushEnvelope::fromBytes(device.received.first().payload);
    const auto *decoded = std::get_if<push::PushEnvelope>(&envelope);
    QVERIFY(decoded);
    QCOMPARE(decoded->pushId, QStringLiteral("missed"));
    QCOMPARE(decoded->sequence, quint64(1));
    QCOMPARE(decoded->payload, QByteArray("while away"));
    QTRY_COMPARE_WITH_TIMEOUT(target().value(QLatin1String("sendCount")).toInt(), 2, TimeoutMs);
    QCOMPARE(target().value(QLatin1String("detail")).toString(),
             QStringLiteral("sent again: the device registered after reconnecting"));
}

HERMES_TEST_GUILESS_MAIN(TestUpstreamLink)
#include "tst_upstreamlink.moc"
