// TLS listeners with certificates made by the openssl CLI, exercised by Debian's mosquitto
// clients: a round trip with the right CA, a refused handshake with the wrong one.
#include "../common/testmain.h"
#include "engine/broker.h"

#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;

class TestTls : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void roundTripWithMosquittoClients();
    void wrongCaIsRefused();
    void plainAndTlsSideBySide();
    void missingCertificateIsReported();

private:
    bool openssl(const QStringList &arguments);
    QString path(const QString &name) const { return m_dir.filePath(name); }
    BrokerConfig tlsConfig() const;
    /// Runs a mosquitto client to completion while the broker (same thread) keeps serving.
    static int runClient(QProcess &process, const QString &program, const QStringList &arguments);

    QTemporaryDir m_dir;
};

bool TestTls::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(m_dir.path());
    process.start(QStringLiteral("openssl"), arguments);
    return process.waitForFinished(30000) && process.exitCode() == 0;
}

void TestTls::initTestCase()
{
    for (const char *program : {"openssl", "mosquitto_pub", "mosquitto_sub"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(program)).isEmpty())
            HERMES_SKIP(qPrintable(QStringLiteral("%1 is not installed (scripts/setup.sh installs it)").arg(QLatin1String(program))));
    }
    // A CA, a server certificate it signs (localhost and 127.0.0.1), and an unrelated CA.
    QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                     "-days", "2", "-subj", "/CN=Hermes Test CA"}));
    QVERIFY(openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                     "-subj", "/CN=localhost"}));
    QFile extensions(path(QStringLiteral("san.ext")));
    QVERIFY(extensions.open(QIODevice::WriteOnly));
    extensions.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    extensions.close();
    QVERIFY(openssl({"x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "server.pem", "-days", "2", "-extfile", "san.ext"}));
    QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other-ca.pem",
                     "-days", "2", "-subj", "/CN=Somebody Else"}));
}

BrokerConfig TestTls::tlsConfig() const
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0, true}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.anonymousRole = Role::Operator; // anonymous loopback clients publish on any topic here
    config.tls.certificateFile = path(QStringLiteral("server.pem"));
    config.tls.keyFile = path(QStringLiteral("server.key"));
    return config;
}

int TestTls::runClient(QProcess &process, const QString &program, const QStringList &arguments)
{
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(program, arguments);
    if (!finished.wait(15000)) {
        process.kill();
        return -1;
    }
    return process.exitCode();
}

void TestTls::roundTripWithMosquittoClients()
{
    Broker broker(tlsConfig());
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    const ListenAddress address = broker.listenAddresses().first();
    QVERIFY(address.tls);
    const QString port = QString::number(address.port);
    QProcess subscriber;
    QSignalSpy subscriberDone(&subscriber, &QProcess::finished);
    subscriber.start(QStringLiteral("mosquitto_sub"),
                     {"-h", "localhost", "-p", port, "--cafile", path("ca.pem"), "-t", "secure/t", "-C", "1", "-W", "10",
                      "-i", "tls-sub", "-q", "1"});
    QTRY_COMPARE_WITH_TIMEOUT(broker.counters().clientsConnected, 1u, 10000);
    QTRY_COMPARE(broker.counters().subscriptionCount, 1u);

    QProcess publisher;
    QCOMPARE(runClient(publisher, QStringLiteral("mosquitto_pub"),
                       {"-h", "localhost", "-p", port, "--cafile", path("ca.pem"), "-t", "secure/t", "-m",
                        "over TLS", "-q", "1", "-V", "mqttv5"}),
             0);
    // It may already have finished while the publisher ran (that wait ran the event loop).
    QTRY_COMPARE_WITH_TIMEOUT(subscriberDone.count(), 1, 10000);
    QCOMPARE(subscriber.exitCode(), 0);
    QCOMPARE(subscriber.readAllStandardOutput().trimmed(), QByteArray("over TLS"));
}

void TestTls::wrongCaIsRefused()
{
    Broker broker(tlsConfig());
    QVERIFY(broker.start());
    const QString port = QString::number(broker.listenAddresses().first().port);
    QProcess publisher;
    const int exitCode = runClient(publisher, QStringLiteral("mosquitto_pub"),
                                   {"-h", "localhost", "-p", port, "--cafile", path("other-ca.pem"), "-t", "secure/t",
                                    "-m", "x"});
    QVERIFY2(exitCode != 0, publisher.readAllStandardError().constData());
    QTRY_VERIFY(broker.counters().tlsHandshakeFailures >= 1);
    QCOMPARE(broker.counters().connectionsAccepted, 0u);
}

void TestTls::plainAndTlsSideBySide()
{
    BrokerConfig config = tlsConfig();
    config.listeners.prepend(ListenAddress{QHostAddress::LocalHost, 0, false});
    Broker broker(config);
    QVERIFY(broker.start());
    const auto addresses = broker.listenAddresses();
    QCOMPARE(addresses.size(), 2);
    QVERIFY(!addresses.at(0).tls);
    QVERIFY(addresses.at(1).tls);
    QProcess plain;
    QCOMPARE(runClient(plain, QStringLiteral("mosquitto_pub"),
                       {"-h", "127.0.0.1", "-p", QString::number(addresses.at(0).port), "-t", "a", "-m", "plain"}),
             0);
    QProcess secure;
    QCOMPARE(runClient(secure, QStringLiteral("mosquitto_pub"),
                       {"-h", "localhost", "-p", QString::number(addresses.at(1).port), "--cafile", path("ca.pem"),
                        "-t", "a", "-m", "tls"}),
             0);
    QCOMPARE(broker.counters().connectionsAccepted, 2u);
}

void TestTls::missingCertificateIsReported()
{
    BrokerConfig config = tlsConfig();
    config.tls.certificateFile = path(QStringLiteral("nope.pem"));
    Broker broker(config);
    QVERIFY(!broker.start());
    QVERIFY2(broker.errorString().contains(QStringLiteral("nope.pem")), qPrintable(broker.errorString()));
}

HERMES_TEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
