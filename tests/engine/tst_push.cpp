// The push service end to end over loopback: a real broker, real device clients (Hermes's
// own MqttClient answering receipts, and mosquitto_sub), real timers with shortened times.
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/mqttclient.h"
#include "engine/push/adminapi.h"
#include "engine/push/reportdeltas.h"

#include "../common/mqttlogin.h"

#include "push/sequence.h"
#include "push/signer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;
using namespace std::chrono_literals;

namespace {

const QByteArray SigningKey = QByteArray(32, 'k');

/// A device app: listens on devices/{id}/push, verifies, numbers and answers receipts.
class TestDevice : public QObject
{
public:
    TestDevice(const QString &id, quint16 port, bool persistent = false)
        : client(this)
    {
        client.setClientId(id);
        client.setPort(port);
        client.setProtocolVersion(mqtt::ProtocolVersion::V5);
        if (persistent) {
            client.setCleanStart(false);
            mqtt::Properties properties;
            properties.sessionExpiryInterval = 600;
            client.setConnectProperties(properties);
        }
        verifier.addKey(QStringLiteral("k1"), SigningKey);
        connect(&client, &MqttClient::messageReceived, this, [this, id](const mqtt::Publish &publish) {
            const auto parsed = push::PushEnvelope::fromBytes(publish.payload);
            if (!std::holds_alternative<push::PushEnvelope>(parsed)) {
                raw.append(publish.payload);
                return;
            }
            const auto envelope = std::get<push::PushEnvelope>(parsed);
            envelopes.append(envelope);
            if (!answerReceipts)
                return;
            push::PushReceipt receipt;
            receipt.pushId = envelope.pushId;
            receipt.sequence = envelope.sequence;
            receipt.receivedAt = QDateTime::currentDateTimeUtc();
            const push::VerifyResult verified = verifier.verify(envelope, QDateTime::currentDateTimeUtc());
            if (requireSignature && verified != push::VerifyResult::Verified) {
                receipt.status = verified == push::VerifyResult::Expired ? push::ReceiptStatus::Expired
                                                                         : push::ReceiptStatus::RejectedSignature;
            } else {
                const push::AcceptResult accepted = tracker.accept(envelope.sequence);
                receipt.missing = accepted.missing;
                receipt.status = accepted.outcome == push::SequenceOutcome::New   ? push::ReceiptStatus::Delivered
                    : accepted.outcome == push::SequenceOutcome::Gap             ? push::ReceiptStatus::Gap
                    : accepted.outcome == push::SequenceOutcome::Duplicate       ? push::ReceiptStatus::Duplicate
                                                                                 : push::ReceiptStatus::Stale;
            }
            client.publish(QStringLiteral("devices/%1/receipt").arg(id), receipt.toBytes(), mqtt::QoS::AtLeastOnce);
        });
        connect(&client, &MqttClient::connected, this, [this, id] {
            client.subscribe(QStringLiteral("devices/%1/push").arg(id), mqtt::QoS::AtLeastOnce);
        });
        connect(&client, &MqttClient::subscribed, this, [this] { ++subscriptions; });
    }

    /// Connects and waits for the SUBACK of its push topic.
    bool connectAndSubscribe()
    {
        const int before = subscriptions;
        client.connectToBroker();
        return QTest::qWaitFor([&] { return subscriptions > before; }, 5000);
    }

    MqttClient client;
    push::Verifier verifier;
    push::SequenceTracker tracker;
    QList<push::PushEnvelope> envelopes;
    QList<QByteArray> raw;
    int subscriptions = 0;
    bool answerReceipts = true;
    bool requireSignature = false;
};

PushRequest textPush(PushTarget target, const QString &text, const QString &pushId = {})
{
    PushRequest request;
    request.target = std::move(target);
    request.payload = text.toUtf8();
    request.pushId = pushId;
    return request;
}

} // namespace

class TestPush : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void pushToOneDeviceIsReceiptedAndNumbered();
    void unknownDeviceIsAnErrorBeforeSending();
    void aliasAndTagExpressionsChooseTheAudience();
    void devicesDescribeThemselves();
    void topicAndBroadcastTargets();
    void topicPushReachesMosquittoSub();
    void offlineDeviceReceivesWithinTtlNotAfter();
    void persistentSessionQueuesUntilTheDeviceReturns();
    void signedEnvelopesVerifyAndTamperedOnesFail();
    void rateLimitPacesDeliveries();
    void scheduledPushGoesOutOnTime();
    void sequencesSurviveARestart();
    void duplicatesAndGapsReportedByDevicesAreCounted();
    void adminApiAnswersOperatorsOnly();
    void adminApiRefusesDevices();
    void configuredTopicsAndSigningKey();
    void keyRotationKeepsQueuedPushesVerifiable();
    void accountsManagedThroughTheApi();
    void reportStreamCarriesOnlyChangedTargets();

private:
    void startBroker(PushConfig config = {}, Role anonymousRole = Role::Operator);
    quint16 port() const { return m_broker->listenAddresses().constFirst().port; }
    PushReport sendOk(const PushRequest &request);
    /// One admin API call as an (anonymous, loopback) operator; the whole answer object.
    QJsonObject adminCall(const QString &method, const QJsonObject &arguments);
    /// Connects with credentials; the CONNACK's reason code.
    mqtt::ReasonCode login(const QString &user, const QByteArray &password);
    std::optional<PushReport> report(const QString &pushId) const { return m_push->report(pushId); }

    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<Broker> m_broker;
    PushService *m_push = nullptr;
};

void TestPush::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
    PushConfig config;
    config.signingKeyId = QStringLiteral("k1");
    config.signingKey = SigningKey;
    startBroker(config);
}

void TestPush::cleanup()
{
    m_push = nullptr;
    m_broker.reset();
}

void TestPush::startBroker(PushConfig config, Role anonymousRole)
{
    m_push = nullptr;
    m_broker.reset();
    BrokerConfig brokerConfig;
    brokerConfig.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    brokerConfig.persistence = true;
    brokerConfig.dataDir = m_dataDir->path();
    brokerConfig.anonymousRole = anonymousRole;
    m_broker = std::make_unique<Broker>(brokerConfig);
    QVERIFY2(m_broker->start(), qPrintable(m_broker->errorString()));
    m_push = &installPushServices(*m_broker, std::move(config));
}

PushReport TestPush::sendOk(const PushRequest &request)
{
    const auto result = m_push->send(request);
    if (const auto *error = std::get_if<PushError>(&result))
        qFatal("push refused: %s: %s", qPrintable(error->code), qPrintable(error->message));
    return std::get<PushReport>(result);
}

QJsonObject TestPush::adminCall(const QString &method, const QJsonObject &arguments)
{
    MqttClient client;
    client.setPort(port());
    client.setClientId(QStringLiteral("admin-caller"));
    client.setProtocolVersion(mqtt::ProtocolVersion::V5);
    std::optional<QJsonObject> answer;
    connect(&client, &MqttClient::messageReceived, this,
            [&](const mqtt::Publish &publish) { answer = QJsonDocument::fromJson(publish.payload).object(); });
    connect(&client, &MqttClient::connected, this,
            [&] { client.subscribe(QStringLiteral("$hermes/admin/v1/replies/admin-caller"), mqtt::QoS::AtLeastOnce); });
    connect(&client, &MqttClient::subscribed, this, [&] {
        mqtt::Properties properties;
        properties.responseTopic = QStringLiteral("$hermes/admin/v1/replies/admin-caller");
        properties.correlationData = QByteArray("1");
        client.publish(QStringLiteral("$hermes/admin/v1/") + method, QJsonDocument(arguments).toJson(), mqtt::QoS::AtLeastOnce,
                       false, properties);
    });
    client.connectToBroker();
    if (!QTest::qWaitFor([&] { return answer.has_value(); }, 10000))
        return {};
    client.disconnectFromBroker();
    return *answer;
}

mqtt::ReasonCode TestPush::login(const QString &user, const QByteArray &password)
{
    return test::loginResult(port(), user, password);
}

void TestPush::pushToOneDeviceIsReceiptedAndNumbered()
{
    TestDevice device(QStringLiteral("d1"), port());
    QVERIFY(device.connectAndSubscribe());
    QVERIFY(m_push->devices().find(QStringLiteral("d1")));

    const PushReport accepted = sendOk(textPush(PushTarget::toDevices({QStringLiteral("d1")}), QStringLiteral("hello"), QStringLiteral("p1")));
    QCOMPARE(accepted.targets.size(), 1);
    QTRY_COMPARE(report(QStringLiteral("p1"))->targets.constFirst().state, TargetState::Receipted);
    const PushReport done = *report(QStringLiteral("p1"));
    const TargetReport &target = done.targets.constFirst();
    QCOMPARE(target.sequence, 1u);
    QCOMPARE(target.receiptStatus, QStringLiteral("delivered"));
    // Every stage has its time, in order.
    QVERIFY(target.queuedAtMs > 0);
    QVERIFY(target.sentAtMs >= target.queuedAtMs);
    QVERIFY(target.acknowledgedAtMs >= target.sentAtMs);
    // The device may answer before its PUBACK leaves (it handles the message first).
    QVERIFY(target.receiptedAtMs >= target.sentAtMs);
    QVERIFY(done.isSettled());
    QCOMPARE(done.counts().receipted, 1);
    QCOMPARE(done.latenciesMs().size(), 1);

    QCOMPARE(device.envelopes.size(), 1);
    const push::PushEnvelope &envelope = device.envelopes.constFirst();
    QCOMPARE(envelope.payload, QByteArray("hello"));
    QCOMPARE(envelope.deviceId, QStringLiteral("d1"));
    QCOMPARE(envelope.pushId, QStringLiteral("p1"));
    QCOMPARE(envelope.contentType, QStringLiteral("text/plain"));

    // The next push to the same device carries the next number.
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("d1")}), QStringLiteral("again"), QStringLiteral("p2")));
    QTRY_COMPARE(report(QStringLiteral("p2"))->targets.constFirst().state, TargetState::Receipted);
    QCOMPARE(report(QStringLiteral("p2"))->targets.constFirst().sequence, 2u);
    QCOMPARE(m_push->nextSequence(QStringLiteral("d1")), 3u);

    // A raw push carries the bytes as they are, unnumbered.
    PushRequest raw = textPush(PushTarget::toDevices({QStringLiteral("d1")}), QStringLiteral("{\"raw\":1}"), QStringLiteral("p3"));
    raw.envelope = false;
    sendOk(raw);
    QTRY_COMPARE(device.raw.size(), 1);
    QCOMPARE(device.raw.constFirst(), QByteArray("{\"raw\":1}"));
    QTRY_COMPARE(report(QStringLiteral("p3"))->targets.constFirst().state, TargetState::Acknowledged);
    QCOMPARE(report(QStringLiteral("p3"))->targets.constFirst().sequence, 0u);
}

void TestPush::unknownDeviceIsAnErrorBeforeSending()
{
    const auto result = m_push->send(textPush(PushTarget::toDevices({QStringLiteral("ghost")}), QStringLiteral("x")));
    QVERIFY(std::holds_alternative<PushError>(result));
    QCOMPARE(std::get<PushError>(result).code, QStringLiteral("not-found"));
    QVERIFY(std::get<PushError>(result).message.contains(QLatin1String("\"ghost\"")));
    QVERIFY(m_push->recentReports(10).isEmpty());

    const auto badTag = m_push->send(textPush(PushTarget::toTag(QStringLiteral("vip &&")), QStringLiteral("x")));
    QVERIFY(std::holds_alternative<PushError>(badTag));
    QCOMPARE(std::get<PushError>(badTag).code, QStringLiteral("bad-request"));

    // Registered ahead of time, the device is a valid target while it has never connected.
    QVERIFY(std::holds_alternative<DeviceRecord>(m_push->updateDevice(QStringLiteral("ghost"), {})));
    const PushReport pending = sendOk(textPush(PushTarget::toDevices({QStringLiteral("ghost")}), QStringLiteral("x"), QStringLiteral("g1")));
    QCOMPARE(pending.targets.constFirst().state, TargetState::Pending);
    QVERIFY(pending.targets.constFirst().detail.contains(QLatin1String("devices/ghost/push")));
}

void TestPush::aliasAndTagExpressionsChooseTheAudience()
{
    TestDevice vip(QStringLiteral("vip1"), port()), beta(QStringLiteral("vipbeta"), port()), plain(QStringLiteral("plain"), port());
    for (TestDevice *device : {&vip, &beta, &plain})
        QVERIFY(device->connectAndSubscribe());
    QVERIFY(std::holds_alternative<DeviceRecord>(m_push->updateDevice(QStringLiteral("vip1"), {QStringLiteral("kitchen"), QStringList{"vip"}, {}, {}})));
    QVERIFY(std::holds_alternative<DeviceRecord>(m_push->updateDevice(QStringLiteral("vipbeta"), {std::nullopt, QStringList{"vip", "beta"}, {}, {}})));
    // Invalid tags are refused with the reason.
    const auto invalid = m_push->updateDevice(QStringLiteral("plain"), {std::nullopt, QStringList{"not"}, {}, {}});
    QVERIFY(std::holds_alternative<PushError>(invalid));

    // The audience is known before anything is sent.
    const auto audience = m_push->audience(PushTarget::toTag(QStringLiteral("vip && !beta")));
    QCOMPARE(std::get<QStringList>(audience), QStringList{QStringLiteral("vip1")});
    QCOMPARE(std::get<QStringList>(m_push->audience(PushTarget::toTag(QStringLiteral("vip")))).size(), 2);
    QCOMPARE(std::get<QStringList>(m_push->audience(PushTarget::toAlias(QStringLiteral("kitchen")))),
             QStringList{QStringLiteral("vip1")});

    sendOk(textPush(PushTarget::toTag(QStringLiteral("vip && !beta")), QStringLiteral("only vip"), QStringLiteral("t1")));
    sendOk(textPush(PushTarget::toAlias(QStringLiteral("kitchen")), QStringLiteral("by alias"), QStringLiteral("a1")));
    QTRY_COMPARE(vip.envelopes.size(), 2);
    QTRY_VERIFY(report(QStringLiteral("t1"))->isSettled());
    QTRY_VERIFY(report(QStringLiteral("a1"))->isSettled());
    // The others got nothing: a later push to everyone arrives first and alone.
    sendOk(textPush(PushTarget::toAll(), QStringLiteral("everyone"), QStringLiteral("all1")));
    QTRY_COMPARE(beta.envelopes.size(), 1);
    QTRY_COMPARE(plain.envelopes.size(), 1);
    QCOMPARE(beta.envelopes.constFirst().pushId, QStringLiteral("all1"));
    QCOMPARE(plain.envelopes.constFirst().pushId, QStringLiteral("all1"));
}

void TestPush::devicesDescribeThemselves()
{
    TestDevice device(QStringLiteral("self1"), port());
    QVERIFY(device.connectAndSubscribe());
    const QSignalSpy changed(m_push, &PushService::devicesChanged);
    device.client.publish(QStringLiteral("devices/self1/register"), R"({"alias":"lamp","tags":["cn","vip"]})",
                          mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE(m_push->devices().find(QStringLiteral("self1"))->alias, QStringLiteral("lamp"));
    QCOMPARE(m_push->devices().find(QStringLiteral("self1"))->tags, (QStringList{"cn", "vip"}));
    QVERIFY(!m_push->devices().find(QStringLiteral("self1"))->registered);
    QVERIFY(changed.count() >= 1);
    // Garbage is counted and changes nothing.
    device.client.publish(QStringLiteral("devices/self1/register"), "{not json", mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE(m_push->malformedMessages(), 1u);
    QCOMPARE(m_push->devices().find(QStringLiteral("self1"))->alias, QStringLiteral("lamp"));
}

void TestPush::topicAndBroadcastTargets()
{
    TestDevice a(QStringLiteral("ba"), port()), b(QStringLiteral("bb"), port());
    QVERIFY(a.connectAndSubscribe());
    QVERIFY(b.connectAndSubscribe());
    MqttClient listener;
    listener.setPort(port());
    listener.setClientId(QStringLiteral("listener"));
    QList<mqtt::Publish> heard;
    connect(&listener, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) { heard.append(publish); });
    QSignalSpy subscribed(&listener, &MqttClient::subscribed);
    connect(&listener, &MqttClient::connected, this, [&] { listener.subscribe(QStringLiteral("news/#"), mqtt::QoS::AtLeastOnce); });
    listener.connectToBroker();
    QTRY_COMPARE(subscribed.count(), 1);

    const PushReport topic = sendOk(textPush(PushTarget::toTopic(QStringLiteral("news/today")), QStringLiteral("extra"), QStringLiteral("n1")));
    QCOMPARE(topic.targets.size(), 1);
    QCOMPARE(topic.targets.constFirst().device, QStringLiteral("news/today"));
    QTRY_COMPARE(heard.size(), 1);
    QCOMPARE(heard.constFirst().payload, QByteArray("extra")); // a topic push is raw by default
    QCOMPARE(report(QStringLiteral("n1"))->targets.constFirst().state, TargetState::Sent);

    // Broadcast: every known device, each with its own envelope.
    const PushReport all = sendOk(textPush(PushTarget::toAll(), QStringLiteral("hi all"), QStringLiteral("b1")));
    QCOMPARE(all.targets.size(), 2);
    QTRY_COMPARE(report(QStringLiteral("b1"))->counts().receipted, 2);
    QCOMPARE(a.envelopes.constFirst().deviceId, QStringLiteral("ba"));
    QCOMPARE(b.envelopes.constFirst().deviceId, QStringLiteral("bb"));
}

void TestPush::topicPushReachesMosquittoSub()
{
    const QString mosquittoSub = QStandardPaths::findExecutable(QStringLiteral("mosquitto_sub"));
    if (mosquittoSub.isEmpty())
        HERMES_SKIP("mosquitto_sub is not installed (package mosquitto-clients)");
    // mosquitto_sub as the device: its id, its push topic, one message, then it exits.
    QProcess device;
    device.start(mosquittoSub, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port()),
                                QStringLiteral("-i"), QStringLiteral("mqdev"), QStringLiteral("-t"), QStringLiteral("devices/mqdev/push"),
                                QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-C"), QStringLiteral("1")});
    QVERIFY(device.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(m_push->devices().find(QStringLiteral("mqdev")), 10000);
    PushRequest request = textPush(PushTarget::toDevices({QStringLiteral("mqdev")}), QStringLiteral("to mosquitto"), QStringLiteral("m1"));
    request.envelope = false;
    sendOk(request);
    QTRY_COMPARE_WITH_TIMEOUT(device.state(), QProcess::NotRunning, 10000);
    QCOMPARE(device.readAllStandardOutput().trimmed(), QByteArray("to mosquitto"));
    QCOMPARE(report(QStringLiteral("m1"))->targets.constFirst().state, TargetState::Acknowledged);
}

void TestPush::offlineDeviceReceivesWithinTtlNotAfter()
{
    // Known (registered) but offline, with no session: the service keeps the push.
    QVERIFY(std::holds_alternative<DeviceRecord>(m_push->updateDevice(QStringLiteral("roamer"), {})));
    PushRequest late = textPush(PushTarget::toDevices({QStringLiteral("roamer")}), QStringLiteral("too late"), QStringLiteral("late"));
    late.ttlSeconds = 1;
    sendOk(late);
    PushRequest timely = textPush(PushTarget::toDevices({QStringLiteral("roamer")}), QStringLiteral("in time"), QStringLiteral("timely"));
    timely.ttlSeconds = 60;
    sendOk(timely);
    QCOMPARE(report(QStringLiteral("timely"))->targets.constFirst().state, TargetState::Pending);
    QTRY_COMPARE(report(QStringLiteral("late"))->targets.constFirst().state, TargetState::Expired);

    TestDevice device(QStringLiteral("roamer"), port());
    QVERIFY(device.connectAndSubscribe());
    QTRY_COMPARE(report(QStringLiteral("timely"))->targets.constFirst().state, TargetState::Receipted);
    // A marker sent now arrives after anything still in the pipe: the expired one never came.
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("roamer")}), QStringLiteral("marker"), QStringLiteral("marker")));
    QTRY_COMPARE(device.envelopes.size(), 2);
    QCOMPARE(device.envelopes.at(0).pushId, QStringLiteral("timely"));
    QCOMPARE(device.envelopes.at(1).pushId, QStringLiteral("marker"));
    QCOMPARE(report(QStringLiteral("late"))->targets.constFirst().state, TargetState::Expired);
}

void TestPush::persistentSessionQueuesUntilTheDeviceReturns()
{
    auto device = std::make_unique<TestDevice>(QStringLiteral("sleeper"), port(), true);
    QVERIFY(device->connectAndSubscribe());
    QSignalSpy gone(device.get(), &QObject::destroyed);
    device->client.disconnectFromBroker();
    QTRY_VERIFY(!m_push->isOnline(QStringLiteral("sleeper")));
    device.reset();

    PushRequest request = textPush(PushTarget::toDevices({QStringLiteral("sleeper")}), QStringLiteral("while asleep"), QStringLiteral("q1"));
    request.ttlSeconds = 60;
    sendOk(request);
    // Held in the broker's session for the device, with the MQTT 5 message expiry set.
    QCOMPARE(report(QStringLiteral("q1"))->targets.constFirst().state, TargetState::Queued);
    const auto detail = m_broker->sessionDetail(QStringLiteral("sleeper"));
    QVERIFY(detail);
    QCOMPARE(detail->queued.size(), 1);
    QVERIFY(detail->queued.constFirst().properties.messageExpiryInterval);

    TestDevice back(QStringLiteral("sleeper"), port(), true);
    back.client.connectToBroker();
    QTRY_COMPARE(report(QStringLiteral("q1"))->targets.constFirst().state, TargetState::Receipted);
    QCOMPARE(back.envelopes.constFirst().payload, QByteArray("while asleep"));
}

void TestPush::signedEnvelopesVerifyAndTamperedOnesFail()
{
    TestDevice device(QStringLiteral("strict"), port());
    device.requireSignature = true;
    QVERIFY(device.connectAndSubscribe());
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("strict")}), QStringLiteral("signed"), QStringLiteral("s1")));
    QTRY_COMPARE(report(QStringLiteral("s1"))->targets.constFirst().state, TargetState::Receipted);
    push::PushEnvelope envelope = device.envelopes.constFirst();
    QCOMPARE(envelope.keyId, QStringLiteral("k1"));
    QCOMPARE(device.verifier.verify(envelope, QDateTime::currentDateTimeUtc()), push::VerifyResult::Verified);
    envelope.payload = "signed!";
    QCOMPARE(device.verifier.verify(envelope, QDateTime::currentDateTimeUtc()), push::VerifyResult::BadSignature);

    // A device holding another key refuses the envelope, and the report says so.
    device.verifier = push::Verifier();
    device.verifier.addKey(QStringLiteral("k1"), QByteArray(32, 'x'));
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("strict")}), QStringLiteral("forged?"), QStringLiteral("s2")));
    QTRY_COMPARE(report(QStringLiteral("s2"))->targets.constFirst().state, TargetState::Failed);
    QCOMPARE(report(QStringLiteral("s2"))->targets.constFirst().receiptStatus, QStringLiteral("rejected-signature"));
}

void TestPush::rateLimitPacesDeliveries()
{
    constexpr int Devices = 8;
    constexpr double Rate = 20; // per second: 8 deliveries take at least 7 / 20 s
    std::vector<std::unique_ptr<TestDevice>> devices;
    for (int i = 0; i < Devices; ++i) {
        devices.push_back(std::make_unique<TestDevice>(QStringLiteral("r%1").arg(i), port()));
        QVERIFY(devices.back()->connectAndSubscribe());
    }
    PushRequest request = textPush(PushTarget::toAll(), QStringLiteral("paced"), QStringLiteral("rate"));
    request.ratePerSecond = Rate;
    const PushReport accepted = sendOk(request);
    QCOMPARE(accepted.counts().pending, Devices - 1); // the first goes at once
    QTRY_COMPARE(report(QStringLiteral("rate"))->counts().receipted, Devices);
    // The pace applies where deliveries are handed to the sessions (queuedAt); the sockets
    // see them after the store's group commit, a few milliseconds later.
    QList<qint64> sent;
    const PushReport paced = *report(QStringLiteral("rate"));
    for (const TargetReport &target : paced.targets)
        sent.append(target.queuedAtMs);
    std::sort(sent.begin(), sent.end());
    // A token bucket holding at most max(1, rate / 10) = 2 tokens: any j - i + 1
    // deliveries span at least (j - i - 1) periods (less timer rounding), and the whole
    // push takes at least (n - 2) periods.
    const qint64 period = qint64(1000 / Rate);
    for (qsizetype i = 0; i < sent.size(); ++i) {
        for (qsizetype j = i + 1; j < sent.size(); ++j) {
            QVERIFY2(sent[j] - sent[i] >= (j - i - 1) * period - 2,
                     qPrintable(QStringLiteral("deliveries %1..%2 within %3 ms").arg(i).arg(j).arg(sent[j] - sent[i])));
        }
    }
    QVERIFY(sent.constLast() - sent.constFirst() >= (Devices - 2) * period - 2);
}

void TestPush::scheduledPushGoesOutOnTime()
{
    TestDevice device(QStringLiteral("sched"), port());
    QVERIFY(device.connectAndSubscribe());
    PushRequest request = textPush(PushTarget::toDevices({QStringLiteral("sched")}), QStringLiteral("later"), QStringLiteral("later"));
    const qint64 sendAt = QDateTime::currentMSecsSinceEpoch() + 600;
    request.sendAtMs = sendAt;
    const PushReport accepted = sendOk(request);
    QCOMPARE(accepted.sendAtMs, sendAt);
    QCOMPARE(accepted.targets.constFirst().state, TargetState::Pending);
    QCOMPARE(accepted.targets.constFirst().detail, QStringLiteral("scheduled"));
    QTRY_COMPARE(report(QStringLiteral("later"))->targets.constFirst().state, TargetState::Receipted);
    const TargetReport target = report(QStringLiteral("later"))->targets.constFirst();
    QVERIFY2(target.sentAtMs >= sendAt, qPrintable(QString::number(target.sentAtMs - sendAt)));
    QVERIFY2(target.sentAtMs < sendAt + 500, qPrintable(QString::number(target.sentAtMs - sendAt)));
}

void TestPush::sequencesSurviveARestart()
{
    {
        TestDevice device(QStringLiteral("keeper"), port());
        QVERIFY(device.connectAndSubscribe());
        QVERIFY(std::holds_alternative<DeviceRecord>(m_push->updateDevice(QStringLiteral("keeper"), {QStringLiteral("desk"), QStringList{"vip"}, {}, {}})));
        sendOk(textPush(PushTarget::toDevices({QStringLiteral("keeper")}), QStringLiteral("1"), QStringLiteral("k1")));
        sendOk(textPush(PushTarget::toDevices({QStringLiteral("keeper")}), QStringLiteral("2"), QStringLiteral("k2")));
        QTRY_COMPARE(device.envelopes.size(), 2);
    }
    startBroker(); // same data directory
    const DeviceRecord *device = m_push->devices().find(QStringLiteral("keeper"));
    QVERIFY(device);
    QCOMPARE(device->alias, QStringLiteral("desk"));
    QCOMPARE(device->tags, QStringList{QStringLiteral("vip")});
    QVERIFY(device->registered);
    QCOMPARE(m_push->nextSequence(QStringLiteral("keeper")), 3u);
}

void TestPush::duplicatesAndGapsReportedByDevicesAreCounted()
{
    TestDevice device(QStringLiteral("gappy"), port());
    QVERIFY(device.connectAndSubscribe());
    // The device has already seen 1..3 (say, before a restore of the broker's backup)
    // and 5: the next push (sequence 1) is a duplicate to it.
    for (quint64 sequence : {1, 2, 3, 5})
        device.tracker.accept(sequence);
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("gappy")}), QStringLiteral("dup"), QStringLiteral("dup")));
    QTRY_COMPARE(report(QStringLiteral("dup"))->targets.constFirst().state, TargetState::Receipted);
    const PushReport dup = *report(QStringLiteral("dup"));
    QCOMPARE(dup.duplicates, 1u);
    QCOMPARE(dup.targets.constFirst().receiptStatus, QStringLiteral("duplicate"));
    QCOMPARE(dup.missing(), 1u); // 4 is missing below 5
    QCOMPARE(dup.toJson(false).value(QLatin1String("missing")).toInt(), 1);
}

void TestPush::adminApiAnswersOperatorsOnly()
{
    TestDevice device(QStringLiteral("adm-dev"), port());
    QVERIFY(device.connectAndSubscribe());
    MqttClient operatorClient;
    operatorClient.setPort(port());
    operatorClient.setClientId(QStringLiteral("op"));
    operatorClient.setProtocolVersion(mqtt::ProtocolVersion::V5);
    QList<mqtt::Publish> replies;
    connect(&operatorClient, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) { replies.append(publish); });
    QSignalSpy subscribed(&operatorClient, &MqttClient::subscribed);
    connect(&operatorClient, &MqttClient::connected, this,
            [&] { operatorClient.subscribe(QStringLiteral("$hermes/admin/v1/replies/op"), mqtt::QoS::AtLeastOnce); });
    operatorClient.connectToBroker();
    QTRY_COMPARE(subscribed.count(), 1);

    const auto call = [&](const QString &method, const QByteArray &payload, const QByteArray &correlation) {
        mqtt::Properties properties;
        properties.responseTopic = QStringLiteral("$hermes/admin/v1/replies/op");
        properties.correlationData = correlation;
        operatorClient.publish(QStringLiteral("$hermes/admin/v1/") + method, payload, mqtt::QoS::AtLeastOnce, false, properties);
    };
    call(QStringLiteral("devices/list"), "{}", "c1");
    call(QStringLiteral("no/such"), "{}", "c2");
    call(QStringLiteral("push/send"), "{not json", "c3");
    call(QStringLiteral("push/send"), R"({"target":{"devices":["adm-dev"]},"payload":"aGk=","payloadEncoding":"base64","pushId":"adm1"})", "c4");
    QTRY_COMPARE(replies.size(), 4);
    QHash<QByteArray, QJsonObject> byCorrelation;
    for (const mqtt::Publish &reply : std::as_const(replies)) {
        QCOMPARE(reply.properties.contentType, QStringLiteral("application/json"));
        byCorrelation.insert(*reply.properties.correlationData, QJsonDocument::fromJson(reply.payload).object());
    }
    QVERIFY(byCorrelation.value("c1").value(QLatin1String("ok")).toBool());
    const QJsonArray devices = byCorrelation.value("c1").value(QLatin1String("result")).toObject().value(QLatin1String("devices")).toArray();
    QCOMPARE(devices.size(), 1);
    QCOMPARE(devices.at(0).toObject().value(QLatin1String("id")).toString(), QStringLiteral("adm-dev"));
    QCOMPARE(byCorrelation.value("c2").value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("unknown-method"));
    QCOMPARE(byCorrelation.value("c3").value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("bad-request"));
    QCOMPARE(byCorrelation.value("c4").value(QLatin1String("result")).toObject().value(QLatin1String("pushId")).toString(), QStringLiteral("adm1"));
    QTRY_COMPARE(device.envelopes.size(), 1);
    QCOMPARE(device.envelopes.constFirst().payload, QByteArray("hi"));
}

void TestPush::adminApiRefusesDevices()
{
    startBroker({}, Role::Device);
    MqttClient device;
    device.setPort(port());
    device.setClientId(QStringLiteral("sneaky"));
    device.setProtocolVersion(mqtt::ProtocolVersion::V5);
    QSignalSpy connected(&device, &MqttClient::connected);
    QSignalSpy published(&device, &MqttClient::published);
    QList<mqtt::Publish> replies;
    connect(&device, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) { replies.append(publish); });
    device.connectToBroker();
    QTRY_COMPARE(connected.count(), 1);
    // Its own topic is the only place it may hear anything; the request itself is refused.
    device.subscribe(QStringLiteral("devices/sneaky/#"), mqtt::QoS::AtLeastOnce);
    mqtt::Properties properties;
    properties.responseTopic = QStringLiteral("devices/sneaky/reply");
    device.publish(QStringLiteral("$hermes/admin/v1/sessions/list"), "{}", mqtt::QoS::AtLeastOnce, false, properties);
    QTRY_COMPARE(published.count(), 1);
    QCOMPARE(published.constFirst().at(1).value<mqtt::ReasonCode>(), mqtt::ReasonCode::NotAuthorized);
    // A marker on its own topic arrives; no reply came before it.
    device.publish(QStringLiteral("devices/sneaky/state"), "marker", mqtt::QoS::AtLeastOnce);
    QTRY_COMPARE(replies.size(), 1);
    QCOMPARE(replies.constFirst().payload, QByteArray("marker"));
}

void TestPush::configuredTopicsAndSigningKey()
{
    const auto parsed = parseBrokerConfig(QStringLiteral("push_topic fleet/{id}/in\nreceipt_topic fleet/{id}/ack\n"), QStringLiteral("t.conf"));
    QVERIFY(std::holds_alternative<BrokerConfig>(parsed));
    QCOMPARE(std::get<BrokerConfig>(parsed).push.pushTopic, QStringLiteral("fleet/{id}/in"));
    // '#' inside a line is a wildcard, not a comment.
    const auto acl = parseBrokerConfig(QStringLiteral("  # a comment\nacl device read fleet/%c/#\n"), QStringLiteral("t.conf"));
    QVERIFY(std::holds_alternative<BrokerConfig>(acl));
    QCOMPARE(std::get<BrokerConfig>(acl).aclRules.constFirst().filter, QStringLiteral("fleet/%c/#"));
    const auto bad = parseBrokerConfig(QStringLiteral("\npush_topic fleet/+/in\n"), QStringLiteral("t.conf"));
    QVERIFY(std::holds_alternative<ConfigError>(bad));
    QCOMPARE(std::get<ConfigError>(bad).line, 2);

    QString error;
    PushSettings settings;
    settings.signingKeyId = QStringLiteral("k9");
    settings.signingKeyFile = m_dataDir->filePath(QStringLiteral("missing.key"));
    QVERIFY(!PushConfig::fromSettings(settings, &error));
    QVERIFY2(error.startsWith(QLatin1String("push_signing_key: ")) && error.contains(QLatin1String("missing.key")), qPrintable(error));
    QFile shortKey(m_dataDir->filePath(QStringLiteral("short.key")));
    QVERIFY(shortKey.open(QIODevice::WriteOnly));
    shortKey.write("too short");
    shortKey.close();
    settings.signingKeyFile = shortKey.fileName();
    QVERIFY(!PushConfig::fromSettings(settings, &error));
    QVERIFY(error.contains(QLatin1String("at least 32 bytes")));
    QFile hexKey(m_dataDir->filePath(QStringLiteral("hex.key")));
    QVERIFY(hexKey.open(QIODevice::WriteOnly));
    hexKey.write(QByteArray(32, '\x5a').toHex() + "\n");
    hexKey.close();
    settings.signingKeyFile = hexKey.fileName();
    settings.pushTopic = QStringLiteral("fleet/{id}/in");
    const std::optional<PushConfig> config = PushConfig::fromSettings(settings, &error);
    QVERIFY2(config, qPrintable(error));
    QCOMPARE(config->signingKey, QByteArray(32, '\x5a'));

    // The configured topic is where devices get their pushes.
    startBroker(*config);
    MqttClient device;
    device.setPort(port());
    device.setClientId(QStringLiteral("f1"));
    QList<mqtt::Publish> received;
    connect(&device, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) { received.append(publish); });
    QSignalSpy subscribed(&device, &MqttClient::subscribed);
    connect(&device, &MqttClient::connected, this, [&] { device.subscribe(QStringLiteral("fleet/f1/in"), mqtt::QoS::AtLeastOnce); });
    device.connectToBroker();
    QTRY_COMPARE(subscribed.count(), 1);
    QTRY_VERIFY(m_push->devices().find(QStringLiteral("f1")));
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("f1")}), QStringLiteral("x")));
    QTRY_COMPARE(received.size(), 1);
    const auto envelope = push::PushEnvelope::fromBytes(received.constFirst().payload);
    QCOMPARE(std::get<push::PushEnvelope>(envelope).keyId, QStringLiteral("k9"));
}

void TestPush::keyRotationKeepsQueuedPushesVerifiable()
{
    // A device with a persistent session goes to sleep; a push signed with k1 waits for it.
    {
        TestDevice device(QStringLiteral("rot"), port(), true);
        QVERIFY(device.connectAndSubscribe());
        device.client.disconnectFromBroker();
        QTRY_VERIFY(!m_push->isOnline(QStringLiteral("rot")));
    }
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("rot")}), QStringLiteral("old key"), QStringLiteral("r1")));
    QCOMPARE(report(QStringLiteral("r1"))->targets.constFirst().state, TargetState::Queued);

    // The operator rotates: the broker restarts signing with k2 (same store).
    PushConfig rotated;
    rotated.signingKeyId = QStringLiteral("k2");
    rotated.signingKey = QByteArray(32, 'n');
    startBroker(rotated);

    // The device was given k2 before the switch and drops k1 only later: both verify.
    TestDevice device(QStringLiteral("rot"), port(), true);
    device.requireSignature = true;
    device.verifier.addKey(QStringLiteral("k2"), QByteArray(32, 'n'));
    device.client.connectToBroker();
    QTRY_COMPARE(device.envelopes.size(), 1);
    QCOMPARE(device.envelopes.at(0).keyId, QStringLiteral("k1"));
    QCOMPARE(device.verifier.verify(device.envelopes.at(0), QDateTime::currentDateTimeUtc()), push::VerifyResult::Verified);
    sendOk(textPush(PushTarget::toDevices({QStringLiteral("rot")}), QStringLiteral("new key"), QStringLiteral("r2")));
    QTRY_COMPARE(report(QStringLiteral("r2"))->targets.constFirst().state, TargetState::Receipted);
    QCOMPARE(device.envelopes.at(1).keyId, QStringLiteral("k2"));
    // Sequence numbers went on across the restart: 1 before, 2 after.
    QCOMPARE(device.envelopes.at(0).sequence, 1u);
    QCOMPARE(device.envelopes.at(1).sequence, 2u);
    // Once k1 is removed, an envelope signed with it is refused.
    device.verifier.removeKey(QStringLiteral("k1"));
    QCOMPARE(device.verifier.verify(device.envelopes.at(0), QDateTime::currentDateTimeUtc()), push::VerifyResult::UnknownKey);
}

void TestPush::accountsManagedThroughTheApi()
{
    const QJsonObject stored = adminCall(QStringLiteral("accounts/set"),
                                         {{"name", "dev-9"}, {"role", "device"}, {"password", "s3cret-pass"}});
    QVERIFY2(stored.value(QLatin1String("ok")).toBool(), QJsonDocument(stored).toJson().constData());
    QCOMPARE(login(QStringLiteral("dev-9"), "s3cret-pass"), mqtt::ReasonCode::Success);
    QCOMPARE(login(QStringLiteral("dev-9"), "wrong-pass"), mqtt::ReasonCode::BadUserNameOrPassword);
    const QJsonObject tooShort = adminCall(QStringLiteral("accounts/set"), {{"name", "x"}, {"password", "short"}});
    QCOMPARE(tooShort.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("bad-request"));

    // Stored: a restarted broker still knows it; a new password replaces the old at once.
    startBroker();
    QCOMPARE(login(QStringLiteral("dev-9"), "s3cret-pass"), mqtt::ReasonCode::Success);
    QVERIFY(adminCall(QStringLiteral("accounts/set"), {{"name", "dev-9"}, {"password", "n3w-password"}}).value(QLatin1String("ok")).toBool());
    QCOMPARE(login(QStringLiteral("dev-9"), "s3cret-pass"), mqtt::ReasonCode::BadUserNameOrPassword);
    QCOMPARE(login(QStringLiteral("dev-9"), "n3w-password"), mqtt::ReasonCode::Success);
    const QJsonArray listed = adminCall(QStringLiteral("accounts/list"), {}).value(QLatin1String("result")).toObject()
                                  .value(QLatin1String("accounts")).toArray();
    QCOMPARE(listed.size(), 1);
    QCOMPARE(listed.at(0).toObject().value(QLatin1String("source")).toString(), QStringLiteral("store"));

    QVERIFY(adminCall(QStringLiteral("accounts/remove"), {{"name", "dev-9"}}).value(QLatin1String("ok")).toBool());
    QCOMPARE(login(QStringLiteral("dev-9"), "n3w-password"), mqtt::ReasonCode::BadUserNameOrPassword);
    QCOMPARE(adminCall(QStringLiteral("accounts/remove"), {{"name", "dev-9"}}).value(QLatin1String("error")).toObject()
                 .value(QLatin1String("code")).toString(), QStringLiteral("not-found"));

    // Accounts from the config file are the file's: the API refuses to change them.
    BrokerConfig config;
    config.persistence = false;
    config.accounts = {Account{QStringLiteral("ops"), Role::Operator, PasswordHash::create("operator-pass", 1000)}};
    Broker fixed(config);
    QString error;
    QVERIFY(!fixed.removeAccount(QStringLiteral("ops"), &error));
    QVERIFY(error.contains(QLatin1String("config file")));
    QVERIFY(!fixed.setAccount(Account{QStringLiteral("ops"), Role::Device, PasswordHash::create("x", 1000)}, &error));
    QCOMPARE(fixed.accounts().size(), 1);
    QVERIFY(fixed.accounts().constFirst().fromConfig);
}

// A running push to many devices costs the stream its changes, not its size: the first look
// tells every target in bounded messages, later ones only the targets that changed, and the
// console's mirror rebuilds the whole report from them.
void TestPush::reportStreamCarriesOnlyChangedTargets()
{
    PushReport report;
    report.pushId = QStringLiteral("p-1");
    report.target = PushTarget::toAll();
    for (int i = 0; i < 1200; ++i) {
        TargetReport target;
        target.device = QStringLiteral("dev-%1").arg(i);
        target.state = TargetState::Queued;
        report.targets.append(target);
    }
    ReportDeltas deltas;
    const QList<QJsonObject> first = deltas.changes(report);
    QCOMPARE(first.size(), 3); // 500 + 500 + 200
    PushReportMirror mirror;
    for (const QJsonObject &message : first) {
        QCOMPARE(message.value(QLatin1String("delta")).toBool(), true);
        QCOMPARE(message.value(QLatin1String("audience")).toInt(), 1200);
        QVERIFY(message.value(QLatin1String("targets")).toArray().size() <= ReportDeltas::MaxTargetsPerMessage);
        // Not all of it in one message: the mirror cannot build the report from this alone.
        QVERIFY(!mirror.apply(*PushReport::fromJson(message), 1200));
    }
    mirror.hold(report); // what push/report answers
    QVERIFY(deltas.changes(report).isEmpty());

    report.targets[7].state = TargetState::Receipted;
    report.targets[7].receiptedAtMs = 1234;
    report.targets[999].sendCount = 2;
    const QList<QJsonObject> second = deltas.changes(report);
    QCOMPARE(second.size(), 1);
    const QJsonArray changed = second.first().value(QLatin1String("targets")).toArray();
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).toObject().value(QLatin1String("device")).toString(), QStringLiteral("dev-7"));
    QVERIFY(QJsonDocument(second.first()).toJson(QJsonDocument::Compact).size() < 2048);
    const std::optional<PushReport> merged = mirror.apply(*PushReport::fromJson(second.first()), 1200);
    QVERIFY(merged);
    QCOMPARE(merged->targets, report.targets);
    QCOMPARE(merged->counts().receipted, 1);

    // A change to the report itself with no target changed still reaches the console.
    report.notes.append(QStringLiteral("QoS 2 downgraded to QoS 1"));
    const QList<QJsonObject> third = deltas.changes(report);
    QCOMPARE(third.size(), 1);
    QVERIFY(third.first().value(QLatin1String("targets")).toArray().isEmpty());
    QCOMPARE(mirror.apply(*PushReport::fromJson(third.first()), 1200)->notes, report.notes);

    // A small push fits one message: a console that never held it builds it from that.
    PushReport small;
    small.pushId = QStringLiteral("p-2");
    small.target = PushTarget::toAll();
    small.targets = report.targets.mid(0, 3);
    const QList<QJsonObject> whole = deltas.changes(small);
    QCOMPARE(whole.size(), 1);
    QCOMPARE(mirror.apply(*PushReport::fromJson(whole.first()), 3)->targets, small.targets);
}

HERMES_TEST_GUILESS_MAIN(TestPush)
#include "tst_push.moc"
