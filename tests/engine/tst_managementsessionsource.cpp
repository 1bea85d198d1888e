// The session source of upstream mode without a cluster (seconds): RabbitMQ 3.10's management
// API answers as recorded from the test cluster of scripts/rabbitmq-cluster.sh, mapped to
// session rows; then the poller against a real HTTP server on loopback that answers those
// listings page by page (paging, one page in flight, deltas on the session stream between
// refreshes, a kick by connection name), against a listener that never answers, a closed
// port and a refused password; over https, verified against upstream_tls_ca and
// upstream_tls_name. tst_upstream runs the same code against the real cluster.
#include "../common/refusingport.h"
#include "../common/testcertificates.h"
#include "../common/testconfig.h"
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/brokerconfig.h"
#include "engine/mqttclient.h"
#include "engine/http/httpapi.h"
#include "engine/push/adminapi.h"
#include "engine/push/sessionjson.h"
#include "engine/push/sessionstream.h"
#include "engine/upstream/managementsessionsource.h"
#include "engine/upstream/rabbitmqsessions.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QUrlQuery>

#include <functional>
#include <memory>

using namespace hermes;
using namespace std::chrono_literals;

namespace {

// GET /api/connections?page=1&page_size=500&sort=name&columns=… on the test cluster, with one
// MQTT client on node 1. 3.10 writes client_properties twice when it is asked for by column.
const QByteArray RecordedConnections = R"({"total_count":1,"item_count":1,"filtered_count":1,"page":1,"page_size":500,
"page_count":1,"items":[{"client_properties":{},"client_properties":{"client_id":"dev-a","product":"MQTT client"},
"connected_at":1796610557844,"name":"127.0.0.1:53324 -> 127.0.0.1:25001","node":"hermes-rabbit1@localhost",
"peer_host":"127.0.0.1","peer_port":53324,"protocol":"MQTT 3.1.1","user":"device","variable_map":{"client_id":"dev-a"}}]})";

// GET /api/queues?…&name=^mqtt-subscription-&use_regex=true after "dev b/1" (clean session
// off, on node 2) went away with two messages waiting; dev-a (clean session) is connected.
const QByteArray RecordedQueues = R"({"filtered_count":2,"item_count":2,"items":[{"arguments":{"x-expires":86400000},
"auto_delete":false,"durable":true,"messages_ready":2,"messages_unacknowledged":0,
"name":"mqtt-subscription-dev b/1qos1","node":"hermes-rabbit2@localhost"},{"arguments":{},"auto_delete":true,
"durable":true,"messages_ready":0,"messages_unacknowledged":0,"name":"mqtt-subscription-dev-aqos1",
"node":"hermes-rabbit1@localhost"}],"page":1,"page_count":1,"page_size":500,"total_count":2})";

QJsonObject connection(const QString &clientId, int node, int port, const QString &protocol = QStringLiteral("MQTT 3.1.1"))
{
    return {{QStringLiteral("name"), QStringLiteral("127.0.0.1:%1 -> 127.0.0.1:2500%2").arg(port).arg(node)},
            {QStringLiteral("node"), QStringLiteral("hermes-rabbit%1@localhost").arg(node)},
            {QStringLiteral("protocol"), protocol},
            {QStringLiteral("user"), QStringLiteral("device")},
            {QStringLiteral("peer_host"), QStringLiteral("127.0.0.1")},
            {QStringLiteral("peer_port"), port},
            {QStringLiteral("connected_at"), 1796610557000.0 + port},
            {QStringLiteral("variable_map"), QJsonObject{{QStringLiteral("client_id"), clientId}}}};
}

QJsonObject queue(const QString &clientId, int node, int ready, bool persistent)
{
    return {{QStringLiteral("name"), QStringLiteral("mqtt-subscription-%1qos1").arg(clientId)},
            {QStringLiteral("node"), QStringLiteral("hermes-rabbit%1@localhost").arg(node)},
            {QStringLiteral("durable"), true},
            {QStringLiteral("auto_delete"), !persistent},
            {QStringLiteral("arguments"), persistent ? QJsonObject{{QStringLiteral("x-expires"), 86400000}} : QJsonObject()},
            {QStringLiteral("messages_ready"), ready},
            {QStringLiteral("messages_unacknowledged"), 0}};
}

/// A real HTTP server on loopback answering the requests a refresh makes the way RabbitMQ
/// 3.10's management API does: paged listings sorted by name, 401 for other credentials,
/// 204 for a DELETE of a listed connection and 404 otherwise.
class ManagementApiStandIn : public QAbstractHttpServer
{
public:
    QList<QJsonObject> connections;
    QList<QJsonObject> queues;
    QByteArray authorization = "Basic " + QByteArray("hermes:right").toBase64();
    QStringList requests;  ///< "GET /api/connections?page=1&…", in arrival order
    QStringList closed;    ///< names of the connections DELETEd, decoded
    /// Runs before each answer, with its request line: the cluster changes while it is read.
    std::function<void(const QString &request)> beforeAnswer;
    quint16 port = 0;
    bool https = false; ///< set by useTls()

    bool start()
    {
        port = listen(QHostAddress::LocalHost, 0);
        return port != 0;
    }
    /// Serves https with this certificate and key (PEM files), from the next start().
    bool useTls(const QString &certificateFile, const QString &keyFile)
    {
        QFile certificate(certificateFile);
        QFile key(keyFile);
        if (!certificate.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
            return false;
        sslSetup(QSslCertificate(certificate.readAll()), QSslKey(key.readAll(), QSsl::Rsa));
        https = true;
        return true;
    }
    QString url() const { return QStringLiteral("%1://127.0.0.1:%2").arg(https ? QStringLiteral("https") : QStringLiteral("http")).arg(port); }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        const QString path = request.url().path(QUrl::FullyEncoded);
        const bool isDelete = request.method() == QHttpServerRequest::Method::Delete;
        requests.append(QStringLiteral("%1 %2").arg(isDelete ? QStringLiteral("DELETE") : QStringLiteral("GET"),
                                                     request.url().toString(QUrl::RemoveScheme | QUrl::RemoveAuthority | QUrl::FullyEncoded)));
        if (beforeAnswer)
            beforeAnswer(requests.constLast());
        QHttpServerResponder responder = makeResponder(request, socket);
        if (request.value("Authorization") != authorization) {
            responder.write(QByteArray(R"({"error":"not_authorised","reason":"Login failed"})"), "application/json",
                            QHttpServerResponder::StatusCode::Unauthorized);
            return true;
        }
        if (isDelete && path.startsWith(QLatin1String("/api/connections/"))) {
            const QString name = QUrl::fromPercentEncoding(path.mid(17).toUtf8());
            const auto found = std::find_if(connections.begin(), connections.end(), [&](const QJsonObject &c) {
                return c.value(QLatin1String("name")).toString() == name;
            });
            if (found == connections.end()) {
                responder.write(QByteArray(R"({"error":"Object Not Found","reason":"Not Found"})"), "application/json",
                                QHttpServerResponder::StatusCode::NotFound);
                return true;
            }
            closed.append(name);
            connections.erase(found);
            responder.write(QHttpServerResponder::StatusCode::NoContent);
            return true;
        }
        const QUrlQuery query(request.url());
        const QList<QJsonObject> *listing = path == QLatin1String("/api/connections") ? &connections
            : path == QLatin1String("/api/queues")                                    ? &queues
                                                                                      : nullptr;
        if (!listing) {
            responder.write(QHttpServerResponder::StatusCode::NotFound);
            return true;
        }
        QList<QJsonObject> sorted = *listing;
        std::sort(sorted.begin(), sorted.end(), [](const QJsonObject &a, const QJsonObject &b) {
            return a.value(QLatin1String("name")).toString() < b.value(QLatin1String("name")).toString();
        });
        const int page = query.queryItemValue(QStringLiteral("page")).toInt();
        const int pageSize = query.queryItemValue(QStringLiteral("page_size")).toInt();
        if (page < 1 || pageSize < 1 || pageSize > rabbitmq::MaxPageSize) {
            responder.write(QByteArray(R"({"error":"invalid_pagination_parameters"})"), "application/json",
                            QHttpServerResponder::StatusCode::BadRequest);
            return true;
        }
        QJsonArray items;
        for (const QJsonObject &item : sorted.mid(qsizetype(page - 1) * pageSize, pageSize))
            items.append(item);
        const int pageCount = int((sorted.size() + pageSize - 1) / pageSize);
        responder.write(QJsonDocument(QJsonObject{{QStringLiteral("items"), items},
                                                  {QStringLiteral("page"), page},
                                                  {QStringLiteral("page_count"), pageCount},
                                                  {QStringLiteral("page_size"), pageSize},
                                                  {QStringLiteral("item_count"), int(items.size())},
                                                  {QStringLiteral("total_count"), int(sorted.size())}}));
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override {}
};

UpstreamSettings settingsFor(const QStringList &urls, const QByteArray &password = "right")
{
    UpstreamSettings settings;
    settings.nodes = {UpstreamNode{QStringLiteral("127.0.0.1"), 1883}};
    for (const QString &url : urls)
        settings.management.append(QUrl(url));
    settings.userName = QStringLiteral("hermes");
    settings.password = password;
    return settings;
}

ManagementSessionSource::Timing fastTiming()
{
    ManagementSessionSource::Timing timing;
    timing.period = 100ms;
    timing.requestTimeout = 300ms;
    timing.firstRetry = 20ms;
    timing.maxRetry = 100ms;
    return timing;
}

/// Warnings of the management category, as hermesd would log them.
QStringList &loggedWarnings()
{
    static QStringList warnings;
    return warnings;
}

} // namespace

class TestManagementSessionSource : public QObject
{
    Q_OBJECT

private slots:
    void configKeys();
    void mapsRecordedConnections();
    void mergesQueuesIntoSessions();
    void requestsAsRabbitMqTakesThem();
    void refreshReadsEveryPageOneAfterAnother();
    void listingMovedWhilePagedDropsNoSession();
    void streamTellsWhatChangedBetweenRefreshes();
    void kickClosesTheConnectionByName();
    void failuresAreNamedOnceAndRetried();
    void httpsIsVerifiedAgainstTheUpstreamCa();
    void clusterSessionsCountInMetricsAndSys();
};

void TestManagementSessionSource::configKeys()
{
    QTemporaryDir dir;
    QFile secret(dir.filePath(QStringLiteral("management.secret")));
    QVERIFY(secret.open(QIODevice::WriteOnly));
    secret.write("watch-pass\n");
    secret.close();
    QVERIFY(secret.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    const QString conf = dir.filePath(QStringLiteral("hermesd.conf"));
    const QString text = QStringLiteral("upstream 10.0.0.11:1883\nupstream_user hermes\n"
                                        "upstream_management http://10.0.0.11:15672, https://rabbit-2.internal/rabbitmq/\n"
                                        "upstream_management_user watcher\nupstream_management_password_file management.secret\n"
                                        "upstream_management_interval 2\nupstream_management_timeout 7\n");
    // Readable by every user: refused with its line, like upstream_password_file.
    const auto open = parseBrokerConfig(text, conf);
    QVERIFY(std::holds_alternative<ConfigError>(open));
    QCOMPARE(std::get<ConfigError>(open).line, 5);
    QVERIFY2(std::get<ConfigError>(open).message.contains(QLatin1String("chmod o-r")), qPrintable(std::get<ConfigError>(open).toString()));

    QVERIFY(secret.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const auto parsed = parseBrokerConfig(text, conf);
    QVERIFY2(std::holds_alternative<BrokerConfig>(parsed),
             qPrintable(std::get_if<ConfigError>(&parsed) ? std::get<ConfigError>(parsed).toString() : QString()));
    const UpstreamSettings &upstream = std::get<BrokerConfig>(parsed).upstream;
    QCOMPARE(upstream.management.size(), 2);
    QCOMPARE(upstream.management.at(1), QUrl(QStringLiteral("https://rabbit-2.internal/rabbitmq")));
    QCOMPARE(upstream.managementUser(), QStringLiteral("watcher"));
    QCOMPARE(upstream.managementSecret(), QByteArray("watch-pass"));
    QCOMPARE(upstream.managementIntervalSeconds, 2);
    QCOMPARE(upstream.managementTimeoutSeconds, 7);
    // What hermesd prints never holds a password.
    QVERIFY(!upstream.toString().contains(QLatin1String("watch-pass")));
    QVERIFY2(upstream.toString().contains(QLatin1String("sessions from http://10.0.0.11:15672")), qPrintable(upstream.toString()));

    // Without its own account the management API is asked as the MQTT link's.
    UpstreamSettings shared;
    shared.userName = QStringLiteral("hermes");
    shared.password = "link-pass";
    QCOMPARE(shared.managementUser(), QStringLiteral("hermes"));
    QCOMPARE(shared.managementSecret(), QByteArray("link-pass"));

    const struct {
        const char *text;
        int line;
        const char *says;
    } refused[] = {
        {"upstream_management http://127.0.0.1:15672\n", 1, "needs 'upstream"},
        {"upstream 127.0.0.1:1883\nupstream_management 127.0.0.1:15672\n", 2, "not one"},
        {"upstream 127.0.0.1:1883\nupstream_management http://hermes:pw@127.0.0.1:15672\n", 2, "no credentials"},
        {"upstream 127.0.0.1:1883\nupstream_management_password s3cret\n", 2, "upstream_management_password_file"},
        {"upstream 127.0.0.1:1883\nupstream_management_interval 0\n", 2, "from 1 to 3600"},
        {"upstream 127.0.0.1:1883\nupstream_management_timeout 601\n", 2, "from 1 to 600"},
    };
    for (const auto &bad : refused) {
        const auto result = parseBrokerConfig(QString::fromUtf8(bad.text), conf);
        QVERIFY2(std::holds_alternative<ConfigError>(result), bad.text);
        QCOMPARE(std::get<ConfigError>(result).line, bad.line);
        QVERIFY2(std::get<ConfigError>(result).message.contains(QLatin1String(bad.says)),
                 qPrintable(std::get<ConfigError>(result).toString()));
    }
}

void TestManagementSessionSource::mapsRecordedConnections()
{
    QString problem;
    const std::optional<rabbitmq::Page> page = rabbitmq::parsePage(RecordedConnections, &problem);
    QVERIFY2(page, qPrintable(problem));
    QCOMPARE(page->page, 1);
    QVERIFY(page->isLast());
    QCOMPARE(page->items.size(), 1);
    const std::optional<ClusterSession> session = rabbitmq::sessionOfConnection(page->items.at(0).toObject());
    QVERIFY(session);
    QCOMPARE(session->info.clientId, QStringLiteral("dev-a"));
    QVERIFY(session->info.online);
    QCOMPARE(session->info.address, QStringLiteral("127.0.0.1:53324"));
    QCOMPARE(session->info.userName, QStringLiteral("device"));
    QCOMPARE(session->info.version, mqtt::ProtocolVersion::V3_1_1);
    QCOMPARE(session->info.connectedSinceMs, 1796610557844);
    QCOMPARE(session->info.node, QStringLiteral("hermes-rabbit1@localhost"));
    QCOMPARE(session->connection, QStringLiteral("127.0.0.1:53324 -> 127.0.0.1:25001"));

    // Only MQTT connections with a client ID are sessions; client_properties is the fallback.
    QVERIFY(!rabbitmq::sessionOfConnection(connection(QStringLiteral("amqp"), 1, 40000, QStringLiteral("AMQP 0-9-1"))));
    QJsonObject anonymous = connection(QStringLiteral("x"), 1, 40001);
    anonymous.remove(QStringLiteral("variable_map"));
    QVERIFY(!rabbitmq::sessionOfConnection(anonymous));
    anonymous.insert(QStringLiteral("client_properties"), QJsonObject{{QStringLiteral("client_id"), QStringLiteral("old")}});
    QCOMPARE(rabbitmq::sessionOfConnection(anonymous)->info.clientId, QStringLiteral("old"));
    QJsonObject v6 = connection(QStringLiteral("six"), 2, 40002, QStringLiteral("MQTT 3.1"));
    v6.insert(QStringLiteral("peer_host"), QStringLiteral("::1"));
    QCOMPARE(rabbitmq::sessionOfConnection(v6)->info.address, QStringLiteral("[::1]:40002"));
    QCOMPARE(rabbitmq::sessionOfConnection(v6)->info.version, mqtt::ProtocolVersion::V3_1);

    // What the management API says on errors is not a page.
    QVERIFY(!rabbitmq::parsePage(R"({"error":"invalid_pagination_parameters","reason":"page size 501"})", &problem));
    QVERIFY2(problem.contains(QLatin1String("not a paged listing")), qPrintable(problem));
    QVERIFY(!rabbitmq::parsePage("<html>", &problem));
    QVERIFY2(problem.startsWith(QLatin1String("not JSON")), qPrintable(problem));
}

void TestManagementSessionSource::mergesQueuesIntoSessions()
{
    QString problem;
    const std::optional<rabbitmq::Page> connections = rabbitmq::parsePage(RecordedConnections, &problem);
    const std::optional<rabbitmq::Page> queues = rabbitmq::parsePage(RecordedQueues, &problem);
    QVERIFY(connections && queues);
    rabbitmq::SessionTable table;
    for (const QJsonValue &item : connections->items)
        table.addConnection(*rabbitmq::sessionOfConnection(item.toObject()));
    for (const QJsonValue &item : queues->items)
        table.addQueue(*rabbitmq::sessionQueue(item.toObject()));
    // The previous refresh saw "dev b/1" connected on node 2.
    ClusterSession before;
    before.info.clientId = QStringLiteral("dev b/1");
    before.info.online = true;
    before.info.address = QStringLiteral("127.0.0.1:48728");
    before.info.userName = QStringLiteral("device");
    before.info.node = QStringLiteral("hermes-rabbit2@localhost");
    const QHash<QString, ClusterSession> sessions = table.take({{before.info.clientId, before}}, 1796610600000);
    QCOMPARE(sessions.size(), 2);

    const ClusterSession &online = sessions.value(QStringLiteral("dev-a"));
    QVERIFY(online.info.online);
    QVERIFY(online.info.cleanStart); // its queue is auto-delete
    QCOMPARE(online.info.queued, 0);

    // A queue that outlived its connection is the session of an offline client, with what waits.
    const ClusterSession &offline = sessions.value(QStringLiteral("dev b/1"));
    QVERIFY(!offline.info.online);
    QVERIFY(!offline.info.cleanStart);
    QCOMPARE(offline.info.queued, 2);
    QCOMPARE(offline.info.sessionExpirySeconds, 86400u);
    QCOMPARE(offline.info.node, QStringLiteral("hermes-rabbit2@localhost"));
    QVERIFY(offline.connection.isEmpty());
    QCOMPARE(offline.info.offlineSinceMs, 1796610600000); // the refresh that found it gone
    QCOMPARE(offline.info.address, QStringLiteral("127.0.0.1:48728"));

    // QoS 0 and QoS 1 queues are one session; a clean session's queue without a connection
    // is one closing, not an offline session.
    rabbitmq::SessionTable next;
    next.addQueue(*rabbitmq::sessionQueue(queue(QStringLiteral("both"), 1, 3, true)));
    QJsonObject qos0 = queue(QStringLiteral("both"), 1, 4, true);
    qos0.insert(QStringLiteral("name"), QStringLiteral("mqtt-subscription-bothqos0"));
    next.addQueue(*rabbitmq::sessionQueue(qos0));
    next.addQueue(*rabbitmq::sessionQueue(queue(QStringLiteral("closing"), 1, 0, false)));
    QVERIFY(!rabbitmq::sessionQueue(QJsonObject{{QStringLiteral("name"), QStringLiteral("amq.gen-1")}}));
    const QHash<QString, ClusterSession> merged = next.take(sessions, 1796610605000);
    QCOMPARE(merged.size(), 1);
    QCOMPARE(merged.value(QStringLiteral("both")).info.queued, 7);
    QCOMPARE(merged.value(QStringLiteral("both")).info.offlineSinceMs, 0); // never seen online: unknown
}

void TestManagementSessionSource::requestsAsRabbitMqTakesThem()
{
    QCOMPARE(rabbitmq::connectionsRequest(2, 500),
             QStringLiteral("/api/connections?page=2&page_size=500&sort=name&columns=name,node,protocol,user,peer_host,"
                            "peer_port,connected_at,variable_map.client_id,client_properties"));
    QCOMPARE(rabbitmq::queuesRequest(1, 100),
             QStringLiteral("/api/queues?page=1&page_size=100&sort=name&name=%5Emqtt-subscription-&use_regex=true&columns="
                            "name,node,durable,auto_delete,arguments,messages_ready,messages_unacknowledged"));
    // A connection's name holds spaces and '>': percent-encoded, as one path segment.
    QCOMPARE(rabbitmq::closeConnectionRequest(QStringLiteral("127.0.0.1:48728 -> 127.0.0.1:25002")),
             QStringLiteral("/api/connections/127.0.0.1%3A48728%20-%3E%20127.0.0.1%3A25002"));
}

void TestManagementSessionSource::refreshReadsEveryPageOneAfterAnother()
{
    ManagementApiStandIn api;
    QVERIFY(api.start());
    for (int i = 0; i < 5; ++i)
        api.connections.append(connection(QStringLiteral("dev-%1").arg(i), 1 + i % 2, 41000 + i));
    api.queues = {queue(QStringLiteral("dev-0"), 1, 1, false), queue(QStringLiteral("dev-1"), 2, 0, false),
                  queue(QStringLiteral("gone"), 2, 5, true)};
    ManagementSessionSource::Timing timing = fastTiming();
    timing.pageSize = 2;
    timing.period = 1h; // one refresh
    ManagementSessionSource source(settingsFor({api.url()}), timing);
    QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
    source.start();
    QVERIFY(refreshed.wait(5000));

    // Three pages of connections, then two of queues: one request at a time, in order.
    QCOMPARE(api.requests.size(), 5);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(api.requests.at(i).startsWith(QStringLiteral("GET /api/connections?page=%1&page_size=2&").arg(i + 1)),
                 qPrintable(api.requests.at(i)));
    for (int i = 0; i < 2; ++i)
        QVERIFY2(api.requests.at(3 + i).startsWith(QStringLiteral("GET /api/queues?page=%1&page_size=2&").arg(i + 1)),
                 qPrintable(api.requests.at(3 + i)));
    QCOMPARE(source.sessions().size(), 6);
    QCOMPARE(source.sessions().value(QStringLiteral("dev-0")).info.queued, 1);
    QCOMPARE(source.sessions().value(QStringLiteral("dev-3")).info.node, QStringLiteral("hermes-rabbit2@localhost"));
    QVERIFY(!source.sessions().value(QStringLiteral("gone")).info.online);
    QCOMPARE(source.generation(), quint64(1));
    const SessionSource::Totals totals = source.totals();
    QCOMPARE(totals.online, 5u);
    QCOMPARE(totals.sessions, 6u);
    QCOMPARE(totals.queued, 6u);

    const QJsonObject status = source.status();
    QCOMPARE(status.value(QLatin1String("url")).toString(), api.url());
    QCOMPARE(status.value(QLatin1String("requests")).toInt(), 5);
    QVERIFY(status.value(QLatin1String("bytes")).toInt() > 1000);
    QVERIFY(status.value(QLatin1String("answering")).toBool());
    QVERIFY(status.value(QLatin1String("lastRefreshAtMs")).toDouble() > 0);
    QCOMPARE(status.value(QLatin1String("sessions")).toInt(), 6);
    QCOMPARE(status.value(QLatin1String("online")).toInt(), 5);
    QCOMPARE(status.value(QLatin1String("lastError")).toString(), QString());
}

void TestManagementSessionSource::listingMovedWhilePagedDropsNoSession()
{
    ManagementApiStandIn api;
    QVERIFY(api.start());
    for (int i = 0; i < 5; ++i)
        api.connections.append(connection(QStringLiteral("dev-%1").arg(i), 1, 41000 + i));
    ManagementSessionSource::Timing timing = fastTiming();
    timing.pageSize = 2;
    timing.period = 1h; // only the refreshes asked for
    ManagementSessionSource source(settingsFor({api.url()}), timing);
    QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
    source.start();
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(source.sessions().size(), 5);

    // dev-0 closes right after page 1 was read: page 2 starts one further on, and dev-2 is on
    // no page. The totals differ between the pages, so nothing missing counts as gone yet.
    bool armed = true;
    api.beforeAnswer = [&](const QString &request) {
        if (armed && request.startsWith(QLatin1String("GET /api/connections?page=2&"))) {
            armed = false;
            api.connections.removeFirst();
        }
    };
    source.refreshSoon();
    QVERIFY(refreshed.wait(5000));
    QVERIFY(!armed);
    QVERIFY(source.sessions().contains(QStringLiteral("dev-2")));
    QCOMPARE(source.sessions().size(), 5);
    // The next refresh reads a listing that holds still: dev-0 is gone, dev-2 is not.
    source.refreshSoon();
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(source.sessions().size(), 4);
    QVERIFY(!source.sessions().contains(QStringLiteral("dev-0")));
    QVERIFY(source.sessions().contains(QStringLiteral("dev-2")));
}

void TestManagementSessionSource::streamTellsWhatChangedBetweenRefreshes()
{
    ManagementApiStandIn api;
    QVERIFY(api.start());
    api.connections = {connection(QStringLiteral("stays"), 1, 42000), connection(QStringLiteral("leaves"), 2, 42001),
                       connection(QStringLiteral("persistent"), 2, 42002)};
    api.queues = {queue(QStringLiteral("persistent"), 2, 0, true)};
    ManagementSessionSource source(settingsFor({api.url()}), fastTiming());
    QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
    source.start();
    QVERIFY(refreshed.wait(5000));

    Broker broker(test::loopbackConfig()); // anonymous loopback clients are operators
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    SessionStream stream(broker, SessionStream::Limits{50ms, 1000});
    stream.setSource(&source);
    stream.start();

    MqttClient reader;
    reader.setPort(broker.listenAddresses().first().port);
    reader.setClientId(QStringLiteral("operator"));
    reader.setProtocolVersion(mqtt::ProtocolVersion::V5);
    QList<QJsonObject> batches;
    connect(&reader, &MqttClient::messageReceived, this, [&](const mqtt::Publish &publish) {
        batches.append(QJsonDocument::fromJson(publish.payload).object());
    });
    QSignalSpy connected(&reader, &MqttClient::connected);
    reader.connectToBroker();
    QVERIFY(connected.wait(5000));
    QSignalSpy subscribed(&reader, &MqttClient::subscribed);
    reader.subscribe(QString(SessionStream::EventsTopic));
    QVERIFY(subscribed.wait(5000));
    QTRY_VERIFY(stream.isRunning());

    // The snapshot holds the broker's own session and the cluster's, each of those with its node.
    const SessionStream::Snapshot snapshot = stream.snapshot();
    QStringList ids, nodes;
    for (const SessionInfo &info : snapshot.sessions) {
        ids.append(info.clientId);
        nodes.append(info.node);
    }
    QCOMPARE(ids, (QStringList{QStringLiteral("leaves"), QStringLiteral("operator"), QStringLiteral("persistent"),
                               QStringLiteral("stays")}));
    QCOMPARE(nodes, (QStringList{QStringLiteral("hermes-rabbit2@localhost"), QString(), QStringLiteral("hermes-rabbit2@localhost"),
                                 QStringLiteral("hermes-rabbit1@localhost")}));
    // What a console reads back from a row: the node as its own field, the address as it is.
    const std::optional<SessionInfo> row = sessionRowFromJson(sessionRowJson(snapshot.sessions.at(0)));
    QVERIFY(row);
    QCOMPARE(row->node, QStringLiteral("hermes-rabbit2@localhost"));
    QCOMPARE(row->address, QStringLiteral("127.0.0.1:42001"));
    QVERIFY(!sessionRowJson(snapshot.sessions.at(1)).contains(QLatin1String("node")));

    // Between two refreshes: one client left, a persistent one went offline with a message
    // waiting, one came. The batch says exactly that.
    api.connections = {connection(QStringLiteral("stays"), 1, 42000), connection(QStringLiteral("arrives"), 1, 42003)};
    api.queues = {queue(QStringLiteral("persistent"), 2, 1, true)};
    const quint64 generation = source.generation();
    QTRY_VERIFY_WITH_TIMEOUT(source.generation() > generation, 5000);
    QJsonObject batch;
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(batches.cbegin(), batches.cend(), [&](const QJsonObject &b) {
        if (b.value(QLatin1String("removed")).toArray().isEmpty())
            return false;
        batch = b;
        return true;
    }), 5000);
    QCOMPARE(batch.value(QLatin1String("removed")).toArray(), QJsonArray{QStringLiteral("leaves")});
    const QJsonArray arrived = batch.value(QLatin1String("connected")).toArray();
    QCOMPARE(arrived.size(), 1);
    QCOMPARE(arrived.at(0).toObject().value(QLatin1String("clientId")).toString(), QStringLiteral("arrives"));
    QCOMPARE(arrived.at(0).toObject().value(QLatin1String("node")).toString(), QStringLiteral("hermes-rabbit1@localhost"));
    const QJsonArray left = batch.value(QLatin1String("disconnected")).toArray();
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.at(0).toObject().value(QLatin1String("clientId")).toString(), QStringLiteral("persistent"));
    QCOMPARE(left.at(0).toObject().value(QLatin1String("queued")).toInt(), 1);
    QVERIFY(!batch.contains(QLatin1String("changed")));

    // Refreshes that change nothing publish nothing: after three of them, the first batch is
    // the one a real change makes.
    const qsizetype told = batches.size();
    const quint64 refreshes = source.refreshes();
    QTRY_VERIFY_WITH_TIMEOUT(source.refreshes() >= refreshes + 3, 5000);

    // Only the depth of a queue moved: a changed row.
    api.queues = {queue(QStringLiteral("persistent"), 2, 4, true)};
    QTRY_VERIFY_WITH_TIMEOUT(batches.size() > told, 5000);
    QCOMPARE(batches.size(), told + 1);
    const QJsonArray changed = batches.at(told).value(QLatin1String("changed")).toArray();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).toObject().value(QLatin1String("queued")).toInt(), 4);
}

void TestManagementSessionSource::kickClosesTheConnectionByName()
{
    ManagementApiStandIn api;
    QVERIFY(api.start());
    api.connections = {connection(QStringLiteral("dev b/1"), 2, 48728), connection(QStringLiteral("other"), 1, 48729)};
    ManagementSessionSource::Timing timing = fastTiming();
    timing.period = 1h; // only the refresh a kick asks for
    ManagementSessionSource source(settingsFor({api.url()}), timing);
    QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
    source.start();
    QVERIFY(refreshed.wait(5000));

    Broker broker(test::loopbackConfig());
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    installPushServices(broker);
    auto *admin = broker.findChild<AdminApi *>();
    admin->setSessionSource(&source);

    // Listed beside the broker's sessions (none here), with their nodes; devices/list says
    // a cluster's device is online.
    const QJsonArray listed = admin->call(QStringLiteral("sessions/list"), {}).result.value(QLatin1String("sessions")).toArray();
    QCOMPARE(listed.size(), 2);
    QCOMPARE(listed.at(0).toObject().value(QLatin1String("clientId")).toString(), QStringLiteral("dev b/1"));
    QCOMPARE(listed.at(0).toObject().value(QLatin1String("node")).toString(), QStringLiteral("hermes-rabbit2@localhost"));
    QCOMPARE(listed.at(0).toObject().value(QLatin1String("address")).toString(), QStringLiteral("127.0.0.1:48728"));
    // Filtered by node, like by address.
    const QJsonArray onNode1 = admin->call(QStringLiteral("sessions/list"), {{QStringLiteral("filter"), QStringLiteral("rabbit1@")}})
                                   .result.value(QLatin1String("sessions")).toArray();
    QCOMPARE(onNode1.size(), 1);
    QCOMPARE(onNode1.at(0).toObject().value(QLatin1String("clientId")).toString(), QStringLiteral("other"));
    QVERIFY(admin->call(QStringLiteral("devices/update"), {{QStringLiteral("id"), QStringLiteral("other")}}).ok());
    QVERIFY(admin->call(QStringLiteral("devices/list"), {}).result.value(QLatin1String("devices")).toArray().at(0).toObject()
                .value(QLatin1String("online")).toBool());
    const AdminApi::Answer detail = admin->call(2, QStringLiteral("sessions/detail"), {{QStringLiteral("clientId"), QStringLiteral("other")}});
    QVERIFY(detail.ok());
    QCOMPARE(detail.result.value(QLatin1String("node")).toString(), QStringLiteral("hermes-rabbit1@localhost"));
    QCOMPARE(detail.result.value(QLatin1String("heartbeats")).toArray().size(), 0);

    // The answer waits for the cluster: it comes once the connection is closed.
    std::optional<AdminApi::Answer> answer;
    admin->call(1, QStringLiteral("sessions/kick"), {{QStringLiteral("clientId"), QStringLiteral("dev b/1")}},
                [&answer](const AdminApi::Answer &a) { answer = a; });
    QVERIFY(!answer);
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QVERIFY2(answer->ok(), qPrintable(answer->errorMessage));
    QCOMPARE(answer->result.value(QLatin1String("kicked")).toBool(), true);
    QCOMPARE(api.closed, QStringList{QStringLiteral("127.0.0.1:48728 -> 127.0.0.1:25002")});
    QVERIFY2(api.requests.contains(QStringLiteral("DELETE /api/connections/127.0.0.1%3A48728%20-%3E%20127.0.0.1%3A25002")),
             qPrintable(api.requests.join(QLatin1Char('\n'))));
    // A kick refreshes at once: the session is gone without waiting an hour.
    QTRY_VERIFY_WITH_TIMEOUT(!source.sessions().contains(QStringLiteral("dev b/1")), 5000);

    // Unknown, or gone by the time the cluster is asked: not-found.
    answer.reset();
    admin->call(1, QStringLiteral("sessions/kick"), {{QStringLiteral("clientId"), QStringLiteral("dev b/1")}},
                [&answer](const AdminApi::Answer &a) { answer = a; });
    QVERIFY(answer);
    QCOMPARE(answer->errorCode, QStringLiteral("not-found"));
    api.connections.clear(); // the cluster closed "other" on its own since the last refresh
    answer.reset();
    admin->call(1, QStringLiteral("sessions/kick"), {{QStringLiteral("clientId"), QStringLiteral("other")}},
                [&answer](const AdminApi::Answer &a) { answer = a; });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 5000);
    QCOMPARE(answer->errorCode, QStringLiteral("not-found"));
}

void TestManagementSessionSource::failuresAreNamedOnceAndRetried()
{
    // A closed port, a listener that accepts and never answers, and a password refused.
    const test::RefusingPort closed;
    QVERIFY(closed.port() != 0);
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QList<QTcpSocket *> held; // accepted, never read or answered
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = silent.nextPendingConnection())
            held.append(socket);
    });
    ManagementApiStandIn api;
    QVERIFY(api.start());
    api.connections = {connection(QStringLiteral("dev-1"), 1, 43000)};

    const QString refusedUrl = QStringLiteral("http://127.0.0.1:%1").arg(closed.port());
    const QString silentUrl = QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort());
    loggedWarnings().clear();
    const QtMessageHandler previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
        if (type == QtWarningMsg && QByteArrayView(context.category) == "hermes.upstream.management")
            loggedWarnings().append(message);
    });
    ManagementSessionSource source(settingsFor({refusedUrl, silentUrl, api.url()}, "wrong"), fastTiming());
    QStringList failures;
    connect(&source, &ManagementSessionSource::failed, this, [&](const QString &error) { failures.append(error); });
    source.start();
    // Three rounds over the three URLs.
    QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 9, 15000);
    qInstallMessageHandler(previous);

    const QString refused = QStringLiteral("%1 refused the connection").arg(refusedUrl);
    const QString timedOut = QStringLiteral("%1 did not answer within 0.3 s").arg(silentUrl);
    const QString unauthorised = QStringLiteral("%1 refused user hermes (401)").arg(api.url());
    QCOMPARE(failures.mid(0, 3), (QStringList{refused, timedOut, unauthorised}));
    QCOMPARE(failures.mid(3, 3), failures.mid(0, 3)); // retried in order, for ever
    // Each failure is logged once, however often it repeats, and names where to next.
    QCOMPARE(loggedWarnings().size(), 3);
    QVERIFY2(loggedWarnings().at(0).contains(refused + QStringLiteral("; trying ") + silentUrl), qPrintable(loggedWarnings().at(0)));
    QVERIFY2(loggedWarnings().at(1).contains(timedOut), qPrintable(loggedWarnings().at(1)));
    QVERIFY2(loggedWarnings().at(2).contains(unauthorised), qPrintable(loggedWarnings().at(2)));
    for (const QString &line : std::as_const(loggedWarnings()))
        QVERIFY(!line.contains(QLatin1String("wrong")) && !line.contains(QLatin1String("d3Jvbm")));
    QVERIFY(!held.isEmpty());
    QVERIFY(source.sessions().isEmpty());
    const QJsonObject status = source.status();
    QVERIFY(!status.value(QLatin1String("answering")).toBool());
    QVERIFY(failures.contains(status.value(QLatin1String("lastError")).toString()));
    QVERIFY(status.value(QLatin1String("failures")).toInt() >= 9);
    QVERIFY(!status.contains(QLatin1String("lastRefreshAtMs")));

    // The password is fixed on the cluster's side: the next round through reads the sessions.
    api.authorization = "Basic " + QByteArray("hermes:wrong").toBase64();
    QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
    QVERIFY(refreshed.wait(10000));
    QCOMPARE(source.currentUrl().toString(), api.url());
    QCOMPARE(source.sessions().size(), 1);
    QVERIFY(source.status().value(QLatin1String("answering")).toBool());
    qDeleteAll(held);
}

void TestManagementSessionSource::httpsIsVerifiedAgainstTheUpstreamCa()
{
    if (!test::TestCertificates::opensslInstalled())
        HERMES_SKIP("openssl is not installed (scripts/setup.sh installs it)");
    QTemporaryDir dir;
    test::TestCertificates certificates(dir.path());
    QVERIFY(certificates.makeCa(QStringLiteral("ca"), QStringLiteral("Cluster Test CA")));
    QVERIFY(certificates.makeSigned(QStringLiteral("server"), QStringLiteral("ca"), QStringLiteral("localhost"),
                                    QStringLiteral("DNS:localhost,IP:127.0.0.1")));
    QVERIFY(certificates.makeCa(QStringLiteral("other-ca"), QStringLiteral("Somebody Else")));
    ManagementApiStandIn api;
    QVERIFY(api.useTls(certificates.path(QStringLiteral("server.pem")), certificates.path(QStringLiteral("server.key"))));
    QVERIFY(api.start());
    api.authorization = "Basic " + QByteArray("hermes:right").toBase64();
    api.connections = {connection(QStringLiteral("dev-tls"), 1, 44000)};

    auto settingsTrusting = [&](const QString &caFile, const QString &peerName = {}) {
        UpstreamSettings settings = settingsFor({api.url()});
        settings.tlsFiles.caFile = certificates.path(caFile);
        settings.tlsFiles.peerName = peerName;
        return settings;
    };
    {
        // upstream_tls_ca: the stand-in's certificate is trusted, by address.
        ManagementSessionSource source(settingsTrusting(QStringLiteral("ca.pem")), fastTiming());
        QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
        source.start();
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(source.sessions().size(), 1);
        QVERIFY(source.sessions().contains(QStringLiteral("dev-tls")));
    }
    const struct {
        QString caFile;
        QString peerName;
        QString says;
    } refused[] = {
        {QStringLiteral("other-ca.pem"), {},
         QStringLiteral("%1: TLS handshake failed: the broker's certificate is not trusted by CA file %2")
             .arg(api.url(), certificates.path(QStringLiteral("other-ca.pem")))},
        {QStringLiteral("ca.pem"), QStringLiteral("rabbit.internal"),
         QStringLiteral("%1: TLS handshake failed: the broker's certificate does not name rabbit.internal (it names localhost, "
                        "127.0.0.1)")
             .arg(api.url())},
        {QStringLiteral("missing.pem"), {},
         QStringLiteral("%1: TLS: cannot read the CA file %2").arg(api.url(), certificates.path(QStringLiteral("missing.pem")))},
    };
    for (const auto &bad : refused) {
        const int before = int(api.requests.size());
        ManagementSessionSource source(settingsTrusting(bad.caFile, bad.peerName), fastTiming());
        QStringList failures;
        connect(&source, &ManagementSessionSource::failed, this, [&](const QString &error) { failures.append(error); });
        source.start();
        // Named the same way at every retry; the request never reached the server.
        QTRY_VERIFY_WITH_TIMEOUT(failures.size() >= 2, 10000);
        QVERIFY2(failures.at(0).startsWith(bad.says), qPrintable(failures.at(0)));
        QCOMPARE(failures.at(1), failures.at(0));
        QCOMPARE(source.status().value(QLatin1String("lastError")).toString(), failures.constLast());
        QVERIFY(source.sessions().isEmpty());
        QCOMPARE(int(api.requests.size()), before);
    }
}

void TestManagementSessionSource::clusterSessionsCountInMetricsAndSys()
{
    // On the cluster: two devices online (one with two messages unacknowledged, one with one
    // waiting), one offline with three waiting, and a connection by the name of hermesd's
    // own operator, which hermesd lists (and counts) once, as its own.
    ManagementApiStandIn api;
    QVERIFY(api.start());
    api.connections = {connection(QStringLiteral("dev-1"), 1, 45000), connection(QStringLiteral("dev-2"), 2, 45001),
                       connection(QStringLiteral("operator"), 1, 45002)};
    QJsonObject unacknowledged = queue(QStringLiteral("dev-2"), 2, 0, false);
    unacknowledged.insert(QStringLiteral("messages_unacknowledged"), 2);
    api.queues = {queue(QStringLiteral("dev-1"), 1, 1, false), unacknowledged, queue(QStringLiteral("sleeper"), 2, 3, true)};
    ManagementSessionSource source(settingsFor({api.url()}), fastTiming());
    QSignalSpy refreshed(&source, &ManagementSessionSource::refreshed);
    source.start();
    QVERIFY(refreshed.wait(5000));
    QCOMPARE(source.sessions().size(), 4);

    BrokerConfig config = test::loopbackConfig();
    config.sysIntervalSeconds = 1;
    config.http.listener = ListenAddress{QHostAddress::LocalHost, 0, false};
    config.http.metricsAnonymous = true;
    Broker broker(config);
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    installPushServices(broker);
    auto *admin = broker.findChild<AdminApi *>();
    admin->setSessionSource(&source);
    QString problem;
    const HttpApi *http = installHttpApi(broker, &problem);
    QVERIFY2(http, qPrintable(problem));

    // hermesd's own session: the operator, reading $SYS as a mosquitto dashboard would.
    MqttClient reader;
    reader.setPort(broker.listenAddresses().first().port);
    reader.setClientId(QStringLiteral("operator"));
    QHash<QString, QByteArray> sys;
    connect(&reader, &MqttClient::messageReceived, this,
            [&](const mqtt::Publish &publish) { sys.insert(publish.topic, publish.payload); });
    QSignalSpy connected(&reader, &MqttClient::connected);
    reader.connectToBroker();
    QVERIFY(connected.wait(5000));
    reader.subscribe(QStringLiteral("$SYS/broker/clients/+"));
    // Published every second: the cluster's two devices and the operator, however the
    // operator is counted (the cluster's before it connected here, hermesd's after).
    QTRY_VERIFY_WITH_TIMEOUT(sys.value(QStringLiteral("$SYS/broker/clients/connected")) == "3", 5000);
    QTRY_COMPARE_WITH_TIMEOUT(sys.value(QStringLiteral("$SYS/broker/clients/total")), QByteArray("4"), 3000);
    QCOMPARE(sys.value(QStringLiteral("$SYS/broker/clients/disconnected")), QByteArray("1"));
    QVERIFY(sys.value(QStringLiteral("$SYS/broker/clients/maximum")).toInt() >= 3);
    // The Dashboard's figures (the admin API's telemetry reports these) are the same numbers.
    const BrokerCounters counters = broker.reportedCounters();
    QCOMPARE(counters.clientsConnected, 3u);
    QCOMPARE(counters.clientsTotal, 4u);
    QCOMPARE(counters.queuedTotal, 4u);
    QCOMPARE(counters.inflightTotal, 2u);
    // sessions/list: the operator is hermesd's (no node), the devices the cluster's.
    QHash<QString, QJsonObject> listed;
    for (const QJsonValue &row : admin->call(QStringLiteral("sessions/list"), {}).result.value(QLatin1String("sessions")).toArray())
        listed.insert(row.toObject().value(QLatin1String("clientId")).toString(), row.toObject());
    QCOMPARE(listed.size(), 4);
    QVERIFY(!listed.value(QStringLiteral("operator")).contains(QLatin1String("node")));
    QCOMPARE(listed.value(QStringLiteral("sleeper")).value(QLatin1String("node")).toString(), QStringLiteral("hermes-rabbit2@localhost"));

    // /metrics over HTTP: one series per source, summing to what $SYS says.
    QNetworkAccessManager network;
    const auto scrape = [&] {
        QNetworkReply *reply = network.get(QNetworkRequest(QUrl(http->url() + QStringLiteral("/metrics"))));
        QSignalSpy finished(reply, &QNetworkReply::finished);
        const bool answered = finished.wait(5000);
        reply->deleteLater();
        return answered ? QString::fromUtf8(reply->readAll()) : QString();
    };
    const auto sample = [](const QString &text, const QString &series) -> std::optional<double> {
        for (const QString &line : text.split(QLatin1Char('\n'))) {
            if (line.startsWith(series + QLatin1Char(' ')))
                return line.mid(series.size() + 1).toDouble();
        }
        return std::nullopt;
    };
    QString metrics = scrape();
    QVERIFY2(metrics.contains(QLatin1String("# TYPE hermes_connections gauge")), qPrintable(metrics));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_connections{source=\"broker\"}")), std::optional(1.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_connections{source=\"cluster\"}")), std::optional(2.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_sessions{source=\"broker\"}")), std::optional(1.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_sessions{source=\"cluster\"}")), std::optional(3.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_queued_messages{source=\"cluster\"}")), std::optional(4.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_inflight_messages{source=\"cluster\"}")), std::optional(2.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_session_source_up")), std::optional(1.0));
    // No unlabelled series beside the labelled ones: sum() would count everything twice.
    QVERIFY(!sample(metrics, QStringLiteral("hermes_connections")));

    // The management API stops answering: the cluster's counts stay as last read, and
    // hermes_session_source_up says they are stale.
    api.authorization = "Basic " + QByteArray("hermes:rotated").toBase64();
    QSignalSpy failed(&source, &ManagementSessionSource::failed);
    QVERIFY(failed.wait(5000));
    metrics = scrape();
    QCOMPARE(sample(metrics, QStringLiteral("hermes_session_source_up")), std::optional(0.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_connections{source=\"cluster\"}")), std::optional(2.0));

    // A device leaves the cluster: the next refresh moves every count.
    api.authorization = "Basic " + QByteArray("hermes:right").toBase64();
    api.connections.removeFirst();
    api.queues.removeFirst();
    QTRY_VERIFY_WITH_TIMEOUT(sys.value(QStringLiteral("$SYS/broker/clients/connected")) == "2", 10000);
    metrics = scrape();
    QCOMPARE(sample(metrics, QStringLiteral("hermes_connections{source=\"cluster\"}")), std::optional(1.0));
    QCOMPARE(sample(metrics, QStringLiteral("hermes_session_source_up")), std::optional(1.0));
    QVERIFY(sys.value(QStringLiteral("$SYS/broker/clients/maximum")).toInt() >= 3); // a maximum does not fall
}

HERMES_TEST_GUILESS_MAIN(TestManagementSessionSource)
#include "tst_managementsessionsource.moc"
