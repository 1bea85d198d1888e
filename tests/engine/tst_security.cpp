// Accounts and the ACL over real sockets: who may connect, and what a device may read and
// write with the default configuration.
#include "../common/testmain.h"
#include "rawclient.h"

#include "engine/security/accesscontrol.h"
#include "engine/broker.h"

#include <QtTest>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

Q_DECLARE_METATYPE(hermes::mqtt::ProtocolVersion)

namespace {

// Hashes are made once: PBKDF2 is slow on purpose.
const PasswordHash &deviceHash()
{
    static const PasswordHash hash = PasswordHash::create("device-secret", 1000);
    return hash;
}

const PasswordHash &operatorHash()
{
    static const PasswordHash hash = PasswordHash::create("operator-secret", 1000);
    return hash;
}

BrokerConfig secureConfig()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.allowAnonymous = AnonymousAccess::Never;
    config.accounts = {Account{QStringLiteral("dev-1"), Role::Device, deviceHash(), {}},
                       Account{QStringLiteral("dev-2"), Role::Device, deviceHash(), {}},
                       Account{QStringLiteral("ops"), Role::Operator, operatorHash(), {}}};
    return config;
}

Connect login(const QString &clientId, const QString &user, const QByteArray &password)
{
    Connect connect;
    connect.clientId = clientId;
    if (!user.isEmpty())
        connect.userName = user;
    if (!password.isEmpty())
        connect.password = password;
    return connect;
}

Subscribe subscription(const QString &filter)
{
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions = {TopicSubscription{filter, SubscribeOptions{QoS::AtLeastOnce}}};
    return subscribe;
}

} // namespace

class TestSecurity : public QObject
{
    Q_OBJECT
private slots:
    void passwordHashRoundTrip();
    void failedLoginsBackOffWithoutPasswordWork_data();
    void failedLoginsBackOffWithoutPasswordWork();
    void subscriptionsPerClientAreCapped();
    void connectionRatePerSourceIsLimited();
    void coverage_data();
    void coverage();
    void connectOutcomes_data();
    void connectOutcomes();
    void anonymousOnlyFromLoopbackByDefault();
    void deviceSubscribesOnlyToItsOwnTopics_data();
    void deviceSubscribesOnlyToItsOwnTopics();
    void devicePublishDeniedInBothDirections_data();
    void devicePublishDeniedInBothDirections();
    void willOnAnotherDevicesTopicIsRefused();
    void customRuleWithUserSubstitution();

private:
    std::unique_ptr<Broker> startBroker(BrokerConfig config);
};

std::unique_ptr<Broker> TestSecurity::startBroker(BrokerConfig config)
{
    auto broker = std::make_unique<Broker>(std::move(config));
    if (!broker->start())
        qFatal("broker did not start: %s", qPrintable(broker->errorString()));
    return broker;
}

void TestSecurity::failedLoginsBackOffWithoutPasswordWork_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<ReasonCode>("refusal");
    QTest::newRow("v5: 0x9F Connection rate exceeded") << ProtocolVersion::V5 << ReasonCode::ConnectionRateExceeded;
    // 3.x has no such code: return code 3, read back as Server unavailable.
    QTest::newRow("v3.1.1: 3 Server unavailable") << ProtocolVersion::V3_1_1 << ReasonCode::ServerUnavailable;
}

void TestSecurity::failedLoginsBackOffWithoutPasswordWork()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(ReasonCode, refusal);
    BrokerConfig config = secureConfig();
    config.authBackoff.exemptLoopback = false; // the test connects over loopback
    config.authBackoff.initial = std::chrono::minutes(1);
    const auto broker = startBroker(config);
    const quint16 port = broker->listenAddresses().first().port;
    const auto attempt = [&](const QByteArray &password) {
        RawClient client(version);
        if (!client.connectTo(port))
            return ReasonCode::UnspecifiedError;
        const auto connack = client.handshake(login(QStringLiteral("dev-1"), QStringLiteral("dev-1"), password));
        return connack ? connack->reasonCode : ReasonCode::UnspecifiedError;
    };
    QCOMPARE(attempt("guess-1"), ReasonCode::BadUserNameOrPassword);
    // Within the back-off even the right password is not looked at.
    QCOMPARE(attempt("device-secret"), refusal);
    QCOMPARE(attempt("guess-2"), refusal);
    QCOMPARE(broker->counters().authenticationFailures, 1u);
    QCOMPARE(broker->counters().authBackoffRefusals, 2u);
}

void TestSecurity::subscriptionsPerClientAreCapped()
{
    BrokerConfig config = secureConfig();
    config.maxSubscriptionsPerClient = 2;
    const auto broker = startBroker(config);
    RawClient client(ProtocolVersion::V5);
    QVERIFY(client.connectTo(broker->listenAddresses().first().port));
    QCOMPARE(client.handshake(login(QStringLiteral("ops-1"), QStringLiteral("ops"), "operator-secret"))->reasonCode,
             ReasonCode::Success);
    Subscribe subscribe;
    subscribe.packetId = 1;
    for (const char *filter : {"a/1", "a/2", "a/3", "a/1"})
        subscribe.subscriptions.append(TopicSubscription{QString::fromLatin1(filter), SubscribeOptions{QoS::AtLeastOnce}});
    client.send(subscribe);
    const auto suback = client.waitFor(PacketType::Suback);
    QVERIFY(suback);
    // The third new filter is over quota; the same filter again is not new.
    QCOMPARE(std::get<Suback>(*suback).reasonCodes,
             (QList<ReasonCode>{ReasonCode::GrantedQoS1, ReasonCode::GrantedQoS1, ReasonCode::QuotaExceeded,
                                ReasonCode::GrantedQoS1}));
    QCOMPARE(broker->counters().subscriptionQuotaRefusals, 1u);
}

void TestSecurity::connectionRatePerSourceIsLimited()
{
    BrokerConfig config = secureConfig();
    config.connectionRate.perSecond = 1;
    config.connectionRate.burst = 3;
    config.connectionRate.exemptLoopback = false;
    const auto broker = startBroker(config);
    const quint16 port = broker->listenAddresses().first().port;
    // A burst of 3 gets through; the 4th within the same second is closed without a CONNACK.
    for (int i = 0; i < 3; ++i) {
        RawClient client;
        QVERIFY(client.connectTo(port));
        QVERIFY(client.handshake(login(QStringLiteral("c%1").arg(i), QStringLiteral("ops"), "operator-secret")));
    }
    RawClient refused;
    QVERIFY(refused.connectTo(port));
    refused.send(login(QStringLiteral("c4"), QStringLiteral("ops"), "operator-secret"));
    QVERIFY(refused.waitForClosed());
    QCOMPARE(broker->counters().connectionRateRefusals, 1u);
}

void TestSecurity::passwordHashRoundTrip()
{
    const PasswordHash hash = PasswordHash::create("p@ss", 1000);
    const auto parsed = PasswordHash::parse(hash.toString());
    QVERIFY(parsed);
    QCOMPARE(*parsed, hash);
    QVERIFY(parsed->verify("p@ss"));
    QVERIFY(!parsed->verify("p@sS"));
    QVERIFY(!parsed->verify(""));
    // Two hashes of one password differ (random salt).
    QVERIFY(PasswordHash::create("p@ss", 1000).hash != hash.hash);
    QVERIFY(!PasswordHash::parse(QStringLiteral("md5$1$abc$def")));
}

void TestSecurity::coverage_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("covered");
    QTest::newRow("exact") << "devices/a/push" << "devices/a/push" << true;
    QTest::newRow("# covers a deeper filter") << "devices/a/#" << "devices/a/push/x" << true;
    QTest::newRow("# covers the parent level") << "devices/a/#" << "devices/a" << true;
    QTest::newRow("# covers + below it") << "devices/a/#" << "devices/a/+" << true;
    QTest::newRow("another device") << "devices/a/#" << "devices/b/push" << false;
    QTest::newRow("+ in the filter is wider than a literal") << "devices/a/#" << "devices/+/push" << false;
    QTest::newRow("# in the filter is wider than +") << "devices/+/push" << "devices/a/#" << false;
    QTest::newRow("+ covers a literal") << "devices/+/push" << "devices/a/push" << true;
    QTest::newRow("shorter filter") << "devices/a/push" << "devices/a" << false;
    QTest::newRow("# does not cover $ topics [MQTT-4.7.2-1]") << "#" << "$SYS/#" << false;
}

void TestSecurity::coverage()
{
    QFETCH(QString, pattern);
    QFETCH(QString, filter);
    QFETCH(bool, covered);
    QCOMPARE(AccessControl::covers(pattern, filter), covered);
}

void TestSecurity::connectOutcomes_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<ReasonCode>("expected");
    for (const auto version : {ProtocolVersion::V3_1_1, ProtocolVersion::V5}) {
        const char *v = version == ProtocolVersion::V5 ? "v5" : "v3.1.1";
        QTest::addRow("%s right password", v) << version << "dev-1" << QByteArray("device-secret") << ReasonCode::Success;
        QTest::addRow("%s wrong password", v) << version << "dev-1" << QByteArray("guess") << ReasonCode::BadUserNameOrPassword;
        QTest::addRow("%s unknown user", v) << version << "mallory" << QByteArray("device-secret") << ReasonCode::BadUserNameOrPassword;
        QTest::addRow("%s user without password", v) << version << "dev-1" << QByteArray() << ReasonCode::BadUserNameOrPassword;
        QTest::addRow("%s anonymous refused", v) << version << "" << QByteArray() << ReasonCode::NotAuthorized;
    }
}

void TestSecurity::connectOutcomes()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QString, user);
    QFETCH(QByteArray, password);
    QFETCH(ReasonCode, expected);
    const auto broker = startBroker(secureConfig());
    RawClient client(version);
    QVERIFY(client.connectTo(broker->listenAddresses().first().port));
    const auto connack = client.handshake(login(QStringLiteral("dev-1"), user, password));
    QVERIFY(connack);
    // 3.x return codes 4 and 5 map back onto these reason codes.
    QCOMPARE(connack->reasonCode, expected);
    if (expected != ReasonCode::Success) {
        QVERIFY(client.waitForClosed());
        QCOMPARE(broker->counters().clientsConnected, 0u);
    }
    if (expected == ReasonCode::BadUserNameOrPassword)
        QCOMPARE(broker->counters().authenticationFailures, 1u);
}

void TestSecurity::anonymousOnlyFromLoopbackByDefault()
{
    // The default admits anonymous clients, but only on loopback: the test client is on
    // 127.0.0.1, so it gets in; the rule itself is Connection::isFromLoopback().
    BrokerConfig config = secureConfig();
    config.allowAnonymous = AnonymousAccess::Loopback;
    const auto broker = startBroker(config);
    RawClient client;
    QVERIFY(client.connectTo(broker->listenAddresses().first().port));
    QCOMPARE(client.handshake(login(QStringLiteral("local-tool"), QString(), QByteArray()))->reasonCode,
             ReasonCode::Success);
    QCOMPARE(BrokerConfig().allowAnonymous, AnonymousAccess::Loopback);
}

void TestSecurity::deviceSubscribesOnlyToItsOwnTopics_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("granted");
    for (const auto version : {ProtocolVersion::V3_1_1, ProtocolVersion::V5}) {
        const char *v = version == ProtocolVersion::V5 ? "v5" : "v3.1.1";
        QTest::addRow("%s own push topic", v) << version << "devices/dev-1/push" << true;
        QTest::addRow("%s own subtree", v) << version << "devices/dev-1/#" << true;
        QTest::addRow("%s another device's push", v) << version << "devices/dev-2/push" << false;
        QTest::addRow("%s every device", v) << version << "devices/+/push" << false;
        QTest::addRow("%s everything", v) << version << "#" << false;
        QTest::addRow("%s shared group over another device", v) << version << "$share/g/devices/dev-2/push" << false;
    }
}

void TestSecurity::deviceSubscribesOnlyToItsOwnTopics()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(QString, filter);
    QFETCH(bool, granted);
    const auto broker = startBroker(secureConfig());
    RawClient device(version);
    QVERIFY(device.connectTo(broker->listenAddresses().first().port));
    QVERIFY(device.handshake(login(QStringLiteral("dev-1"), QStringLiteral("dev-1"), "device-secret")));
    device.send(subscription(filter));
    const auto suback = device.waitFor(PacketType::Suback);
    QVERIFY(suback);
    const ReasonCode refused = version == ProtocolVersion::V5 ? ReasonCode::NotAuthorized : ReasonCode::UnspecifiedError;
    QCOMPARE(std::get<Suback>(*suback).reasonCodes.first(), granted ? ReasonCode::GrantedQoS1 : refused);
    QCOMPARE(broker->counters().accessDenials, granted ? 0u : 1u);
}

void TestSecurity::devicePublishDeniedInBothDirections_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("v3.1.1: acknowledged and dropped [MQTT-3.3.5-2]") << ProtocolVersion::V3_1_1;
    QTest::newRow("v5: PUBACK 0x87 Not authorized") << ProtocolVersion::V5;
}

void TestSecurity::devicePublishDeniedInBothDirections()
{
    QFETCH(ProtocolVersion, version);
    const auto broker = startBroker(secureConfig());
    const quint16 port = broker->listenAddresses().first().port;
    RawClient victim;
    QVERIFY(victim.connectTo(port));
    QVERIFY(victim.handshake(login(QStringLiteral("dev-2"), QStringLiteral("dev-2"), "device-secret")));
    victim.send(subscription(QStringLiteral("devices/dev-2/push")));
    QVERIFY(victim.waitFor(PacketType::Suback));
    RawClient operatorClient;
    QVERIFY(operatorClient.connectTo(port));
    QVERIFY(operatorClient.handshake(login(QStringLiteral("console"), QStringLiteral("ops"), "operator-secret")));
    operatorClient.send(subscription(QStringLiteral("devices/+/receipt")));
    QVERIFY(operatorClient.waitFor(PacketType::Suback));

    RawClient forger(version);
    QVERIFY(forger.connectTo(port));
    QVERIFY(forger.handshake(login(QStringLiteral("dev-1"), QStringLiteral("dev-1"), "device-secret")));
    Publish forged;
    forged.topic = QStringLiteral("devices/dev-2/push");
    forged.payload = "forged";
    forged.qos = QoS::AtLeastOnce;
    forged.packetId = 9;
    forger.send(forged);
    const auto ack = forger.waitFor(PacketType::Puback);
    QVERIFY(ack);
    QCOMPARE(std::get<Puback>(*ack).reasonCode,
             version == ProtocolVersion::V5 ? ReasonCode::NotAuthorized : ReasonCode::Success);

    // Its own receipt topic is allowed, and reaches the operator.
    Publish receipt;
    receipt.topic = QStringLiteral("devices/dev-1/receipt");
    receipt.payload = "ok";
    receipt.qos = QoS::AtLeastOnce;
    receipt.packetId = 10;
    forger.send(receipt);
    QCOMPARE(std::get<Puback>(*forger.waitFor(PacketType::Puback)).reasonCode, ReasonCode::Success);
    const auto seen = operatorClient.waitFor(PacketType::Publish);
    QVERIFY(seen);
    QCOMPARE(std::get<Publish>(*seen).topic, QStringLiteral("devices/dev-1/receipt"));
    // The victim never saw the forged push: its PINGRESP queues behind anything routed to it.
    victim.send(Pingreq{});
    QVERIFY(victim.waitFor(PacketType::Pingresp));
    QVERIFY(victim.takeReceived().isEmpty());
    QCOMPARE(broker->counters().accessDenials, 1u);
}

void TestSecurity::willOnAnotherDevicesTopicIsRefused()
{
    const auto broker = startBroker(secureConfig());
    RawClient device(ProtocolVersion::V5);
    QVERIFY(device.connectTo(broker->listenAddresses().first().port));
    Connect connect = login(QStringLiteral("dev-1"), QStringLiteral("dev-1"), "device-secret");
    connect.will = Will{QStringLiteral("devices/dev-2/push"), "forged by will", QoS::AtMostOnce, false, {}};
    const auto connack = device.handshake(connect);
    QVERIFY(connack);
    QCOMPARE(connack->reasonCode, ReasonCode::NotAuthorized);
    // Its own state topic is a fine will.
    RawClient honest(ProtocolVersion::V5);
    QVERIFY(honest.connectTo(broker->listenAddresses().first().port));
    connect.will->topic = QStringLiteral("devices/dev-1/state");
    QCOMPARE(honest.handshake(connect)->reasonCode, ReasonCode::Success);
}

void TestSecurity::customRuleWithUserSubstitution()
{
    BrokerConfig config = secureConfig();
    const auto rule = AccessRule::parse(QStringLiteral("user:dev-1 read fleet/%u/config"));
    QVERIFY(rule);
    config.aclRules = {*rule};
    QString problem;
    QVERIFY(!AccessRule::parse(QStringLiteral("nobody read x"), &problem));
    QVERIFY(problem.contains(QStringLiteral("nobody")));
    const auto broker = startBroker(config);
    RawClient device;
    QVERIFY(device.connectTo(broker->listenAddresses().first().port));
    QVERIFY(device.handshake(login(QStringLiteral("dev-1"), QStringLiteral("dev-1"), "device-secret")));
    device.send(subscription(QStringLiteral("fleet/dev-1/config")));
    QCOMPARE(std::get<Suback>(*device.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::GrantedQoS1);
    Subscribe other = subscription(QStringLiteral("fleet/dev-2/config"));
    other.packetId = 2;
    device.send(other);
    QCOMPARE(std::get<Suback>(*device.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::UnspecifiedError);
}

HERMES_TEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
