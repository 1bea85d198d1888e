#include "rabbitmqsessions.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace hermes::rabbitmq {

namespace {

const QLatin1StringView QueuePrefix{"mqtt-subscription-"};

/// Only what a session row shows: a 10,000-connection listing is ~3 MB with these columns
/// and several times that without. client_properties stays as a fallback for versions that
/// leave variable_map out.
const QLatin1StringView ConnectionColumns{
    "name,node,protocol,user,peer_host,peer_port,connected_at,variable_map.client_id,client_properties"};
const QLatin1StringView QueueColumns{
    "name,node,durable,auto_delete,arguments,messages_ready,messages_unacknowledged"};

mqtt::ProtocolVersion versionOf(const QString &protocol)
{
    // "MQTT 3.1.1", "MQTT 3.1", "MQTT 5.0"; Web MQTT says the same after "Web ".
    if (protocol.endsWith(QLatin1String(" 3.1")))
        return mqtt::ProtocolVersion::V3_1;
    if (protocol.contains(QLatin1String(" 5")))
        return mqtt::ProtocolVersion::V5;
    return mqtt::ProtocolVersion::V3_1_1;
}

QString addressOf(const QString &host, int port)
{
    if (host.isEmpty())
        return {};
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                           : QStringLiteral("%1:%2").arg(host).arg(port);
}

QString listing(QLatin1StringView path, int page, int pageSize, QLatin1StringView columns, QLatin1StringView filter = {})
{
    // Concatenated, not arg(): the filter's "%5E" would be taken for a placeholder.
    return QString(path) + QStringLiteral("?page=") + QString::number(page) + QStringLiteral("&page_size=")
        + QString::number(pageSize) + QStringLiteral("&sort=name") + QString(filter) + QStringLiteral("&columns=")
        + QString::fromLatin1(QUrl::toPercentEncoding(QString(columns), ","));
}

} // namespace

QString connectionsRequest(int page, int pageSize)
{
    return listing(QLatin1StringView("/api/connections"), page, pageSize, ConnectionColumns);
}

QString queuesRequest(int page, int pageSize)
{
    // The name filter is a regular expression on the server: only the MQTT plugin's queues.
    return listing(QLatin1StringView("/api/queues"), page, pageSize, QueueColumns,
                   QLatin1StringView("&name=%5Emqtt-subscription-&use_regex=true"));
}

QString closeConnectionRequest(const QString &connectionName)
{
    // "127.0.0.1:48728 -> 127.0.0.1:25002": spaces and '>' must not reach the path as they are.
    return QStringLiteral("/api/connections/") + QString::fromLatin1(QUrl::toPercentEncoding(connectionName));
}

std::optional<Page> parsePage(const QByteArray &body, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset);
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    if (!object.value(QLatin1String("items")).isArray() || !object.value(QLatin1String("page")).isDouble()
        || !object.value(QLatin1String("page_count")).isDouble()) {
        *error = QStringLiteral("not a paged listing (no items, page and page_count)");
        return std::nullopt;
    }
    return Page{object.value(QLatin1String("items")).toArray(), object.value(QLatin1String("page")).toInt(),
                object.value(QLatin1String("page_count")).toInt(),
                qint64(object.value(QLatin1String("total_count")).toDouble())};
}

std::optional<ClusterSession> sessionOfConnection(const QJsonObject &connection)
{
    const QString protocol = connection.value(QLatin1String("protocol")).toString();
    if (!protocol.contains(QLatin1String("MQTT")))
        return std::nullopt;
    QString clientId = connection.value(QLatin1String("variable_map")).toObject().value(QLatin1String("client_id")).toString();
    if (clientId.isEmpty())
        clientId = connection.value(QLatin1String("client_properties")).toObject().value(QLatin1String("client_id")).toString();
    if (clientId.isEmpty())
        return std::nullopt;
    ClusterSession session;
    session.info.clientId = clientId;
    session.info.online = true;
    session.info.userName = connection.value(QLatin1String("user")).toString();
    session.info.address = addressOf(connection.value(QLatin1String("peer_host")).toString(),
                                     connection.value(QLatin1String("peer_port")).toInt());
    session.info.version = versionOf(protocol);
    session.info.connectedSinceMs = qint64(connection.value(QLatin1String("connected_at")).toDouble());
    session.info.node = connection.value(QLatin1String("node")).toString();
    session.connection = connection.value(QLatin1String("name")).toString();
    return session;
}

std::optional<SessionQueue> sessionQueue(const QJsonObject &queue)
{
    const QString name = queue.value(QLatin1String("name")).toString();
    if (!name.startsWith(QueuePrefix) || !(name.endsWith(QLatin1String("qos0")) || name.endsWith(QLatin1String("qos1"))))
        return std::nullopt;
    SessionQueue result;
    result.clientId = name.mid(QueuePrefix.size(), name.size() - QueuePrefix.size() - 4);
    if (result.clientId.isEmpty())
        return std::nullopt;
    result.node = queue.value(QLatin1String("node")).toString();
    result.ready = queue.value(QLatin1String("messages_ready")).toInt();
    result.unacknowledged = queue.value(QLatin1String("messages_unacknowledged")).toInt();
    result.durable = queue.value(QLatin1String("durable")).toBool();
    result.autoDelete = queue.value(QLatin1String("auto_delete")).toBool();
    result.expiresMs = qint64(queue.value(QLatin1String("arguments")).toObject().value(QLatin1String("x-expires")).toDouble());
    return result;
}

void SessionTable::addConnection(ClusterSession session)
{
    QString id = session.info.clientId;
    m_connected.insert(std::move(id), std::move(session));
}

void SessionTable::addQueue(const SessionQueue &queue)
{
    auto found = m_queues.find(queue.clientId);
    if (found == m_queues.end()) {
        m_queues.insert(queue.clientId, queue);
        return;
    }
    // The client's QoS 0 and QoS 1 queues: one session.
    found->ready += queue.ready;
    found->unacknowledged += queue.unacknowledged;
    found->durable = found->durable || queue.durable;
    found->autoDelete = found->autoDelete && queue.autoDelete;
    found->expiresMs = std::max(found->expiresMs, queue.expiresMs);
}

void SessionTable::notePageTotal(bool firstPage, qint64 totalCount)
{
    if (firstPage)
        m_listingTotal = totalCount;
    else if (totalCount != m_listingTotal)
        m_moved = true;
}

QHash<QString, ClusterSession> SessionTable::take(const QHash<QString, ClusterSession> &previous, qint64 nowMs)
{
    QHash<QString, ClusterSession> sessions = std::exchange(m_connected, {});
    const QHash<QString, SessionQueue> queues = std::exchange(m_queues, {});
    const bool moved = std::exchange(m_moved, false);
    m_listingTotal = -1;
    for (auto it = queues.cbegin(); it != queues.cend(); ++it) {
        const SessionQueue &queue = it.value();
        // A queue that outlives its connection (not auto-delete: the client connected with
        // clean session off) keeps the session; its expiry is the queue's x-expires.
        const bool persistent = queue.durable && !queue.autoDelete;
        auto session = sessions.find(queue.clientId);
        if (session == sessions.end()) {
            // The connections listing says who is connected, not the queue's consumer count:
            // queue statistics lag (RabbitMQ samples them every 5 s).
            if (!persistent)
                continue; // a clean session's queue, going with its connection
            ClusterSession offline;
            offline.info.clientId = queue.clientId;
            offline.info.node = queue.node;
            const auto before = previous.constFind(queue.clientId);
            if (before != previous.cend()) {
                offline.info.userName = before->info.userName;
                offline.info.address = before->info.address;
                offline.info.version = before->info.version;
                // RabbitMQ does not say when the client left: the first refresh that found it
                // gone does (within one refresh period), and what a previous one said stays.
                offline.info.offlineSinceMs = before->info.online ? nowMs : before->info.offlineSinceMs;
            }
            session = sessions.insert(queue.clientId, offline);
        }
        SessionInfo &info = session->info;
        info.queued = queue.ready;
        info.inflight = queue.unacknowledged;
        info.cleanStart = !persistent;
        info.sessionExpirySeconds = persistent ? quint32(queue.expiresMs / 1000) : 0;
    }
    if (moved) {
        // Pages are cut by position: a connection that opened or closed before the boundary
        // moved the rest by one, and one row went unread. Not "removed" on that account.
        for (auto it = previous.cbegin(); it != previous.cend(); ++it) {
            if (!sessions.contains(it.key()))
                sessions.insert(it.key(), it.value());
        }
    }
    return sessions;
}

} // namespace hermes::rabbitmq
