// The console and hermesctl attached to a broker over TLS, against real processes: hermesd
// with a TLS listener and certificates made by the openssl CLI, mosquitto_sub as a device
// over TLS, Debian's mosquitto as the broker that is not Hermes. The right CA attaches; a
// wrong CA, a wrong name, unreadable files or a plain port fail saying which and why, and
// never fall back to client mode; a client certificate logs in as its identity.
#include "../common/hermesdprocess.h"
#include "../common/programrun.h"
#include "../common/mosquitto.h"
#include "../common/sessionmirror.h"
#include "../common/testcertificates.h"
#include "../common/testmain.h"
#include "engine/client/clientengine.h"
#include "engine/mqttclient.h"
#include "engine/remote/attach.h"
#include "engine/remote/remoteengine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslServer>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>

using namespace hermes;
using hermes::test::HermesdProcess;
using hermes::test::SessionMirror;
using Run = hermes::test::ProgramRun;

Q_DECLARE_METATYPE(hermes::ClientOptions::Tls)

namespace {

constexpr int ProcessTimeoutMs = HermesdProcess::TimeoutMs;
/// The client certificate's common name: hermesd's identity for it.
const QString CertificateUser = QStringLiteral("console-op");

/// Starts `engine` and waits for its verdict: empty once started, else why not.
QString startAndWait(EngineMonitor &engine)
{
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    engine.start();
    if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 20000))
        return QStringLiteral("neither started() nor startFailed() within 20 s");
    return failed.isEmpty() ? QString() : failed.first().first().toString();
}

} // namespace

class TestTlsAttach : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void attachAddressForms_data();
    void attachAddressForms();
    void remoteEngineOverTlsSeesADevice();
    void wrongCaFailsNamingTheBroker();
    void peerNameMismatchIsNamed();
    void tlsProblemsAreNamed_data();
    void tlsProblemsAreNamed();
    void unreadableFileIsReportedBeforeConnecting();
    void expiredBrokerCertificateIsNamed();
    void silentListenerTimesOutTheHandshake();
    void hermesctlOverTls();
    void replayOverTls();
    void clientCertificateIsTheIdentity();
    void clientEngineOverTlsToMosquitto();

private:
    QString path(const QString &file) const { return m_dir.filePath(file); }
    ClientOptions::Tls trusting(const QString &caFile) const;
    RemoteEngineOptions operatorOptions(const ClientOptions::Tls &tls) const;
    /// mosquitto_sub over TLS as device `id` on its push topic, with `extra` arguments.
    QProcess *startTlsDevice(const QString &id, quint16 port, const QStringList &extra = {});
    /// hermesctl as the operator "admin" ($HERMES_USER, $HERMES_PASSWORD), or with no
    /// credentials at all.
    Run hermesctl(const QStringList &arguments, bool asAdmin = true) const;
    /// The MqttClient's end over TLS with `tls` to `port`: the disconnected() detail and reason.
    std::pair<QString, mqtt::client::CloseReason> failedConnection(const ClientOptions::Tls &tls, quint16 port,
                                                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

    QTemporaryDir m_dir;
    HermesdProcess m_hermesd;
    QList<QProcess *> m_devices;
};

void TestTlsAttach::initTestCase()
{
    for (const char *program : {"openssl", "mosquitto_sub"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(program)).isEmpty())
            HERMES_SKIP(qPrintable(QStringLiteral("%1 is not installed (scripts/setup.sh installs it)").arg(QLatin1String(program))));
    }
    QVERIFY(m_dir.isValid());
    // A CA; the broker's certificate it signs for localhost and 127.0.0.1; a client
    // certificate it signs; and a CA that signed nothing here.
    hermes::test::TestCertificates certificates(m_dir.path());
    QVERIFY(certificates.makeCa(QStringLiteral("ca"), QStringLiteral("Hermes Test CA")));
    QVERIFY(certificates.makeSigned(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                    QStringLiteral("DNS:localhost,IP:127.0.0.1")));
    QVERIFY(certificates.makeSigned(QStringLiteral("client"), QStringLiteral("ca"), CertificateUser));
    QVERIFY(certificates.makeCa(QStringLiteral("other-ca"), QStringLiteral("Somebody Else")));
    QVERIFY(certificates.makeSigned(QStringLiteral("stranger"), QStringLiteral("other-ca"), QStringLiteral("stranger")));
    QVERIFY(certificates.makeSigned(QStringLiteral("expired"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                    QStringLiteral("DNS:localhost,IP:127.0.0.1"), -1));

    m_hermesd.setTls({path(QStringLiteral("server.pem")), path(QStringLiteral("server.key")), {}});
    QVERIFY2(m_hermesd.start(), qPrintable(m_hermesd.error()));
    QVERIFY(m_hermesd.tlsPort() != 0);
}

void TestTlsAttach::cleanup()
{
    for (QProcess *device : std::as_const(m_devices)) {
        device->kill();
        device->waitForFinished();
        delete device;
    }
    m_devices.clear();
}

ClientOptions::Tls TestTlsAttach::trusting(const QString &caFile) const
{
    ClientOptions::Tls tls;
    tls.caFile = path(caFile);
    return tls;
}

RemoteEngineOptions TestTlsAttach::operatorOptions(const ClientOptions::Tls &tls) const
{
    RemoteEngineOptions options;
    options.port = m_hermesd.tlsPort();
    options.tls = tls;
    options.userName = QStringLiteral("admin");
    options.password = HermesdProcess::Password.toUtf8();
    options.firstRetry = std::chrono::milliseconds(200);
    options.lastRetry = std::chrono::milliseconds(1000);
    return options;
}

QProcess *TestTlsAttach::startTlsDevice(const QString &id, quint16 port, const QStringList &extra)
{
    auto *device = new QProcess;
    m_devices.append(device);
    // "localhost": mosquitto checks the name against the certificate's DNS names.
    device->start(QStringLiteral("mosquitto_sub"),
                  QStringList{QStringLiteral("-h"), QStringLiteral("localhost"), QStringLiteral("-p"), QString::number(port),
                              QStringLiteral("--cafile"), path(QStringLiteral("ca.pem")), QStringLiteral("-V"),
                              QStringLiteral("mqttv5"), QStringLiteral("-i"), id, QStringLiteral("-q"), QStringLiteral("1"),
                              QStringLiteral("-t"), QStringLiteral("devices/%1/push").arg(id)}
                          + extra);
    return device->waitForStarted() ? device : nullptr;
}

Run TestTlsAttach::hermesctl(const QStringList &arguments, bool asAdmin) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : {QStringLiteral("HERMES_USER"), QStringLiteral("HERMES_PASSWORD"), QStringLiteral("HERMES_BROKER")})
        environment.remove(name);
    if (asAdmin) {
        environment.insert(QStringLiteral("HERMES_USER"), QStringLiteral("admin"));
        environment.insert(QStringLiteral("HERMES_PASSWORD"), HermesdProcess::Password);
    }
    return hermes::test::runProgram(QStringLiteral(HERMESCTL_BIN), arguments, environment);
}

std::pair<QString, mqtt::client::CloseReason> TestTlsAttach::failedConnection(const ClientOptions::Tls &tls, quint16 port,
                                                                             std::chrono::milliseconds timeout)
{
    ClientOptions options;
    options.port = port;
    options.tcpConnectTimeout = timeout;
    options.transport = ClientOptions::Transport::Tls;
    options.tls = tls;
    options.connect.version = mqtt::ProtocolVersion::V5;
    options.connect.clientId = QStringLiteral("tls-probe");
    MqttClient client(options);
    QSignalSpy errors(&client, &MqttClient::errorOccurred);
    QSignalSpy ended(&client, &MqttClient::disconnected);
    QSignalSpy connected(&client, &MqttClient::connected);
    client.connectToBroker();
    if (!QTest::qWaitFor([&] { return !ended.isEmpty(); }, 15000))
        return {QStringLiteral("no disconnected()"), mqtt::client::CloseReason::ClientDisconnect};
    if (!connected.isEmpty())
        return {QStringLiteral("connected"), mqtt::client::CloseReason::ClientDisconnect};
    // errorOccurred() says the same as the disconnected() detail.
    if (errors.isEmpty() || errors.first().first().toString() != ended.first().at(2).toString())
        return {QStringLiteral("errorOccurred() and disconnected() differ"), mqtt::client::CloseReason::ClientDisconnect};
    return {ended.first().at(2).toString(), ended.first().at(0).value<mqtt::client::CloseReason>()};
}

void TestTlsAttach::attachAddressForms_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("address"); // as errors and the status bar show it

    QTest::newRow("mqtts with port") << "mqtts://broker.example:8884" << true << "broker.example" << 8884 << true
                                     << "mqtts://broker.example:8884";
    QTest::newRow("mqtts default port 8883") << "mqtts://broker.example" << true << "broker.example" << 8883 << true
                                             << "mqtts://broker.example:8883";
    QTest::newRow("mqtts IPv6") << "mqtts://[::1]:8883" << true << "::1" << 8883 << true << "mqtts://[::1]:8883";
    QTest::newRow("mqtt scheme is plain") << "mqtt://broker.example:1884" << true << "broker.example" << 1884 << false
                                          << "broker.example:1884";
    QTest::newRow("mqtt default port 1883") << "mqtt://broker.example" << true << "broker.example" << 1883 << false
                                            << "broker.example:1883";
    QTest::newRow("plain host:port unchanged") << "10.0.0.2:1884" << true << "10.0.0.2" << 1884 << false << "10.0.0.2:1884";
    QTest::newRow("mqtts bad port") << "mqtts://broker.example:0" << false << "" << 0 << false << "";
    QTest::newRow("mqtts with a path") << "mqtts://broker.example/x" << false << "" << 0 << false << "";
    QTest::newRow("other scheme") << "ws://broker.example:80" << false << "" << 0 << false << "";
}

void TestTlsAttach::attachAddressForms()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    const std::optional<RemoteEngineOptions> options = parseAttachAddress(text);
    QCOMPARE(options.has_value(), valid);
    if (!valid)
        return;
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(bool, tls);
    QFETCH(QString, address);
    QCOMPARE(options->host, host);
    QCOMPARE(int(options->port), port);
    QCOMPARE(options->tls.has_value(), tls);
    if (tls) // system CAs, no client certificate, the host as the name to check
        QCOMPARE(*options->tls, ClientOptions::Tls{});
    QCOMPARE(options->address(), address);
    QCOMPARE(clientOptionsFor(*options, QStringLiteral("x-")).transport,
             tls ? ClientOptions::Transport::Tls : ClientOptions::Transport::Tcp);
    // What is shown reads back as the same broker.
    const std::optional<RemoteEngineOptions> again = parseAttachAddress(options->address());
    QVERIFY(again);
    QCOMPARE(again->address(), address);
}

void TestTlsAttach::remoteEngineOverTlsSeesADevice()
{
    const RemoteEngineOptions options = operatorOptions(trusting(QStringLiteral("ca.pem")));
    const AdminApiProbeResult probe = probeAdminApi(options, std::chrono::seconds(10));
    QCOMPARE(probe.outcome, AdminApiProbe::Operator);
    QVERIFY2(probe.listeners.contains(QStringLiteral("127.0.0.1:%1 (TLS)").arg(m_hermesd.tlsPort())),
             qPrintable(probe.listeners.join(QLatin1String(", "))));

    std::unique_ptr<EngineMonitor> engine = attachEngine(options, std::chrono::seconds(10));
    QVERIFY(dynamic_cast<RemoteEngine *>(engine.get()));
    SessionMirror mirror(*engine);
    const QString failure = startAndWait(*engine);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(engine->attachedTo(), QStringLiteral("mqtts://127.0.0.1:%1").arg(m_hermesd.tlsPort()));

    // A device over TLS and one over plain TCP: both in the list the console shows.
    QVERIFY(startTlsDevice(QStringLiteral("tls-device"), m_hermesd.tlsPort()));
    auto *plain = new QProcess;
    m_devices.append(plain);
    plain->start(QStringLiteral("mosquitto_sub"),
                 {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_hermesd.port()),
                  QStringLiteral("-i"), QStringLiteral("plain-device"), QStringLiteral("-t"), QStringLiteral("devices/plain-device/push")});
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("tls-device")), 20000);
    QCOMPARE(mirror.sessions.value(QStringLiteral("tls-device")).subscriptions, 1);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.online(QStringLiteral("plain-device")), 20000);
    engine->stop();
    QVERIFY(!engine->isRunning());
}

void TestTlsAttach::wrongCaFailsNamingTheBroker()
{
    const RemoteEngineOptions options = operatorOptions(trusting(QStringLiteral("other-ca.pem")));
    const QString broker = QStringLiteral("mqtts://127.0.0.1:%1").arg(m_hermesd.tlsPort());
    const QString caFile = path(QStringLiteral("other-ca.pem"));

    const AdminApiProbeResult probe = probeAdminApi(options, std::chrono::seconds(10));
    QCOMPARE(probe.outcome, AdminApiProbe::TlsFailed);
    QVERIFY2(probe.message.contains(QStringLiteral("not trusted by CA file %1").arg(caFile)), qPrintable(probe.message));

    // Client mode would fail the same way, less clearly: the remote engine says why.
    std::unique_ptr<EngineMonitor> engine = attachEngine(options, std::chrono::seconds(10));
    QVERIFY(dynamic_cast<RemoteEngine *>(engine.get()));
    QSignalSpy started(engine.get(), &EngineMonitor::started);
    QSignalSpy failed(engine.get(), &EngineMonitor::startFailed);
    engine->start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
    const QString reason = failed.first().first().toString();
    QVERIFY2(reason.startsWith(broker + QLatin1String(": TLS handshake failed: the broker's certificate is not trusted by CA file ")
                               + caFile),
             qPrintable(reason));
    QVERIFY(started.isEmpty());
    QVERIFY(!engine->isRunning());
}

void TestTlsAttach::peerNameMismatchIsNamed()
{
    ClientOptions::Tls tls = trusting(QStringLiteral("ca.pem"));
    tls.peerName = QStringLiteral("broker.example");
    RemoteEngine engine(operatorOptions(tls));
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    engine.start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
    const QString reason = failed.first().first().toString();
    QVERIFY2(reason.contains(QStringLiteral("mqtts://127.0.0.1:%1").arg(m_hermesd.tlsPort()))
                 && reason.contains(QLatin1String("TLS handshake failed: the broker's certificate does not name "
                                                  "broker.example (it names localhost, 127.0.0.1)")),
             qPrintable(reason));
    QVERIFY(!engine.isRunning());

    // The name it does carry passes.
    tls.peerName = QStringLiteral("localhost");
    RemoteEngine named(operatorOptions(tls));
    const QString failure = startAndWait(named);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    named.stop();
}

void TestTlsAttach::tlsProblemsAreNamed_data()
{
    QTest::addColumn<ClientOptions::Tls>("tls");
    QTest::addColumn<bool>("plainPort");
    QTest::addColumn<QString>("expected");

    ClientOptions::Tls untrusted;
    QTest::newRow("system CAs do not know a private CA") << untrusted << false
                                                        << "TLS handshake failed: the broker's certificate is not trusted "
                                                           "by the system's CAs";
    ClientOptions::Tls mismatched = trusting(QStringLiteral("ca.pem"));
    mismatched.certificateFile = path(QStringLiteral("client.pem"));
    mismatched.keyFile = path(QStringLiteral("server.key"));
    QTest::newRow("key does not match the certificate")
            << mismatched << false
            << QStringLiteral("TLS: the client certificate %1 and the private key %2 cannot be used together")
                       .arg(mismatched.certificateFile, mismatched.keyFile);
    QTest::newRow("TLS to a plain port") << trusting(QStringLiteral("ca.pem")) << true
                                         << "TLS handshake failed: the broker closed the connection (is mqtts://127.0.0.1:";
}

void TestTlsAttach::tlsProblemsAreNamed()
{
    QFETCH(ClientOptions::Tls, tls);
    QFETCH(bool, plainPort);
    QFETCH(QString, expected);
    const auto [detail, reason] = failedConnection(tls, plainPort ? m_hermesd.port() : m_hermesd.tlsPort());
    QVERIFY2(detail.startsWith(expected), qPrintable(detail));
    QCOMPARE(reason, mqtt::client::CloseReason::TlsFailed);
}

void TestTlsAttach::unreadableFileIsReportedBeforeConnecting()
{
    // A listener that counts connections: none may arrive when a file is unreadable.
    QTcpServer listener;
    QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
    struct Case {
        ClientOptions::Tls tls;
        QString expected;
    };
    ClientOptions::Tls missingCa = trusting(QStringLiteral("missing-ca.pem"));
    ClientOptions::Tls caNotPem = trusting(QStringLiteral("server.key"));
    ClientOptions::Tls missingKey = trusting(QStringLiteral("ca.pem"));
    missingKey.certificateFile = path(QStringLiteral("client.pem"));
    missingKey.keyFile = path(QStringLiteral("missing.key"));
    ClientOptions::Tls keyNotPem = missingKey;
    keyNotPem.keyFile = path(QStringLiteral("client.pem"));
    ClientOptions::Tls certificateWithoutKey = missingKey;
    certificateWithoutKey.keyFile.clear();
    const QList<Case> cases{
            {missingCa, QStringLiteral("TLS: cannot read the CA file %1: ").arg(missingCa.caFile)},
            {caNotPem, QStringLiteral("TLS: the CA file %1 holds no PEM certificate").arg(caNotPem.caFile)},
            {missingKey, QStringLiteral("TLS: cannot read the private key %1: ").arg(missingKey.keyFile)},
            {keyNotPem, QStringLiteral("TLS: the private key %1 is not an unencrypted PEM RSA or EC key").arg(keyNotPem.keyFile)},
            {certificateWithoutKey,
             QStringLiteral("TLS: the client certificate %1 needs its private key file").arg(certificateWithoutKey.certificateFile)},
    };
    for (const Case &c : cases) {
        const auto [detail, reason] = failedConnection(c.tls, listener.serverPort());
        QVERIFY2(detail.startsWith(c.expected), qPrintable(detail + QLatin1String(" / expected: ") + c.expected));
        QCOMPARE(reason, mqtt::client::CloseReason::TlsFailed);
    }
    QVERIFY(!listener.waitForNewConnection(100));
    QVERIFY(!listener.hasPendingConnections());
}

void TestTlsAttach::expiredBrokerCertificateIsNamed()
{
    // Only the handshake matters here: a TLS server in this process with a certificate the
    // right CA signed, expired yesterday.
    QSslServer server;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(QSslCertificate::fromPath(path(QStringLiteral("expired.pem"))));
    QFile key(path(QStringLiteral("expired.key")));
    QVERIFY(key.open(QIODevice::ReadOnly));
    configuration.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa));
    server.setSslConfiguration(configuration);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const QSslCertificate certificate = configuration.localCertificate();
    QVERIFY(!certificate.isNull());
    const auto [detail, reason] = failedConnection(trusting(QStringLiteral("ca.pem")), server.serverPort());
    QVERIFY2(detail.startsWith(QStringLiteral("TLS handshake failed: the broker's certificate expired on %1")
                                       .arg(certificate.expiryDate().toUTC().toString(Qt::ISODate))),
             qPrintable(detail));
    QCOMPARE(reason, mqtt::client::CloseReason::TlsFailed);
}

void TestTlsAttach::silentListenerTimesOutTheHandshake()
{
    // TCP accepts, nobody answers the ClientHello: the connect timeout covers the handshake.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    const auto [detail, reason] = failedConnection(trusting(QStringLiteral("ca.pem")), silent.serverPort(),
                                                   std::chrono::milliseconds(500));
    QCOMPARE(detail, QStringLiteral("TLS handshake failed: mqtts://127.0.0.1:%1 did not finish it within 500 ms (is it a "
                                    "TLS listener?)")
                             .arg(silent.serverPort()));
    QCOMPARE(reason, mqtt::client::CloseReason::TlsFailed);
    QVERIFY(silent.hasPendingConnections()); // it did connect
}

void TestTlsAttach::hermesctlOverTls()
{
    QVERIFY(startTlsDevice(QStringLiteral("ctl-device"), m_hermesd.tlsPort()));
    const QString broker = QStringLiteral("mqtts://127.0.0.1:%1").arg(m_hermesd.tlsPort());
    const QString ca = path(QStringLiteral("ca.pem"));
    QTRY_VERIFY_WITH_TIMEOUT(hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--ca"), ca})
                                     .out.contains(QLatin1String("ctl-device")),
                             20000);
    const Run listed = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--ca"), ca});
    QCOMPARE(listed.exitCode, 0);

    // --ca alone implies TLS on a plain HOST:PORT.
    const Run implied = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"),
                                   QStringLiteral("127.0.0.1:%1").arg(m_hermesd.tlsPort()), QStringLiteral("--ca"), ca});
    QCOMPARE(implied.exitCode, 0);
    QVERIFY2(implied.out.contains(QLatin1String("ctl-device")), qPrintable(implied.out + implied.err));

    // Without --ca, the system's CAs do not know this one: the trust error, exit code 3.
    const Run untrusted = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker});
    QCOMPARE(untrusted.exitCode, 3);
    QVERIFY2(untrusted.err.contains(QStringLiteral("broker %1: TLS handshake failed: the broker's certificate is not "
                                                   "trusted by the system's CAs")
                                            .arg(broker)),
             qPrintable(untrusted.err));

    const Run wrongCa = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--ca"),
                                   path(QStringLiteral("other-ca.pem"))});
    QCOMPARE(wrongCa.exitCode, 3);
    QVERIFY2(wrongCa.err.contains(QStringLiteral("not trusted by CA file %1").arg(path(QStringLiteral("other-ca.pem")))),
             qPrintable(wrongCa.err));

    // Usage errors: a certificate without its key, TLS files for a Unix socket.
    const Run noKey = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--cert"),
                                 path(QStringLiteral("client.pem"))});
    QCOMPARE(noKey.exitCode, 2);
    QVERIFY2(noKey.err.contains(QLatin1String("--cert and --key go together")), qPrintable(noKey.err));
    const Run unixTls = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"),
                                   QStringLiteral("unix:") + m_hermesd.localSocket(), QStringLiteral("--ca"), ca});
    QCOMPARE(unixTls.exitCode, 2);
}

void TestTlsAttach::replayOverTls()
{
    // -C 1: it exits after the first message, which also flushes what it printed.
    QProcess *device = startTlsDevice(QStringLiteral("replay-device"), m_hermesd.tlsPort(), {QStringLiteral("-C"), QStringLiteral("1")});
    QVERIFY(device);
    const QString broker = QStringLiteral("mqtts://127.0.0.1:%1").arg(m_hermesd.tlsPort());
    const QString ca = path(QStringLiteral("ca.pem"));
    QTRY_VERIFY_WITH_TIMEOUT(hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--ca"), ca})
                                     .out.contains(QLatin1String("replay-device")),
                             20000);
    QFile capture(path(QStringLiteral("one.hcap")));
    QVERIFY(capture.open(QIODevice::WriteOnly));
    capture.write(R"({"format":"hermes-capture","version":1})" "\n");
    capture.write(QStringLiteral(R"({"time_ms":1000,"topic":"devices/replay-device/push","qos":1,"payload_base64":"%1"})")
                          .arg(QString::fromLatin1(QByteArray("replayed over TLS").toBase64()))
                          .toUtf8());
    capture.close();

    const Run replayed = hermesctl({QStringLiteral("replay"), QStringLiteral("--fast"), QStringLiteral("--broker"), broker,
                                    QStringLiteral("--ca"), ca, capture.fileName()});
    QVERIFY2(replayed.exitCode == 0, qPrintable(replayed.err));
    QVERIFY2(replayed.out.contains(QStringLiteral("replayed 1 messages to %1").arg(broker)), qPrintable(replayed.out));
    QVERIFY2(replayed.err.isEmpty(), qPrintable(replayed.err));
    QTRY_COMPARE_WITH_TIMEOUT(device->state(), QProcess::NotRunning, 10000);
    QCOMPARE(device->readAllStandardOutput().trimmed(), QByteArray("replayed over TLS"));

    // The same TLS errors as every other command: named, exit code 3, nothing published.
    const Run wrongCa = hermesctl({QStringLiteral("replay"), QStringLiteral("--fast"), QStringLiteral("--broker"), broker,
                                   QStringLiteral("--ca"), path(QStringLiteral("other-ca.pem")), capture.fileName()});
    QCOMPARE(wrongCa.exitCode, 3);
    QVERIFY2(wrongCa.err.contains(QStringLiteral("not trusted by CA file %1").arg(path(QStringLiteral("other-ca.pem")))),
             qPrintable(wrongCa.err));
}

void TestTlsAttach::clientCertificateIsTheIdentity()
{
    // A second hermesd that takes clients by certificate only: the common name is the user,
    // and an operator account of that name makes it an operator.
    HermesdProcess byCertificate;
    byCertificate.setTls({path(QStringLiteral("server.pem")), path(QStringLiteral("server.key")), path(QStringLiteral("ca.pem"))});
    byCertificate.addAccount(CertificateUser, QStringLiteral("operator"));
    QVERIFY2(byCertificate.start(), qPrintable(byCertificate.error()));
    const QString broker = QStringLiteral("mqtts://127.0.0.1:%1").arg(byCertificate.tlsPort());

    RemoteEngineOptions options;
    options.port = byCertificate.tlsPort();
    options.tls = trusting(QStringLiteral("ca.pem"));
    options.tls->certificateFile = path(QStringLiteral("client.pem"));
    options.tls->keyFile = path(QStringLiteral("client.key"));
    QCOMPARE(probeAdminApi(options, std::chrono::seconds(10)).outcome, AdminApiProbe::Operator);
    RemoteEngine engine(options);
    SessionMirror mirror(engine);
    const QString failure = startAndWait(engine);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    // Its own session carries the certificate's name as the user.
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(mirror.sessions.cbegin(), mirror.sessions.cend(),
                                         [](const SessionInfo &s) { return s.online && s.userName == CertificateUser; }),
                             20000);
    engine.stop();

    // hermesctl with --cert and --key: the same identity, no password.
    const Run listed = hermesctl({QStringLiteral("sessions"), QStringLiteral("--json"), QStringLiteral("--broker"), broker,
                                  QStringLiteral("--ca"), path(QStringLiteral("ca.pem")), QStringLiteral("--cert"),
                                  path(QStringLiteral("client.pem")), QStringLiteral("--key"), path(QStringLiteral("client.key"))},
                                 false);
    QCOMPARE(listed.exitCode, 0);
    const QJsonArray sessions = QJsonDocument::fromJson(listed.out.toUtf8()).object().value(QLatin1String("sessions")).toArray();
    QVERIFY2(std::any_of(sessions.cbegin(), sessions.cend(),
                         [](const QJsonValue &s) {
                             return s.toObject().value(QLatin1String("clientId")).toString().startsWith(QLatin1String("hermesctl-"))
                                 && s.toObject().value(QLatin1String("userName")).toString() == CertificateUser;
                         }),
             qPrintable(listed.out));

    // Without a certificate this broker ends the handshake: said as a TLS failure.
    const Run without = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--ca"),
                                   path(QStringLiteral("ca.pem"))});
    QCOMPARE(without.exitCode, 3);
    // A certificate from a CA this broker does not trust: refused, and said so.
    const Run stranger = hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), broker, QStringLiteral("--ca"),
                                    path(QStringLiteral("ca.pem")), QStringLiteral("--cert"), path(QStringLiteral("stranger.pem")),
                                    QStringLiteral("--key"), path(QStringLiteral("stranger.key"))},
                                   false);
    QCOMPARE(stranger.exitCode, 3);
    QVERIFY2(stranger.err.contains(QStringLiteral("broker %1: TLS handshake failed: the broker refused the client certificate %2")
                                           .arg(broker, path(QStringLiteral("stranger.pem")))),
             qPrintable(stranger.err));
    QVERIFY2(without.err.contains(QStringLiteral("broker %1: TLS handshake failed: the broker requires a client certificate")
                                          .arg(broker)),
             qPrintable(without.err));
}

void TestTlsAttach::clientEngineOverTlsToMosquitto()
{
    if (!hermes::test::Mosquitto::installed())
        HERMES_SKIP("mosquitto is not installed (scripts/setup.sh installs it)");
    const quint16 port = hermes::test::freePort();
    hermes::test::Mosquitto mosquitto(m_dir, port,
                                      {QStringLiteral("certfile ") + path(QStringLiteral("server.pem")),
                                       QStringLiteral("keyfile ") + path(QStringLiteral("server.key")),
                                       QStringLiteral("allow_anonymous true")});
    QVERIFY(mosquitto.start());
    RemoteEngineOptions options;
    options.port = port;
    options.tls = trusting(QStringLiteral("ca.pem"));
    // Not a Hermes broker: client mode, over TLS with the same files.
    QCOMPARE(probeAdminApi(options, std::chrono::seconds(3)).outcome, AdminApiProbe::NoAdminApi);
    std::unique_ptr<EngineMonitor> engine = attachEngine(options, std::chrono::seconds(3));
    auto *client = dynamic_cast<ClientEngine *>(engine.get());
    QVERIFY(client);
    QCOMPARE(client->options().tls, options.tls);
    SessionMirror mirror(*engine);
    const QString failure = startAndWait(*engine);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QCOMPARE(engine->attachedTo(), QStringLiteral("mqtts://127.0.0.1:%1").arg(port));

    QProcess publisher;
    publisher.start(QStringLiteral("mosquitto_pub"),
                    {QStringLiteral("-h"), QStringLiteral("localhost"), QStringLiteral("-p"), QString::number(port),
                     QStringLiteral("--cafile"), path(QStringLiteral("ca.pem")), QStringLiteral("-t"),
                     QStringLiteral("sensors/tls"), QStringLiteral("-m"), QStringLiteral("42")});
    QVERIFY(publisher.waitForFinished(ProcessTimeoutMs));
    QCOMPARE(publisher.exitCode(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(mirror.topics.contains(QStringLiteral("sensors/tls")), 20000);
    engine->stop();

    // The wrong CA: client mode says it is TLS, naming the broker.
    ClientEngineOptions wrong;
    wrong.port = port;
    wrong.tls = trusting(QStringLiteral("other-ca.pem"));
    ClientEngine refused(wrong);
    QSignalSpy refusedFailed(&refused, &EngineMonitor::startFailed);
    refused.start();
    QTRY_COMPARE_WITH_TIMEOUT(refusedFailed.size(), 1, 20000);
    const QString reason = refusedFailed.first().first().toString();
    QVERIFY2(reason.startsWith(QStringLiteral("mqtts://127.0.0.1:%1: TLS handshake failed: the broker's certificate is "
                                              "not trusted by CA file %2")
                                       .arg(port)
                                       .arg(wrong.tls->caFile)),
             qPrintable(reason));
}

HERMES_TEST_GUILESS_MAIN(TestTlsAttach)
#include "tst_tlsattach.moc"
