#pragma once
/// What RabbitMQ's management API (3.10, as answered by the test cluster of
/// scripts/rabbitmq-cluster.sh) says about MQTT sessions, as the plain values hermesd lists:
/// the requests a refresh makes and the mapping of their JSON. No I/O here.
///
/// A refresh reads two paged listings, each sorted by name so that pages follow one order:
/// - `GET /api/connections?page=N&page_size=S&sort=name&columns=…`: one item per connection;
///   MQTT ones have `protocol` "MQTT 3.1.1" and their client ID in `variable_map.client_id`
///   (also in `client_properties`, which 3.10 writes twice when asked for by column);
/// - `GET /api/queues?page=N&page_size=S&sort=name&name=^mqtt-subscription-&use_regex=true&columns=…`:
///   the MQTT plugin's queue per client and QoS, `mqtt-subscription-<client id>qos1` (and
///   `qos0`): its depth is what waits for the client; one that is not auto-delete and has no
///   connection is the session of an offline client (clean session off). Queue depths are
///   RabbitMQ's statistics, sampled every 5 s by default: up to that much older than the
///   connections.

#include "engine/push/sessionsource.h"

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

#include <optional>

namespace hermes::rabbitmq {

/// The most items RabbitMQ returns per page (it answers 400 above).
constexpr int MaxPageSize = 500;

/// Path and query of page `page` (1-based) of the connections or the MQTT queues.
QString connectionsRequest(int page, int pageSize);
QString queuesRequest(int page, int pageSize);
/// Path of the request that closes a connection (DELETE), its name percent-encoded.
QString closeConnectionRequest(const QString &connectionName);

/// One page of a paged listing.
struct Page {
    QJsonArray items;
    int page = 0;
    int pageCount = 0; ///< 0 when the listing is empty
    qint64 totalCount = 0;
    bool isLast() const { return page >= pageCount; }
};
/// Nullopt with `error` set when `body` is not a paged listing.
std::optional<Page> parsePage(const QByteArray &body, QString *error);

/// An MQTT connection as a session (online, its node and connection name); nullopt for other
/// protocols (AMQP, STOMP) and for items without a client ID.
std::optional<ClusterSession> sessionOfConnection(const QJsonObject &connection);

/// One MQTT plugin queue: whose it is and what waits in it.
struct SessionQueue {
    QString clientId;
    QString node;
    int ready = 0;          ///< messages waiting to be delivered
    int unacknowledged = 0; ///< delivered, not yet acknowledged (in flight)
    bool durable = false;
    bool autoDelete = false; ///< dies with its connection: a clean session
    qint64 expiresMs = 0;    ///< x-expires: how long it outlives its connection (0: for ever)
};
/// Nullopt for a queue that is not an MQTT session's.
std::optional<SessionQueue> sessionQueue(const QJsonObject &queue);

/// The sessions of one refresh: the connected ones with their queues' depth added, and one
/// offline session per client whose durable queue has no connection. A client ID listed
/// twice (a page boundary moved while paging) counts once.
class SessionTable
{
public:
    void addConnection(ClusterSession session);
    void addQueue(const SessionQueue &queue);
    /// Notes a page's total_count: when a listing's total changes between its pages, items
    /// moved across a page boundary while it was read and some may have been missed.
    void notePageTotal(bool firstPage, qint64 totalCount);
    /// The merged sessions; `previous` (the last refresh's) keeps the time a session was first
    /// seen offline, since RabbitMQ does not say when a client went away. When a listing moved
    /// while it was read, a session of `previous` missing now is kept as it was: the next
    /// refresh says whether it is really gone.
    QHash<QString, ClusterSession> take(const QHash<QString, ClusterSession> &previous, qint64 nowMs);

private:
    QHash<QString, ClusterSession> m_connected;
    QHash<QString, SessionQueue> m_queues; ///< by client ID, QoS 0 and 1 summed
    qint64 m_listingTotal = -1;
    bool m_moved = false;
};

} // namespace hermes::rabbitmq
