// TLS listeners with certificates made by the openssl CLI, exercised by Debian's mosquitto
// clients: a round trip with the right CA, a refused handshake with the wrong one, large
// messages across many records; and the TLS session on its own where timing must be exact.
#include "../common/testcertificates.h"
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/io/connectioncontext.h"
#include "engine/io/tls.h"

#include <openssl/ssl.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QProcess>
#include <QTcpSocket>
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
    void plainClientOnTlsPortIsRefused();
    void silentClientIsClosedByConnectTimeout();
    void largeMessageBothWays();
    void writingToAVanishedPeerRaisesNoSignal();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    BrokerConfig tlsConfig() const;
    /// Runs a mosquitto client to completion while the broker (same thread) keeps serving.
    static int runClient(QProcess &process, const QString &program, const QStringList &arguments);

    QTemporaryDir m_dir;
};

void TestTls::initTestCase()
{
    for (const char *program : {"openssl", "mosquitto_pub", "mosquitto_sub"}) {
        if (QStandardPaths::findExecutable(QString::fromLatin1(program)).isEmpty())
            HERMES_SKIP(qPrintable(QStringLiteral("%1 is not installed (scripts/setup.sh installs it)").arg(QLatin1String(program))));
    }
    // A CA, a server certificate it signs (localhost and 127.0.0.1), and an unrelated CA.
    hermes::test::TestCertificates certificates(m_dir.path());
    QVERIFY(certificates.makeCa(QStringLiteral("ca"), QStringLiteral("Hermes Test CA")));
    QVERIFY(certificates.makeSigned(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                    QStringLiteral("DNS:localhost,IP:127.0.0.1")));
    QVERIFY(certificates.makeCa(QStringLiteral("other-ca"), QStringLiteral("Somebody Else")));
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
    QVERIFY(broker.sessions().isEmpty());
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

void TestTls::plainClientOnTlsPortIsRefused()
{
    Broker broker(tlsConfig());
    QVERIFY(broker.start());
    const quint16 port = broker.listenAddresses().first().port;
    // An MQTT CONNECT where a ClientHello belongs: the handshake fails, that connection
    // closes, and the listener goes on serving.
    QTcpSocket plain;
    QSignalSpy closed(&plain, &QTcpSocket::disconnected);
    plain.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(plain.waitForConnected(5000));
    plain.write(QByteArray::fromHex("101000044d5154540402003c0004746573745f"));
    QVERIFY(closed.wait(10000));
    QTRY_COMPARE(broker.counters().tlsHandshakeFailures, 1u);
    QVERIFY(broker.sessions().isEmpty());
    QTRY_VERIFY(broker.connectionContext().connections().empty());
    QProcess secure;
    QCOMPARE(runClient(secure, QStringLiteral("mosquitto_pub"),
                       {"-h", "localhost", "-p", QString::number(port), "--cafile", path("ca.pem"), "-t", "a", "-m",
                        "after"}),
             0);
}

void TestTls::silentClientIsClosedByConnectTimeout()
{
    BrokerConfig config = tlsConfig();
    config.limits.connectTimeout = std::chrono::milliseconds(300);
    Broker broker(config);
    QVERIFY(broker.start());
    // A TCP connection that never starts its handshake holds a descriptor and a session
    // object: the connect timeout ends it like one that never sends CONNECT.
    QTcpSocket silent;
    QSignalSpy closed(&silent, &QTcpSocket::disconnected);
    silent.connectToHost(QHostAddress::LocalHost, broker.listenAddresses().first().port);
    QVERIFY(silent.waitForConnected(5000));
    QVERIFY(closed.wait(10000));
    QTRY_VERIFY(broker.connectionContext().connections().empty());
}

void TestTls::largeMessageBothWays()
{
    Broker broker(tlsConfig());
    QVERIFY(broker.start());
    const QString port = QString::number(broker.listenAddresses().first().port);
    // 4 MiB: hundreds of TLS records each way, more than a socket buffer holds, so reads
    // span records and sends stop part-way and resume when the socket drains.
    QByteArray payload(4 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char('a' + i % 26);
    QFile file(path(QStringLiteral("large.bin")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(payload);
    file.close();
    QProcess subscriber;
    QSignalSpy subscriberDone(&subscriber, &QProcess::finished);
    subscriber.start(QStringLiteral("mosquitto_sub"),
                     {"-h", "localhost", "-p", port, "--cafile", path("ca.pem"), "-t", "large/t", "-C", "1", "-W", "20",
                      "-i", "tls-large", "-q", "1", "-N"});
    QTRY_COMPARE_WITH_TIMEOUT(broker.counters().subscriptionCount, 1u, 10000);
    QProcess publisher;
    QCOMPARE(runClient(publisher, QStringLiteral("mosquitto_pub"),
                       {"-h", "localhost", "-p", port, "--cafile", path("ca.pem"), "-t", "large/t", "-f",
                        file.fileName(), "-q", "1"}),
             0);
    QTRY_COMPARE_WITH_TIMEOUT(subscriberDone.count(), 1, 20000);
    QCOMPARE(subscriber.exitCode(), 0);
    const QByteArray received = subscriber.readAllStandardOutput();
    QCOMPARE(received.size(), payload.size());
    QVERIFY(received == payload);
}

void TestTls::writingToAVanishedPeerRaisesNoSignal()
{
    Broker broker(tlsConfig());
    const std::optional<QSslConfiguration> configuration = broker.tlsConfiguration();
    QVERIFY(configuration);
    QString error;
    const std::shared_ptr<TlsContext> context = TlsContext::create(*configuration, &error);
    QVERIFY2(context, qPrintable(error));

    // A real ClientHello, from an OpenSSL client writing into memory.
    SSL_CTX *clientContext = SSL_CTX_new(TLS_client_method());
    SSL *client = SSL_new(clientContext);
    BIO *fromServer = BIO_new(BIO_s_mem());
    BIO *toServer = BIO_new(BIO_s_mem());
    SSL_set_bio(client, fromServer, toServer);
    QCOMPARE(SSL_get_error(client, SSL_connect(client)), SSL_ERROR_WANT_READ);
    char *hello = nullptr;
    const long helloSize = BIO_get_mem_data(toServer, &hello);
    QVERIFY(helloSize > 0);

    // The client sends it and is gone before the server answers. On a Unix socket the answer
    // fails at once with EPIPE: OpenSSL's own socket BIO (write()) would raise SIGPIPE and end
    // this process.
    int pair[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    QCOMPARE(::write(pair[0], hello, size_t(helloSize)), ssize_t(helloSize));
    ::close(pair[0]);
    SSL_free(client);
    SSL_CTX_free(clientContext);
    QCOMPARE(::fcntl(pair[1], F_SETFL, O_NONBLOCK), 0);
    const std::unique_ptr<TlsSession> server = context->accept(pair[1]);
    QVERIFY(server);
    QCOMPARE(server->handshake(), TlsSession::Status::Failed);
    QVERIFY2(!server->errorString().isEmpty(), "the failure says why");
    ::close(pair[1]);
}
