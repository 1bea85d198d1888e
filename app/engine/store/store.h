#pragma once
/// Durable broker state in one SQLite file: persistent sessions, their subscriptions,
/// queued and in-flight QoS 1/2 messages, inbound QoS 2 ids, retained messages.

#include "engine/security/accesscontrol.h"
#include "engine/brokerconfig.h"
#include "engine/push/devicerecord.h"

#include "engine/metrics/histogram.h"
#include "engine/store/sqlitestatement.h"

#include "mqtt/sessionmachine.h"
#include "mqtt/subscriptiontree.h"

#include <QList>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

namespace hermes {

/// A persistent session as it was stored.
struct StoredSession {
    QString clientId;
    quint32 expirySeconds = 0;
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V3_1_1;
    qint64 disconnectedAtMs = 0;   ///< wall clock; 0 if it was online when the broker stopped
    QList<mqtt::SubscriptionRecord> subscriptions;
    /// In-flight (packet id set) then queued messages, in the order they were stored.
    /// Message tags are store rows; expiresAt are wall-clock ms here, converted by the
    /// broker into its monotonic time.
    struct Message {
        quint64 tag = 0;
        mqtt::Publish publish;
        std::optional<quint16> packetId;
        mqtt::OutboundStage stage = mqtt::OutboundStage::AwaitingPuback;
        std::optional<qint64> expiresAtMs;
    };
    QList<Message> messages;
    QList<quint16> inboundAwaitingRelease;
    quint16 nextPacketId = 1;
};

/// An HTTP API key as stored: only a digest of its secret (http/apikeyring.h).
struct StoredApiKey {
    QString id;          ///< public part of the key, shown in lists
    QString name;        ///< what the operator called it
    QByteArray digest;   ///< SHA-256 of the secret
    qint64 createdAtMs = 0;
};

struct StoredRetained {
    mqtt::Publish publish;
    std::optional<qint64> expiresAtMs; ///< wall clock
    qint64 storedAtMs = 0;
};

/// Writes are queued and applied together by commit() in one transaction (group commit:
/// the broker commits once per event-loop turn, then releases the acknowledgements that
/// waited for it). A failed commit keeps its writes queued and reports why; nothing is
/// dropped silently. One thread only (the engine's).
class Store
{
public:
    /// `path` is the database file; its directory is created if needed. `durability` says
    /// what a commit survives (BrokerConfig::durability).
    explicit Store(QString path, Durability durability = Durability::Process);
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    /// Opens or creates the database and its schema. False with errorString() on failure
    /// (unwritable directory, locked by another broker, not a database, corrupt).
    bool open();
    QString errorString() const { return m_error; }
    QString path() const { return m_path; }

    /// Caps the database at about `maxBytes` (SQLite max_page_count). A write beyond it fails
    /// like a full disk ("database or disk is full"), which is how tests exercise that path.
    bool limitSize(qint64 maxBytes);

    QList<StoredSession> loadSessions();
    QList<StoredRetained> loadRetained();
    QList<DeviceRecord> loadDevices();
    /// Accounts managed through the admin API (the config file's are not stored).
    QList<Account> loadAccounts();
    /// Next push sequence number per device (push/sequence.h SequenceAllocator).
    QHash<QString, quint64> loadPushSequences();
    QList<StoredApiKey> loadApiKeys();

    // ---- Queued writes ----
    void saveSession(const QString &clientId, quint32 expirySeconds, mqtt::ProtocolVersion version,
                     qint64 disconnectedAtMs);
    void deleteSession(const QString &clientId);
    void saveSubscription(const QString &clientId, const mqtt::SubscriptionRecord &subscription);
    void deleteSubscription(const QString &clientId, const QString &filter);
    /// Queues a message for a session; returns its tag (store row id).
    quint64 addMessage(const QString &clientId, const mqtt::Publish &publish, std::optional<qint64> expiresAtMs);
    void markMessageSent(quint64 tag, quint16 packetId, mqtt::OutboundStage stage);
    void deleteMessage(quint64 tag);
    void addInboundAwaitingRelease(const QString &clientId, quint16 packetId);
    void deleteInboundAwaitingRelease(const QString &clientId, quint16 packetId);
    void saveRetained(const mqtt::Publish &publish, std::optional<qint64> expiresAtMs, qint64 storedAtMs);
    void deleteRetained(const QString &topic);
    void saveDevice(const DeviceRecord &device);
    void deleteDevice(const QString &id);
    void savePushSequence(const QString &deviceId, quint64 next);
    void saveAccount(const Account &account);
    void deleteAccount(const QString &userName);
    void saveApiKey(const StoredApiKey &key);
    void deleteApiKey(const QString &id);

    bool hasPendingWrites() const { return !m_pending.empty(); }
    /// Writes queued since the store was opened, committed or not: tells whether any were
    /// queued between two moments.
    quint64 writesQueued() const { return m_writesQueued; }
    qsizetype pendingWriteCount() const { return qsizetype(m_pending.size()); }
    /// Applies every queued write in one transaction. On failure the writes stay queued,
    /// errorString() says why, and the next commit() retries them.
    bool commit();
    /// How long each successful commit took (the /metrics histogram).
    const Histogram &commitDurations() const { return m_commitDurations; }

private:
    using Write = std::function<bool(Store &)>;
    void queue(Write write)
    {
        m_pending.push_back(std::move(write));
        ++m_writesQueued;
    }
    bool exec(const QString &sql);
    /// A prepared statement, compiled once per store; `sql` is a string literal (its
    /// address is the key).
    SqliteStatement &prepared(const char *sql);
    /// Runs it; false with errorString() (a statement that did not prepare fails here).
    bool run(SqliteStatement &statement);

    QString m_path;
    Durability m_durability;
    QString m_connectionName;
    QString m_error;
    std::vector<Write> m_pending;
    sqlite3 *m_handle = nullptr; ///< the Qt Sql connection's, for the queued writes
    std::unordered_map<const char *, SqliteStatement> m_statements;
    quint64 m_nextTag = 1;
    quint64 m_writesQueued = 0;
    /// Messages whose INSERT waits for the commit, with what happened to them since: the
    /// commit writes each once, as it stands then (most are sent in the turn they arrive).
    struct UncommittedMessage {
        quint16 packetId = 0;
        mqtt::OutboundStage stage{}; ///< meaningful only with a packetId: the row was sent
        bool deleted = false;
    };
    QHash<quint64, UncommittedMessage> m_uncommittedMessages;
    Histogram m_commitDurations;
};

} // namespace hermes
