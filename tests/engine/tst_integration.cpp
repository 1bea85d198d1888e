// The integration surface's pieces without processes: the config keys of the HTTP API and
// the WebSocket listeners, the histogram behind /metrics, API keys on a real SQLite store,
// and the exposition text. The HTTP and WebSocket behaviour against a running hermesd is in
// tests/interop/httpapi.py and websocket.py.
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/http/apikeyring.h"
#include "engine/http/httpapi.h"
#include "engine/http/prometheusexporter.h"
#include "engine/metrics/histogram.h"
#include "engine/push/adminapi.h"
#include "engine/push/pushservice.h"

#include "../common/testcertificates.h"
#include "../common/testconfig.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace hermes;

class TestIntegration : public QObject
{
    Q_OBJECT
private slots:
    void configKeys();
    void configErrors_data();
    void configErrors();
    void exampleConfigShowsDefaults();
    void upstreamConfig();
    void upstreamTlsConfig();
    void histogramBuckets();
    void apiKeysVerifyAndRevoke();
    void apiKeysSurviveARestart();
    void apiKeysThroughTheAdminApi();
    void exposition();
};

void TestIntegration::configKeys()
{
    const auto parsed = parseBrokerConfig(QStringLiteral("http_listener_tls 127.0.0.1:8443\n"
                                                         "http_max_body_bytes 4096\n"
                                                         "http_idle_timeout 5\n"
                                                         "metrics_anonymous true\n"
                                                         "listener_ws 0.0.0.0:8083\n"
                                                         "listener_wss [::1]:8084/mqtt/v2\n"
                                                         "ws_allowed_origins https://a.example, https://b.example:8443\n"),
                                          QStringLiteral("t.conf"));
    QVERIFY2(std::holds_alternative<BrokerConfig>(parsed),
             qPrintable(std::get_if<ConfigError>(&parsed) ? std::get<ConfigError>(parsed).toString() : QString()));
    const BrokerConfig &config = std::get<BrokerConfig>(parsed);
    QVERIFY(config.http.listener);
    QCOMPARE(config.http.listener->port, 8443);
    QVERIFY(config.http.listener->tls);
    QCOMPARE(config.http.maxBodyBytes, 4096);
    QCOMPARE(config.http.idleTimeoutSeconds, 5);
    QVERIFY(config.http.metricsAnonymous);
    QCOMPARE(config.webSocket.listeners.size(), 2);
    QCOMPARE(config.webSocket.listeners.at(0).toString(), QStringLiteral("ws://0.0.0.0:8083/mqtt"));
    QCOMPARE(config.webSocket.listeners.at(1).toString(), QStringLiteral("wss://[::1]:8084/mqtt/v2"));
    QCOMPARE(config.webSocket.allowedOrigins,
             (QStringList{QStringLiteral("https://a.example"), QStringLiteral("https://b.example:8443")}));
    // The MQTT listeners are untouched by the WebSocket ones.
    QCOMPARE(config.listeners, BrokerConfig().listeners);
}

void TestIntegration::configErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("http listener without port") << "\nhttp_listener localhost" << 2 << "HOST:PORT";
    QTest::newRow("body limit too small") << "http_max_body_bytes 10" << 1 << "from 1024";
    QTest::newRow("metrics flag") << "metrics_anonymous maybe" << 1 << "true or false";
    QTest::newRow("idle timeout zero") << "http_idle_timeout 0" << 1 << "from 1 to 3600";
    QTest::newRow("ws bad port") << "listener_ws 127.0.0.1:99999/mqtt" << 1 << "HOST:PORT/PATH";
    QTest::newRow("ws path with query") << "listener_ws 127.0.0.1:8083/mqtt?x=1" << 1 << "HOST:PORT/PATH";
    QTest::newRow("upstream without port") << "upstream 10.0.0.1:1883, rabbit-2" << 1 << "'rabbit-2' is not HOST:PORT";
    QTest::newRow("upstream port zero") << "\n\nupstream rabbit-1:0" << 3 << "is not HOST:PORT";
    QTest::newRow("upstream bare IPv6") << "upstream ::1:1883" << 1 << "is not HOST:PORT";
    QTest::newRow("upstream plain password") << "upstream_user hermes\nupstream_password s3cret" << 2
                                             << "upstream_password_file";
    QTest::newRow("upstream missing password file") << "upstream_password_file /nonexistent/upstream.secret" << 1
                                                    << "/nonexistent/upstream.secret";
    QTest::newRow("upstream tls flag") << "upstream 10.0.0.1:8883\nupstream_tls maybe" << 2 << "on or off";
    QTest::newRow("upstream tls without upstream") << "\nupstream_tls on" << 2 << "needs 'upstream HOST:PORT";
    QTest::newRow("upstream tls ca without tls") << "upstream 10.0.0.1:1883\nupstream_tls_ca /nonexistent/ca.pem" << 2
                                                 << "neither is configured";
    QTest::newRow("upstream tls missing ca") << "upstream 10.0.0.1:8883\nupstream_tls on\nupstream_tls_ca /nonexistent/ca.pem"
                                             << 3 << "'upstream_tls_ca': TLS: cannot read the CA file /nonexistent/ca.pem";
    QTest::newRow("upstream tls cert without key")
        << "upstream 10.0.0.1:8883\nupstream_tls_cert /nonexistent/c.pem\nupstream_tls on" << 2
        << "the client certificate /nonexistent/c.pem needs its private key file";
    QTest::newRow("upstream tls key without cert")
        << "upstream 10.0.0.1:8883\nupstream_tls on\n\nupstream_tls_key /nonexistent/c.key" << 4
        << "the private key /nonexistent/c.key needs its client certificate file";
    QTest::newRow("upstream tls name with a space") << "upstream 10.0.0.1:8883\nupstream_tls_name rabbit internal" << 2
                                                    << "'upstream_tls_name' is the one name";
}

void TestIntegration::configErrors()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(QString, mentions);
    const auto parsed = parseBrokerConfig(text, QStringLiteral("bad.conf"));
    const auto *error = std::get_if<ConfigError>(&parsed);
    QVERIFY(error);
    QCOMPARE(error->line, line);
    QVERIFY2(error->message.contains(mentions), qPrintable(error->toString()));
}

void TestIntegration::exampleConfigShowsDefaults()
{
    // installer/hermesd.conf documents every key with its default, commented out where the
    // default is "off".
    const auto parsed = loadBrokerConfig(QStringLiteral(HERMES_SOURCE_DIR "/installer/hermesd.conf"));
    QVERIFY(std::holds_alternative<BrokerConfig>(parsed));
    const BrokerConfig &config = std::get<BrokerConfig>(parsed);
    QCOMPARE(config.http, HttpSettings());
    QCOMPARE(config.webSocket, WebSocketSettings());
    QCOMPARE(config.upstream, UpstreamSettings());
}

void TestIntegration::upstreamConfig()
{
    QTemporaryDir dir;
    QFile secret(dir.filePath(QStringLiteral("upstream.secret")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("cluster-pass\n");
    secret.close();
    // Readable by every user: refused, naming the file and the fix.
    QVERIFY(secret.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    const QString conf = dir.filePath(QStringLiteral("hermesd.conf"));
    const QString text = QStringLiteral("upstream 10.0.0.11:1883, rabbit-2.internal:1884,[::1]:1885\n"
                                        "upstream_user hermes\nupstream_password_file upstream.secret\n");
    const auto open = parseBrokerConfig(text, conf);
    QVERIFY(std::holds_alternative<ConfigError>(open));
    QCOMPARE(std::get<ConfigError>(open).line, 3);
    QVERIFY2(std::get<ConfigError>(open).message.contains(QLatin1String("chmod o-r")),
             qPrintable(std::get<ConfigError>(open).toString()));

    QVERIFY(secret.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const auto parsed = parseBrokerConfig(text, conf);
    QVERIFY2(std::holds_alternative<BrokerConfig>(parsed),
             qPrintable(std::get_if<ConfigError>(&parsed) ? std::get<ConfigError>(parsed).toString() : QString()));
    const UpstreamSettings &upstream = std::get<BrokerConfig>(parsed).upstream;
    QVERIFY(upstream.enabled());
    QCOMPARE(upstream.nodes.size(), 3);
    QCOMPARE(upstream.nodes.at(1), (UpstreamNode{QStringLiteral("rabbit-2.internal"), 1884}));
    QCOMPARE(upstream.nodes.at(2).host, QStringLiteral("::1"));
    QCOMPARE(upstream.password, QByteArray("cluster-pass")); // relative to the config file, trimmed
    // What hermesd prints never holds the password.
    QCOMPARE(upstream.toString(), QStringLiteral("10.0.0.11:1883, rabbit-2.internal:1884, [::1]:1885 as hermes"));
}

void TestIntegration::upstreamTlsConfig()
{
    if (!test::TestCertificates::opensslInstalled())
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    QTemporaryDir dir;
    test::TestCertificates certificates(dir.path());
    QVERIFY(certificates.makeCa(QStringLiteral("ca"), QStringLiteral("Cluster CA")));
    QVERIFY(certificates.makeSigned(QStringLiteral("hermesd"), QStringLiteral("ca"), QStringLiteral("hermesd")));
    QFile key(dir.filePath(QStringLiteral("hermesd.key")));
    QVERIFY(key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const QString conf = dir.filePath(QStringLiteral("hermesd.conf"));
    auto parse = [&](const QString &tail) {
        return parseBrokerConfig(QStringLiteral("upstream 10.0.0.11:8883, 10.0.0.12:8883\nupstream_user hermes\n") + tail, conf);
    };
    auto errorOf = [](const std::variant<BrokerConfig, ConfigError> &parsed) {
        const auto *error = std::get_if<ConfigError>(&parsed);
        return error ? error->toString() : QString();
    };

    // Relative paths are taken from the config file's directory, as for the password file.
    const auto parsed = parse(QStringLiteral("upstream_tls on\nupstream_tls_ca ca.pem\nupstream_tls_cert hermesd.pem\n"
                                             "upstream_tls_key hermesd.key\nupstream_tls_name rabbit.internal\n"));
    QVERIFY2(std::holds_alternative<BrokerConfig>(parsed), qPrintable(errorOf(parsed)));
    const UpstreamSettings &upstream = std::get<BrokerConfig>(parsed).upstream;
    QVERIFY(upstream.tls);
    QVERIFY(upstream.usesTls());
    QCOMPARE(upstream.tlsFiles.caFile, dir.filePath(QStringLiteral("ca.pem")));
    QCOMPARE(upstream.tlsFiles.certificateFile, dir.filePath(QStringLiteral("hermesd.pem")));
    QCOMPARE(upstream.tlsFiles.keyFile, dir.filePath(QStringLiteral("hermesd.key")));
    QCOMPARE(upstream.tlsFiles.peerName, QStringLiteral("rabbit.internal"));
    // What hermesd prints at startup says TLS and which files, never their contents.
    QCOMPARE(upstream.toString(), QStringLiteral("10.0.0.11:8883, 10.0.0.12:8883 as hermes; MQTT over TLS (CA %1, client "
                                                 "certificate %2, name rabbit.internal)")
                                      .arg(dir.filePath(QStringLiteral("ca.pem")), dir.filePath(QStringLiteral("hermesd.pem"))));

    // https:// management URLs use the same files without the MQTT link's TLS; off is the default.
    const auto management = parse(QStringLiteral("upstream_tls_ca ca.pem\nupstream_management https://10.0.0.11:15671\n"));
    QVERIFY2(std::holds_alternative<BrokerConfig>(management), qPrintable(errorOf(management)));
    QVERIFY(!std::get<BrokerConfig>(management).upstream.tls);
    QVERIFY(std::get<BrokerConfig>(management).upstream.usesTls());
    QVERIFY(!std::get<BrokerConfig>(parse(QStringLiteral("upstream_tls off\n"))).upstream.usesTls());

    // Files that exist but cannot be used, each refused with its own line.
    QFile notPem(dir.filePath(QStringLiteral("not.pem")));
    QVERIFY(notPem.open(QIODevice::WriteOnly));
    notPem.write("this is no certificate\n");
    notPem.close();
    QVERIFY(notPem.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const struct {
        QString tail;
        int line;
        QString says;
    } refused[] = {
        {QStringLiteral("upstream_tls on\nupstream_tls_ca not.pem\n"), 4,
         QStringLiteral("'upstream_tls_ca': TLS: the CA file %1 holds no PEM certificate").arg(notPem.fileName())},
        {QStringLiteral("upstream_tls on\nupstream_tls_cert not.pem\nupstream_tls_key hermesd.key\n"), 4,
         QStringLiteral("'upstream_tls_cert': TLS: the client certificate %1 holds no PEM certificate").arg(notPem.fileName())},
        {QStringLiteral("upstream_tls on\nupstream_tls_cert hermesd.pem\nupstream_tls_key not.pem\n"), 5,
         QStringLiteral("'upstream_tls_key': TLS: the private key %1 is not an unencrypted PEM RSA or EC key").arg(notPem.fileName())},
        {QStringLiteral("upstream_tls on\nupstream_tls_cert hermesd.pem\nupstream_tls_key missing.key\n"), 5,
         QStringLiteral("'upstream_tls_key': TLS: cannot read the private key %1").arg(dir.filePath(QStringLiteral("missing.key")))},
    };
    for (const auto &bad : refused) {
        const auto result = parse(bad.tail);
        QVERIFY2(std::holds_alternative<ConfigError>(result), qPrintable(bad.tail));
        QCOMPARE(std::get<ConfigError>(result).line, bad.line);
        QVERIFY2(std::get<ConfigError>(result).message.startsWith(bad.says), qPrintable(errorOf(result)));
    }

    // A private key every user can read is refused like a readable password file.
    QVERIFY(key.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    const auto open = parse(QStringLiteral("upstream_tls on\nupstream_tls_cert hermesd.pem\nupstream_tls_key hermesd.key\n"));
    QVERIFY(std::holds_alternative<ConfigError>(open));
    QCOMPARE(std::get<ConfigError>(open).line, 5);
    QVERIFY2(std::get<ConfigError>(open).message.contains(QLatin1String("chmod o-r")), qPrintable(errorOf(open)));
}

void TestIntegration::histogramBuckets()
{
    Histogram histogram;
    histogram.observe(0.00005); // first bucket (0.0001)
    histogram.observe(0.001);   // exactly on a bound: counted in it (le = "less or equal")
    histogram.observe(2.0);     // the 5 s bucket
    histogram.observe(1000.0);  // above every bound: only +Inf
    QCOMPARE(histogram.count(), 4u);
    QCOMPARE(histogram.cumulativeCount(0), 1u);
    QCOMPARE(histogram.cumulativeCount(2), 2u); // 0.001
    QCOMPARE(histogram.cumulativeCount(8), 2u); // 1 s
    QCOMPARE(histogram.cumulativeCount(9), 3u); // 5 s
    QCOMPARE(histogram.cumulativeCount(Histogram::UpperBounds.size() - 1), 3u);
    QVERIFY(qAbs(histogram.sum() - 1002.00105) < 1e-9);
}

void TestIntegration::apiKeysVerifyAndRevoke()
{
    Broker broker(test::loopbackConfig());
    QVERIFY(broker.start());
    ApiKeyRing ring(broker);
    const ApiKeyRing::Created created = ring.create(QStringLiteral("backend"));
    QVERIFY(created.key.startsWith(QStringLiteral("hk_") + created.record.id + QLatin1Char('_')));
    QCOMPARE(ring.verify(created.key.toLatin1()), created.record.id);
    // The digest is of the secret, never the key itself.
    QVERIFY(!created.record.digest.contains(created.key.toLatin1()));
    QString forged = created.key;
    forged[forged.size() - 1] = forged.endsWith(QLatin1Char('A')) ? QLatin1Char('B') : QLatin1Char('A');
    QVERIFY(!ring.verify(forged.toLatin1()));
    QVERIFY(!ring.verify(QByteArrayLiteral("hk_")));
    QVERIFY(!ring.verify(QByteArrayLiteral("hk_short_x")));
    QVERIFY(!ring.verify(QByteArray()));
    const ApiKeyRing::Created other = ring.create(QStringLiteral("other"));
    QVERIFY(other.record.id != created.record.id);
    QVERIFY(ring.revoke(created.record.id));
    QVERIFY(!ring.verify(created.key.toLatin1()));
    QVERIFY(ring.verify(other.key.toLatin1()));
    QVERIFY(!ring.revoke(created.record.id));
    QCOMPARE(ring.list().size(), 1);
}

void TestIntegration::apiKeysSurviveARestart()
{
    QTemporaryDir dir;
    BrokerConfig config = test::loopbackConfig();
    config.persistence = true;
    config.dataDir = dir.path();
    QString kept, revoked;
    {
        Broker broker(config);
        QVERIFY(broker.start());
        ApiKeyRing ring(broker);
        kept = ring.create(QStringLiteral("kept")).key;
        const ApiKeyRing::Created gone = ring.create(QStringLiteral("gone"));
        revoked = gone.key;
        QVERIFY(ring.revoke(gone.record.id));
        broker.stop(); // commits
    }
    Broker broker(config);
    QVERIFY(broker.start());
    ApiKeyRing ring(broker);
    QVERIFY(ring.verify(kept.toLatin1()));
    QVERIFY(!ring.verify(revoked.toLatin1()));
    QCOMPARE(ring.list().size(), 1);
    QCOMPARE(ring.list().constFirst().name, QStringLiteral("kept"));
}

void TestIntegration::apiKeysThroughTheAdminApi()
{
    Broker broker(test::loopbackConfig());
    QVERIFY(broker.start());
    installPushServices(broker);
    auto *admin = broker.findChild<AdminApi *>();
    QVERIFY(admin);
    ApiKeyRing ring(broker);
    ring.addAdminMethods(*admin);
    const AdminApi::Answer created = admin->call(QStringLiteral("apikeys/create"), {{QStringLiteral("name"), QStringLiteral("crm")}});
    QVERIFY(created.ok());
    const QString key = created.result.value(QLatin1String("key")).toString();
    QVERIFY(ring.verify(key.toLatin1()));
    const AdminApi::Answer listed = admin->call(QStringLiteral("apikeys/list"), {});
    QVERIFY(listed.ok());
    // The list never carries a key or a digest.
    const QJsonObject entry = listed.result.value(QLatin1String("keys")).toArray().at(0).toObject();
    QCOMPARE(entry.keys(), (QStringList{QStringLiteral("createdAtMs"), QStringLiteral("id"), QStringLiteral("name")}));
    QCOMPARE(admin->call(QStringLiteral("apikeys/create"), {}).errorCode, QStringLiteral("bad-request"));
    QCOMPARE(admin->call(QStringLiteral("apikeys/revoke"), {{QStringLiteral("id"), QStringLiteral("nope")}}).errorCode,
             QStringLiteral("not-found"));
    QVERIFY(admin->call(QStringLiteral("apikeys/revoke"), {{QStringLiteral("id"), entry.value(QLatin1String("id"))}}).ok());
    QVERIFY(!ring.verify(key.toLatin1()));
}

void TestIntegration::exposition()
{
    Broker broker(test::loopbackConfig());
    QVERIFY(broker.start());
    PushService &push = installPushServices(broker);
    const QByteArray text = prometheusText(broker, push, HttpCounters{3, 1, 0});
    const QList<QByteArray> lines = text.split('\n');
    QVERIFY(lines.contains("# TYPE hermes_connections gauge"));
    QVERIFY(lines.contains("# TYPE hermes_push_delivery_seconds histogram"));
    QVERIFY(lines.contains("hermes_push_delivery_seconds_bucket{le=\"+Inf\"} 0"));
    QVERIFY(lines.contains("hermes_http_requests_total{code=\"2xx\"} 3"));
    QVERIFY(lines.contains("hermes_pushes_total{state=\"accepted\"} 0"));
    // No store without persistence: no commit histogram rather than an empty one.
    QVERIFY(!text.contains("hermes_store_commit_seconds"));
    // Every sample line is "name{labels} value" or "name value", and the text ends in a newline.
    QVERIFY(text.endsWith('\n'));
    for (const QByteArray &line : lines) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        QVERIFY2(line.count(' ') == 1 || line.contains('{'), line.constData());
        bool ok = false;
        line.mid(line.lastIndexOf(' ') + 1).toDouble(&ok);
        QVERIFY2(ok, line.constData());
    }
}

HERMES_TEST_MAIN(TestIntegration)
#include "tst_integration.moc"
