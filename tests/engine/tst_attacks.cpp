// The attacker's view: each case is a real client against a real broker trying to get more
// than its credential grants — another device's client ID, the admin API without an
// account, a password-less Unix socket, rights that were just withdrawn — over MQTT 3.1.1
// and 5, plain TCP and TLS.
#include "../common/testmain.h"
#include "rawclient.h"

#include "engine/security/accesscontrol.h"
#include "engine/broker.h"
#include "engine/io/peercredentials.h"
#include "engine/push/adminapi.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSslKey>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

Q_DECLARE_METATYPE(hermes::mqtt::ProtocolVersion)

namespace {

// The smallest iteration count a config file may name: slow enough to be real PBKDF2,
// fast enough for a test.
const PasswordHash &hashOf(const QByteArray &password)
{
    static QHash<QByteArray, PasswordHash> hashes;
    if (!hashes.contains(password))
        hashes.insert(password, PasswordHash::create(password, PasswordHash::MinIterations));
    return *hashes.find(password);
}

Connect login(const QString &clientId, const QString &user = {}, const QByteArray &password = {})
{
    Connect connect;
    connect.clientId = clientId;
    if (!user.isEmpty())
        connect.userName = user;
    if (!password.isEmpty())
        connect.password = password;
    return connect;
}

Subscribe subscription(const QString &filter, quint16 packetId = 1)
{
    Subscribe subscribe;
    subscribe.packetId = packetId;
    subscribe.subscriptions = {TopicSubscription{filter, SubscribeOptions{QoS::AtLeastOnce}}};
    return subscribe;
}

Publish message(const QString &topic, quint16 packetId, const QByteArray &payload = "x")
{
    Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = QoS::AtLeastOnce;
    publish.packetId = packetId;
    return publish;
}

/// The v5 reason code in the next PUBACK, nullopt when none came.
std::optional<ReasonCode> pubackCode(RawClient &client)
{
    const auto ack = client.waitFor(PacketType::Puback);
    if (!ack)
        return std::nullopt;
    return std::get<Puback>(*ack).reasonCode;
}

/// Still connected and answering: a PINGRESP queues behind anything routed to it before.
bool stillServed(RawClient &client)
{
    client.send(Pingreq{});
    return client.waitFor(PacketType::Pingresp).has_value();
}

} // namespace

class TestAttacks : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void deviceCannotBorrowAnotherClientId_data();
    void deviceCannotBorrowAnotherClientId();
    void accountPatternBindsClientIds();
    void anonymousCannotTakeAnAccountsClientId();
    void anonymousOnLoopbackCannotReachTheAdminApi_data();
    void anonymousOnLoopbackCannotReachTheAdminApi();
    void certificateNameIsTheIdentity_data();
    void certificateNameIsTheIdentity();
    void unixSocketAsRootIsAnOperator();
    void unixSocketAsAnotherUserIsNot();
    void localAdministratorDecision();
    void removedAccountIsCutAtOnce_data();
    void removedAccountIsCutAtOnce();
    void demotedOperatorIsRefusedOnTheSameConnection();
    void reloadAppliesToConnectedClients();
    void unknownUserCostsTheSameAsWrongPassword();
    void configErrorsNameTheirLine_data();
    void configErrorsNameTheirLine();

private:
    BrokerConfig baseConfig(bool tls = false) const;
    bool openssl(const QStringList &arguments);
    QString path(const QString &name) const { return m_dir.filePath(name); }
    QSslConfiguration clientTls(const QString &certificate = {}) const;
    /// Connects `client` to the broker's first listener (TLS when it is one).
    bool connectTo(RawClient &client, const Broker &broker, const QString &clientCertificate = {}) const;
    static std::unique_ptr<Broker> started(const BrokerConfig &config);

    QTemporaryDir m_dir;
    bool m_haveOpenssl = false;
};

bool TestAttacks::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral("openssl"), arguments);
    return process.waitForFinished(30000) && process.exitCode() == 0;
}

void TestAttacks::initTestCase()
{
    m_haveOpenssl = !QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty();
    if (!m_haveOpenssl)
        return; // the TLS rows skip themselves
    // A CA, a server certificate for localhost, and client certificates for dev-c and dev-b.
    QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                     "-days", "2", "-subj", "/CN=Hermes Test CA"}));
    QFile extensions(path(QStringLiteral("san.ext")));
    QVERIFY(extensions.open(QIODevice::WriteOnly));
    extensions.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    extensions.close();
    for (const char *name : {"server", "dev-c", "dev-b"}) {
        const QString base = QString::fromLatin1(name);
        const QString subject = base == QLatin1String("server") ? QStringLiteral("/CN=localhost") : QStringLiteral("/CN=") + base;
        QVERIFY(openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", base + ".key", "-out", base + ".csr",
                         "-subj", subject}));
        QStringList sign{"x509", "-req", "-in", base + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                         "-out", base + ".pem", "-days", "2"};
        if (base == QLatin1String("server"))
            sign << "-extfile" << "san.ext";
        QVERIFY(openssl(sign));
    }
}

BrokerConfig TestAttacks::baseConfig(bool tls) const
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0, tls}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.allowAnonymous = AnonymousAccess::Never;
    config.accounts = {Account{QStringLiteral("dev-a"), Role::Device, hashOf("secret-a"), {}},
                       Account{QStringLiteral("dev-b"), Role::Device, hashOf("secret-b"), {}},
                       Account{QStringLiteral("ops"), Role::Operator, hashOf("secret-ops"), {}}};
    if (tls) {
        config.tls.certificateFile = path(QStringLiteral("server.pem"));
        config.tls.keyFile = path(QStringLiteral("server.key"));
        config.tls.caFile = path(QStringLiteral("ca.pem"));
    }
    return config;
}

QSslConfiguration TestAttacks::clientTls(const QString &certificate) const
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates(QSslCertificate::fromPath(path(QStringLiteral("ca.pem"))));
    if (!certificate.isEmpty()) {
        configuration.setLocalCertificate(QSslCertificate::fromPath(path(certificate + QStringLiteral(".pem"))).value(0));
        QFile key(path(certificate + QStringLiteral(".key")));
        if (key.open(QIODevice::ReadOnly))
            configuration.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa));
    }
    return configuration;
}

bool TestAttacks::connectTo(RawClient &client, const Broker &broker, const QString &clientCertificate) const
{
    const ListenAddress address = broker.listenAddresses().first();
    return address.tls ? client.connectEncrypted(address.port, clientTls(clientCertificate))
                       : client.connectTo(address.port);
}

std::unique_ptr<Broker> TestAttacks::started(const BrokerConfig &config)
{
    auto broker = std::make_unique<Broker>(config);
    if (!broker->start())
        qFatal("broker did not start: %s", qPrintable(broker->errorString()));
    return broker;
}

void TestAttacks::deviceCannotBorrowAnotherClientId_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<ReasonCode>("refusal");
    // 3.1.1 return code 2 (Identifier rejected) reads back as 0x85.
    QTest::newRow("v3.1.1 plain: return code 2") << ProtocolVersion::V3_1_1 << false << ReasonCode::ClientIdentifierNotValid;
    QTest::newRow("v5 plain: 0x85") << ProtocolVersion::V5 << false << ReasonCode::ClientIdentifierNotValid;
    QTest::newRow("v3.1.1 TLS: return code 2") << ProtocolVersion::V3_1_1 << true << ReasonCode::ClientIdentifierNotValid;
    QTest::newRow("v5 TLS: 0x85") << ProtocolVersion::V5 << true << ReasonCode::ClientIdentifierNotValid;
}

void TestAttacks::deviceCannotBorrowAnotherClientId()
{
    QFETCH(ProtocolVersion, version);
    QFETCH(bool, tls);
    QFETCH(ReasonCode, refusal);
    if (tls && !m_haveOpenssl)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    const auto broker = started(baseConfig(tls));

    // dev-b, online and subscribed to its pushes; an operator watching every receipt and
    // registration.
    RawClient victim(version);
    QVERIFY(connectTo(victim, *broker));
    QCOMPARE(victim.handshake(login(QStringLiteral("dev-b"), QStringLiteral("dev-b"), "secret-b"))->reasonCode,
             ReasonCode::Success);
    victim.send(subscription(QStringLiteral("devices/dev-b/#")));
    QVERIFY(victim.waitFor(PacketType::Suback));
    RawClient watcher(ProtocolVersion::V5);
    QVERIFY(connectTo(watcher, *broker));
    QVERIFY(watcher.handshake(login(QStringLiteral("watcher"), QStringLiteral("ops"), "secret-ops")));
    watcher.send(subscription(QStringLiteral("devices/+/+")));
    QVERIFY(watcher.waitFor(PacketType::Suback));

    // dev-a's valid credential with dev-b's client ID, followed at once (same write) by
    // everything it would do with the session: subscribe, forge a receipt and a registration.
    RawClient attacker(version);
    QVERIFY(connectTo(attacker, *broker));
    Connect connect = login(QStringLiteral("dev-b"), QStringLiteral("dev-a"), "secret-a");
    connect.version = version;
    connect.cleanStart = false; // would resume dev-b's session
    QByteArray burst = encode(connect, version);
    burst += encode(subscription(QStringLiteral("devices/dev-b/#")), version);
    burst += encode(message(QStringLiteral("devices/dev-b/receipt"), 2, "forged receipt"), version);
    burst += encode(message(QStringLiteral("devices/dev-b/register"), 3, "forged registration"), version);
    attacker.sendBytes(burst);
    const auto connack = attacker.waitFor(PacketType::Connack);
    QVERIFY(connack);
    QCOMPARE(std::get<Connack>(*connack).reasonCode, refusal);
    QVERIFY(attacker.waitForClosed());
    QVERIFY2(attacker.takeReceived().isEmpty(), "nothing but the refusal");
    QCOMPARE(broker->counters().clientIdRefusals, 1u);
    QCOMPARE(broker->counters().takeOvers, 0u);

    // dev-b still has its connection and its pushes; nobody saw a forged message.
    Publish push;
    push.topic = QStringLiteral("devices/dev-b/push");
    push.payload = "for dev-b only";
    push.qos = QoS::AtLeastOnce;
    broker->publish(push);
    const auto delivered = victim.waitFor(PacketType::Publish);
    QVERIFY(delivered);
    QCOMPARE(std::get<Publish>(*delivered).payload, QByteArray("for dev-b only"));
    QVERIFY(stillServed(watcher));
    const QList<Packet> seen = watcher.takeReceived();
    for (const Packet &packet : seen) {
        if (const auto *publish = std::get_if<Publish>(&packet))
            QVERIFY2(publish->topic == QLatin1String("devices/dev-b/push"), qPrintable(publish->topic));
    }
    QCOMPARE(broker->sessionDetail(QStringLiteral("dev-b"))->info.userName, QStringLiteral("dev-b"));
}

void TestAttacks::accountPatternBindsClientIds()
{
    BrokerConfig config = baseConfig();
    config.accounts.append(Account{QStringLiteral("fleet"), Role::Device, hashOf("secret-fleet"), QStringLiteral("sensor-*")});
    const auto broker = started(config);
    const quint16 port = broker->listenAddresses().first().port;
    auto attempt = [&](const QString &clientId, const QString &user, const QByteArray &password) {
        RawClient client(ProtocolVersion::V5);
        if (!client.connectTo(port))
            return ReasonCode::UnspecifiedError;
        const auto connack = client.handshake(login(clientId, user, password));
        return connack ? connack->reasonCode : ReasonCode::UnspecifiedError;
    };
    QCOMPARE(attempt(QStringLiteral("sensor-17"), QStringLiteral("fleet"), "secret-fleet"), ReasonCode::Success);
    QCOMPARE(attempt(QStringLiteral("dev-b"), QStringLiteral("fleet"), "secret-fleet"), ReasonCode::ClientIdentifierNotValid);
    QCOMPARE(attempt(QStringLiteral("fleet"), QStringLiteral("fleet"), "secret-fleet"), ReasonCode::ClientIdentifierNotValid);
    // Operators are not bound unless their account says so.
    QCOMPARE(attempt(QStringLiteral("console-1"), QStringLiteral("ops"), "secret-ops"), ReasonCode::Success);
    QCOMPARE(broker->counters().clientIdRefusals, 2u);
}

void TestAttacks::anonymousCannotTakeAnAccountsClientId()
{
    BrokerConfig config = baseConfig();
    config.allowAnonymous = AnonymousAccess::Loopback;
    const auto broker = started(config);
    const quint16 port = broker->listenAddresses().first().port;
    RawClient victim;
    QVERIFY(victim.connectTo(port));
    QVERIFY(victim.handshake(login(QStringLiteral("dev-b"), QStringLiteral("dev-b"), "secret-b")));
    for (const auto version : {ProtocolVersion::V3_1_1, ProtocolVersion::V5}) {
        RawClient anonymous(version);
        QVERIFY(anonymous.connectTo(port));
        QCOMPARE(anonymous.handshake(login(QStringLiteral("dev-b")))->reasonCode, ReasonCode::ClientIdentifierNotValid);
    }
    // An ID no account claims is fine, with device rights over its own topics only.
    RawClient tool(ProtocolVersion::V5);
    QVERIFY(tool.connectTo(port));
    QCOMPARE(tool.handshake(login(QStringLiteral("bench-1")))->reasonCode, ReasonCode::Success);
    tool.send(subscription(QStringLiteral("devices/dev-b/#")));
    QCOMPARE(std::get<Suback>(*tool.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::NotAuthorized);
    QVERIFY(stillServed(victim));
    QCOMPARE(broker->counters().takeOvers, 0u);
}

void TestAttacks::anonymousOnLoopbackCannotReachTheAdminApi_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("v3.1.1") << ProtocolVersion::V3_1_1;
    QTest::newRow("v5") << ProtocolVersion::V5;
}

void TestAttacks::anonymousOnLoopbackCannotReachTheAdminApi()
{
    QFETCH(ProtocolVersion, version);
    // Nothing but the defaults: anonymous clients on loopback, as devices.
    BrokerConfig config;
    QCOMPARE(config.anonymousRole, Role::Device);
    QCOMPARE(config.allowAnonymous, AnonymousAccess::Loopback);
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    const auto broker = started(config);
    installPushServices(*broker);
    RawClient client(version);
    QVERIFY(client.connectTo(broker->listenAddresses().first().port));
    QCOMPARE(client.handshake(login(QStringLiteral("local-1")))->reasonCode, ReasonCode::Success);
    client.send(subscription(QStringLiteral("$hermes/admin/v1/replies/local-1")));
    QCOMPARE(std::get<Suback>(*client.waitFor(PacketType::Suback)).reasonCodes.first(),
             version == ProtocolVersion::V5 ? ReasonCode::NotAuthorized : ReasonCode::UnspecifiedError);
    Publish request = message(QStringLiteral("$hermes/admin/v1/accounts/set"), 5,
                              R"({"name":"mallory","role":"operator","password":"mallory-pass"})");
    client.send(request);
    QCOMPARE(pubackCode(client),
             version == ProtocolVersion::V5 ? ReasonCode::NotAuthorized : ReasonCode::Success);
    QVERIFY(stillServed(client));
    QVERIFY(broker->accounts().isEmpty());
    QCOMPARE(broker->counters().accessDenials, 2u);
}

void TestAttacks::certificateNameIsTheIdentity_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("v3.1.1") << ProtocolVersion::V3_1_1;
    QTest::newRow("v5") << ProtocolVersion::V5;
}

void TestAttacks::certificateNameIsTheIdentity()
{
    QFETCH(ProtocolVersion, version);
    if (!m_haveOpenssl)
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    BrokerConfig config = baseConfig(true);
    config.tls.requireClientCertificate = true;
    config.tls.identityAsUserName = true;
    const auto broker = started(config);
    // dev-c has a certificate and no account: a device that needs no password.
    RawClient device(version);
    QVERIFY(connectTo(device, *broker, QStringLiteral("dev-c")));
    QCOMPARE(device.handshake(login(QStringLiteral("dev-c")))->reasonCode, ReasonCode::Success);
    device.send(subscription(QStringLiteral("devices/dev-c/push")));
    QCOMPARE(std::get<Suback>(*device.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::GrantedQoS1);
    device.send(subscription(QStringLiteral("devices/dev-b/push"), 2));
    QVERIFY(std::get<Suback>(*device.waitFor(PacketType::Suback)).reasonCodes.first() != ReasonCode::GrantedQoS1);
    QCOMPARE(broker->sessionDetail(QStringLiteral("dev-c"))->info.userName, QStringLiteral("dev-c"));
    // The certificate decides, not the user name and password sent with it.
    RawClient borrower(version);
    QVERIFY(connectTo(borrower, *broker, QStringLiteral("dev-c")));
    QCOMPARE(borrower.handshake(login(QStringLiteral("dev-b"), QStringLiteral("dev-b"), "secret-b"))->reasonCode,
             ReasonCode::ClientIdentifierNotValid);
    QVERIFY(stillServed(device));
    // Without a certificate the handshake fails (TLS 1.3 may tell the client only after
    // it finished its side): never a CONNACK.
    RawClient anonymous(version);
    if (connectTo(anonymous, *broker))
        QVERIFY(!anonymous.handshake(login(QStringLiteral("dev-c"))));
    QCOMPARE(broker->counters().clientsConnected, 1u);
}

void TestAttacks::unixSocketAsRootIsAnOperator()
{
    if (::geteuid() != 0)
        HERMES_SKIP("needs root: the Unix socket's peer must be uid 0 (localAdministratorDecision covers other users)");
    BrokerConfig config = baseConfig();
    const QString socketPath = m_dir.filePath(QStringLiteral("root.sock"));
    config.localSockets = {socketPath};
    const auto broker = started(config);
    QCOMPARE(broker->localSocketPaths(), QStringList{socketPath});
    struct stat info {};
    QCOMPARE(::stat(QFile::encodeName(socketPath).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0660));
    for (const auto version : {ProtocolVersion::V3_1_1, ProtocolVersion::V5}) {
        RawClient admin(version);
        QVERIFY(admin.connectLocal(socketPath));
        // No user name, no password; anonymous TCP clients are refused on this broker.
        QCOMPARE(admin.handshake(login(QStringLiteral("admin-%1").arg(int(version))))->reasonCode, ReasonCode::Success);
        admin.send(subscription(QStringLiteral("#")));
        QCOMPARE(std::get<Suback>(*admin.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::GrantedQoS1);
    }
    QCOMPARE(broker->sessionDetail(QStringLiteral("admin-5"))->info.userName, QString());
    QCOMPARE(broker->identityOf(QStringLiteral("admin-5"))->role, Role::Operator);
    // A second broker on the same path is refused, not allowed to steal it.
    BrokerConfig second = baseConfig();
    second.listeners.clear();
    second.localSockets = {socketPath};
    Broker intruder(second);
    QVERIFY(!intruder.start());
    QVERIFY2(intruder.errorString().contains(QStringLiteral("listening")), qPrintable(intruder.errorString()));
    broker->stop();
    QVERIFY(!QFile::exists(socketPath));
}

void TestAttacks::unixSocketAsAnotherUserIsNot()
{
    if (::geteuid() != 0)
        HERMES_SKIP("needs root to run a client as another user (localAdministratorDecision covers the rule)");
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    const QString publisher = QStandardPaths::findExecutable(QStringLiteral("mosquitto_pub"));
    if (setpriv.isEmpty() || publisher.isEmpty())
        HERMES_SKIP("needs setpriv (util-linux) and mosquitto_pub");
    QTemporaryDir socketDir; // readable by nobody, unlike the test's own directory perhaps
    QVERIFY(socketDir.isValid());
    QVERIFY(QFile::setPermissions(socketDir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner
                                                        | QFile::ExeGroup | QFile::ExeOther));
    BrokerConfig config = baseConfig();
    config.allowAnonymous = AnonymousAccess::Loopback; // as local as it gets, still a device
    config.localAdminGroup = QStringLiteral("hermes-test-no-such-group");
    const QString socketPath = socketDir.filePath(QStringLiteral("hermesd.sock"));
    config.listeners.clear();
    config.localSockets = {socketPath};
    const auto broker = started(config);
    // The file mode keeps "nobody" out; open it so the credential check is what decides.
    QVERIFY(::chmod(QFile::encodeName(socketPath).constData(), 0666) == 0);
    auto publishAs = [&](const QStringList &identity, const QString &topic) {
        QProcess process;
        QSignalSpy finished(&process, &QProcess::finished);
        process.start(setpriv, identity + QStringList{publisher, "--unix", socketPath, "-V", "mqttv5", "-q", "1",
                                                      "-r", "-i", "probe", "-t", topic, "-m", "written"});
        if (!finished.wait(15000))
            process.kill();
        return process.readAllStandardError();
    };
    const QStringList nobody{"--reuid=65534", "--regid=65534", "--clear-groups"};
    publishAs(nobody, QStringLiteral("ops/settings"));
    QVERIFY2(!broker->retained().all().contains(QStringLiteral("ops/settings")), "nobody wrote as an operator");
    QVERIFY(broker->counters().accessDenials >= 1);
    publishAs({"--reuid=0", "--regid=0", "--clear-groups"}, QStringLiteral("ops/settings"));
    QTRY_VERIFY(broker->retained().all().contains(QStringLiteral("ops/settings")));
}

void TestAttacks::localAdministratorDecision()
{
    // Root and the broker's own user always; others through the admin group (primary or
    // supplementary, per the group database). "nogroup" is gid 65534 on Debian.
    const PeerCredentials nobody{1234, 65534, 65534};
    QVERIFY(isLocalAdministrator(PeerCredentials{1, 0, 0}, QString(), 4242));
    QVERIFY(isLocalAdministrator(PeerCredentials{1, 4242, 4242}, QString(), 4242));
    QVERIFY(!isLocalAdministrator(nobody, QString(), 4242));
    QVERIFY(!isLocalAdministrator(nobody, QStringLiteral("hermes-test-no-such-group"), 4242));
    QVERIFY(!isLocalAdministrator(nobody, QStringLiteral("root"), 4242));
    if (::getgrnam("nogroup") && ::getgrnam("nogroup")->gr_gid == 65534)
        QVERIFY(isLocalAdministrator(nobody, QStringLiteral("nogroup"), 4242));
}

void TestAttacks::removedAccountIsCutAtOnce_data()
{
    QTest::addColumn<ProtocolVersion>("version");
    QTest::newRow("v3.1.1: closed") << ProtocolVersion::V3_1_1;
    QTest::newRow("v5: DISCONNECT 0x98") << ProtocolVersion::V5;
}

void TestAttacks::removedAccountIsCutAtOnce()
{
    QFETCH(ProtocolVersion, version);
    QTemporaryDir data;
    BrokerConfig config = baseConfig();
    config.persistence = true;
    config.dataDir = data.path();
    const auto broker = started(config);
    QString problem;
    QVERIFY(broker->setAccount(Account{QStringLiteral("dev-x"), Role::Device, hashOf("secret-x"), {}}, &problem));
    RawClient device(version);
    QVERIFY(device.connectTo(broker->listenAddresses().first().port));
    QCOMPARE(device.handshake(login(QStringLiteral("dev-x"), QStringLiteral("dev-x"), "secret-x"))->reasonCode,
             ReasonCode::Success);
    QVERIFY(broker->removeAccount(QStringLiteral("dev-x"), &problem));
    if (version == ProtocolVersion::V5) {
        const auto disconnect = device.waitFor(PacketType::Disconnect);
        QVERIFY(disconnect);
        QCOMPARE(std::get<Disconnect>(*disconnect).reasonCode, ReasonCode::AdministrativeAction);
    }
    QVERIFY(device.waitForClosed());
    QCOMPARE(broker->counters().sessionsRevoked, 1u);
    RawClient again(version);
    QVERIFY(again.connectTo(broker->listenAddresses().first().port));
    QCOMPARE(again.handshake(login(QStringLiteral("dev-x"), QStringLiteral("dev-x"), "secret-x"))->reasonCode,
             ReasonCode::BadUserNameOrPassword);
}

void TestAttacks::demotedOperatorIsRefusedOnTheSameConnection()
{
    QTemporaryDir data;
    BrokerConfig config = baseConfig();
    config.persistence = true;
    config.dataDir = data.path();
    const auto broker = started(config);
    installPushServices(*broker);
    QString problem;
    QVERIFY(broker->setAccount(Account{QStringLiteral("ops-2"), Role::Operator, hashOf("secret-ops-2"), {}}, &problem));
    RawClient client(ProtocolVersion::V5);
    QVERIFY(client.connectTo(broker->listenAddresses().first().port));
    // Its client ID is its user name: as a device it may keep using it (another ID would
    // be closed at the demotion, as any device account's is).
    QCOMPARE(client.handshake(login(QStringLiteral("ops-2"), QStringLiteral("ops-2"), "secret-ops-2"))->reasonCode,
             ReasonCode::Success);
    client.send(subscription(QStringLiteral("#")));
    QCOMPARE(std::get<Suback>(*client.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::GrantedQoS1);
    client.send(message(QStringLiteral("$hermes/admin/v1/sessions/list"), 7, "{}"));
    QVERIFY(pubackCode(client) != ReasonCode::NotAuthorized);

    QVERIFY(broker->setAccount(Account{QStringLiteral("ops-2"), Role::Device, hashOf("secret-ops-2"), {}}, &problem));
    QVERIFY(stillServed(client));
    client.takeReceived();
    client.send(message(QStringLiteral("$hermes/admin/v1/accounts/list"), 8, "{}"));
    QCOMPARE(pubackCode(client), ReasonCode::NotAuthorized);
    // Its "#" went with the operator role: other clients' traffic no longer reaches it.
    Publish elsewhere;
    elsewhere.topic = QStringLiteral("devices/dev-b/push");
    elsewhere.payload = "not for ops-2";
    broker->publish(elsewhere);
    QVERIFY(stillServed(client));
    QVERIFY(!client.waitFor(PacketType::Publish, 200));
    QCOMPARE(broker->identityOf(QStringLiteral("ops-2"))->role, Role::Device);
}

void TestAttacks::reloadAppliesToConnectedClients()
{
    BrokerConfig config = baseConfig();
    const auto broker = started(config);
    const quint16 port = broker->listenAddresses().first().port;
    RawClient devA(ProtocolVersion::V5), devB(ProtocolVersion::V5);
    QVERIFY(devA.connectTo(port) && devB.connectTo(port));
    QVERIFY(devA.handshake(login(QStringLiteral("dev-a"), QStringLiteral("dev-a"), "secret-a")));
    QVERIFY(devB.handshake(login(QStringLiteral("dev-b"), QStringLiteral("dev-b"), "secret-b")));
    devB.send(subscription(QStringLiteral("fleet/all")));
    QCOMPARE(std::get<Suback>(*devB.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::NotAuthorized);

    // As hermesd does on SIGHUP: dev-a's line is gone, and a new rule grants fleet/all.
    AccessSettings reloaded = AccessSettings::from(config);
    reloaded.accounts.removeFirst();
    reloaded.aclRules = {*AccessRule::parse(QStringLiteral("device read fleet/all"))};
    broker->reloadAccess(reloaded);
    const auto disconnect = devA.waitFor(PacketType::Disconnect);
    QVERIFY(disconnect);
    QCOMPARE(std::get<Disconnect>(*disconnect).reasonCode, ReasonCode::AdministrativeAction);
    devB.send(subscription(QStringLiteral("fleet/all"), 2));
    QCOMPARE(std::get<Suback>(*devB.waitFor(PacketType::Suback)).reasonCodes.first(), ReasonCode::GrantedQoS1);

    // And back: the rule goes, and so does the subscription it allowed.
    reloaded.aclRules.clear();
    broker->reloadAccess(reloaded);
    Publish all;
    all.topic = QStringLiteral("fleet/all");
    all.payload = "nobody may read this now";
    broker->publish(all);
    QVERIFY(stillServed(devB));
    QVERIFY(!devB.waitFor(PacketType::Publish, 200));
}

void TestAttacks::unknownUserCostsTheSameAsWrongPassword()
{
    // A measurement, not a timed assertion: the numbers are printed (docs/BENCHMARKS.md).
    // The one check is coarse: without the decoy derivation an unknown user is answered
    // several times faster than a wrong password, far outside any scheduling noise.
    const auto broker = started(baseConfig());
    const quint16 port = broker->listenAddresses().first().port;
    constexpr int Tries = 50;
    auto timeLogin = [&](const QString &user) {
        RawClient client(ProtocolVersion::V5);
        if (!client.connectTo(port))
            return -1.0;
        QElapsedTimer timer;
        timer.start();
        const auto connack = client.handshake(login(user, user, "wrong-password"));
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        return connack && connack->reasonCode == ReasonCode::BadUserNameOrPassword ? ms : -1.0;
    };
    QList<double> wrong, unknown;
    for (int i = 0; i < Tries; ++i) { // interleaved, so drift in machine load hits both
        wrong.append(timeLogin(QStringLiteral("dev-a")));
        unknown.append(timeLogin(QStringLiteral("nobody-%1").arg(i)));
        QVERIFY(wrong.last() > 0 && unknown.last() > 0);
    }
    auto median = [](QList<double> values) {
        std::sort(values.begin(), values.end());
        return values.at(values.size() / 2);
    };
    const double wrongMs = median(wrong), unknownMs = median(unknown);
    qInfo("wrong password: median %.2f ms; unknown user: median %.2f ms; ratio %.2f (%d tries each, %d iterations)",
          wrongMs, unknownMs, unknownMs / wrongMs, Tries, PasswordHash::MinIterations);
    QVERIFY2(unknownMs > wrongMs * 0.5, "an unknown user must cost a PBKDF2 derivation too");
}

void TestAttacks::configErrorsNameTheirLine_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("mentions");
    const QString cheap = PasswordHash::create("x", 1000).toString();
    const QString ok = hashOf("x").toString();
    QTest::newRow("too few iterations") << QStringLiteral("# c\naccount a device %1\n").arg(cheap) << 2 << "1000";
    QTest::newRow("too many iterations")
        << QStringLiteral("\n\naccount a device pbkdf2-sha256$20000000$%1\n").arg(ok.section(QLatin1Char('$'), 2))
        << 3 << "20000000";
    QTest::newRow("empty client_id") << QStringLiteral("account a device %1 client_id=\n").arg(ok) << 1 << "client_id";
    QTest::newRow("account twice") << QStringLiteral("account a device %1\naccount a operator %1\n").arg(ok) << 2 << "twice";
    QTest::newRow("relative unix socket") << QStringLiteral("listener unix:hermesd.sock\n") << 1 << "unix:";
    QTest::newRow("unix socket over TLS") << QStringLiteral("listener_tls unix:/run/h.sock\n") << 1 << "HOST:PORT";
    QTest::newRow("durability") << QStringLiteral("log_level info\ndurability disk\n") << 2 << "process or power";
    QTest::newRow("use_identity_as_username") << QStringLiteral("use_identity_as_username maybe\n") << 1 << "true or false";
}

void TestAttacks::configErrorsNameTheirLine()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, mentions);
    const auto parsed = parseBrokerConfig(text, QStringLiteral("t.conf"));
    const auto *error = std::get_if<ConfigError>(&parsed);
    QVERIFY(error);
    QCOMPARE(error->line, line);
    QVERIFY2(error->toString().startsWith(QStringLiteral("t.conf:%1: ").arg(line)), qPrintable(error->toString()));
    QVERIFY2(error->message.contains(mentions), qPrintable(error->message));
}

HERMES_TEST_GUILESS_MAIN(TestAttacks)
#include "tst_attacks.moc"
