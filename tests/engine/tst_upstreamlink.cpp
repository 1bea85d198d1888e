// UpstreamLink against two real mosquitto brokers standing in for cluster nodes: delivery and
// its stages, what devices publish coming back, fail-over when a node dies (with what was in
// flight or waiting sent to the next one), the QoS cap and the bounded backlog. Each mosquitto is
// its own island, so a subscriber on a node sees only what the link published there: that is
// how the test knows which node carried a message. (tst_upstream runs the real cluster.)
#include "engine/upstream/upstreamlink.h"

#include "../common/admincaller.h"
#include "../common/hermesdprocess.h"
#include "../common/mosquitto.h"
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
    NodeListener(quint16 port, const QString &topic)
    {
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

} // namespace

class TestUpstreamLink : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void deliversAndHearsDevicesOnTheNodeInUse();
    void failsOverAndResendsWhatTheLostNodeHeld();
    void waitsWhileNoNodeAnswersWithinItsBound();
    void refusedLoginIsNamedAndRetried();
    void hermesdServesOperatorsWhileNoNodeAnswers();

private:
    UpstreamSettings settings() const;

    std::unique_ptr<QTemporaryDir> m_dir;
    quint16 m_ports[2] = {0, 0};
    std::unique_ptr<test::Mosquitto> m_nodes[2];
};

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

HERMES_TEST_GUILESS_MAIN(TestUpstreamLink)
#include "tst_upstreamlink.moc"
