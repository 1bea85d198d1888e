#include "store.h"

#include "mqtt/codec.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QUuid>
#include <QVariant>

Q_LOGGING_CATEGORY(lcStore, "hermes.store")

namespace hermes {

using namespace mqtt;

namespace {

// Messages are stored as their MQTT 5 encoding: one format that already carries every
// property, decoded by the same codec that is tested and fuzzed.
QByteArray serialise(const Publish &publish)
{
    Publish copy = publish;
    copy.dup = false;
    if (copy.qos != QoS::AtMostOnce && !copy.packetId)
        copy.packetId = 1; // the wire format needs one; the real id is a column of its own
    return encode(copy, ProtocolVersion::V5);
}

std::optional<Publish> deserialise(const QByteArray &bytes)
{
    const FrameResult frame = takeFrame(bytes, 0xFFFFFFFF);
    const auto *complete = std::get_if<Frame>(&frame);
    if (!complete)
        return std::nullopt;
    const DecodeResult decoded = decodePacket(*complete, ProtocolVersion::V5);
    const auto *packet = std::get_if<Packet>(&decoded);
    if (!packet || !std::holds_alternative<Publish>(*packet))
        return std::nullopt;
    Publish publish = std::get<Publish>(*packet);
    publish.packetId.reset();
    return publish;
}

constexpr int SchemaVersion = 1;

} // namespace

Store::Store(QString path, Durability durability)
    : m_path(std::move(path))
    , m_durability(durability)
    , m_connectionName(QStringLiteral("hermes-store-") + QUuid::createUuid().toString(QUuid::Id128))
{
}

Store::~Store()
{
    if (!m_pending.empty())
        commit();
    m_statements.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool Store::exec(const QString &sql)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(sql)) {
        m_error = QStringLiteral("%1: %2").arg(m_path, query.lastError().text());
        return false;
    }
    return true;
}

SqliteStatement &Store::prepared(const char *sql)
{
    auto it = m_statements.find(sql);
    if (it == m_statements.end())
        it = m_statements.emplace(sql, SqliteStatement(m_handle, sql)).first;
    return it->second;
}

bool Store::run(SqliteStatement &statement)
{
    if (statement.isValid() && statement.run())
        return true;
    m_error = QStringLiteral("%1: %2").arg(m_path, statement.errorString());
    return false;
}

bool Store::open()
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        m_error = QStringLiteral("%1: cannot create directory").arg(info.absolutePath());
        return false;
    }
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_path);
    // Another broker holding the file must be an error now, not a hang at the first commit.
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=2000"));
    if (!db.open()) {
        m_error = QStringLiteral("%1: %2").arg(m_path, db.lastError().text());
        return false;
    }
    // The queued writes run on this same connection through SQLite's own calls.
    const QVariant handle = db.driver()->handle();
    if (qstrcmp(handle.typeName(), "sqlite3*") != 0 || !(m_handle = *static_cast<sqlite3 *const *>(handle.constData()))) {
        m_error = QStringLiteral("%1: Qt's SQLite driver gave no connection handle").arg(m_path);
        return false;
    }
    // WAL + synchronous=NORMAL (durability process): a commit survives the process being
    // killed (kill -9), which is the promise made to publishers; only a power loss may lose
    // the last commits. synchronous=FULL (durability power) fsyncs the WAL at every commit,
    // and acknowledgements wait for the commit. An exclusive lock keeps a second broker off
    // the same file.
    const QString synchronous = m_durability == Durability::Power ? QStringLiteral("PRAGMA synchronous=FULL")
                                                                  : QStringLiteral("PRAGMA synchronous=NORMAL");
    if (!exec(QStringLiteral("PRAGMA locking_mode=EXCLUSIVE")) || !exec(QStringLiteral("PRAGMA journal_mode=WAL"))
        || !exec(synchronous) || !exec(QStringLiteral("PRAGMA foreign_keys=ON")))
        return false;
    // Touching the schema takes the exclusive lock, or fails if another process holds it.
    if (!exec(QStringLiteral("BEGIN IMMEDIATE")))
        return false;
    const QStringList schema = {
        QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS sessions (client_id TEXT PRIMARY KEY, expiry INTEGER NOT NULL,"
                       " version INTEGER NOT NULL, disconnected_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS subscriptions (client_id TEXT NOT NULL, filter TEXT NOT NULL,"
                       " qos INTEGER NOT NULL, no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL,"
                       " retain_handling INTEGER NOT NULL, subscription_id INTEGER,"
                       " PRIMARY KEY (client_id, filter))"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS messages (tag INTEGER PRIMARY KEY, client_id TEXT NOT NULL,"
                       " packet BLOB NOT NULL, packet_id INTEGER, stage INTEGER NOT NULL DEFAULT 0,"
                       " expires_at INTEGER)"),
        QStringLiteral("CREATE INDEX IF NOT EXISTS messages_by_client ON messages (client_id, tag)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS inbound_qos2 (client_id TEXT NOT NULL, packet_id INTEGER NOT NULL,"
                       " PRIMARY KEY (client_id, packet_id))"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS retained (topic TEXT PRIMARY KEY, packet BLOB NOT NULL,"
                       " expires_at INTEGER, stored_at INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS devices (id TEXT PRIMARY KEY, alias TEXT NOT NULL,"
                       " tags TEXT NOT NULL, registered INTEGER NOT NULL, first_seen INTEGER NOT NULL,"
                       " last_seen INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS push_sequences (device_id TEXT PRIMARY KEY, next INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL,"
                       " digest BLOB NOT NULL, created_at INTEGER NOT NULL)"),
        QStringLiteral("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '%1')").arg(SchemaVersion),
    };
    for (const QString &statement : schema) {
        if (!exec(statement)) {
            exec(QStringLiteral("ROLLBACK"));
            return false;
        }
    }
    if (!exec(QStringLiteral("COMMIT")))
        return false;
    // A corrupt file opens fine and fails here, before the broker relies on it.
    QSqlQuery check(db);
    if (!check.exec(QStringLiteral("PRAGMA quick_check")) || !check.next()
        || check.value(0).toString() != QLatin1String("ok")) {
        m_error = QStringLiteral("%1: database is corrupt (%2)")
                      .arg(m_path, check.lastError().isValid() ? check.lastError().text() : check.value(0).toString());
        return false;
    }
    QSqlQuery maxTag(db);
    if (maxTag.exec(QStringLiteral("SELECT COALESCE(MAX(tag), 0) FROM messages")) && maxTag.next())
        m_nextTag = maxTag.value(0).toULongLong() + 1;
    return true;
}

bool Store::limitSize(qint64 maxBytes)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    if (!query.exec(QStringLiteral("PRAGMA page_size")) || !query.next())
        return false;
    const qint64 pageSize = std::max<qint64>(512, query.value(0).toLongLong());
    return exec(QStringLiteral("PRAGMA max_page_count = %1").arg(std::max<qint64>(1, maxBytes / pageSize)));
}

QList<StoredSession> Store::loadSessions()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QHash<QString, qsizetype> indexById;
    QList<StoredSession> sessions;
    QSqlQuery query(db);
    query.exec(QStringLiteral("SELECT client_id, expiry, version, disconnected_at FROM sessions"));
    while (query.next()) {
        StoredSession session;
        session.clientId = query.value(0).toString();
        session.expirySeconds = query.value(1).toUInt();
        session.version = ProtocolVersion(query.value(2).toUInt());
        session.disconnectedAtMs = query.value(3).toLongLong();
        indexById.insert(session.clientId, sessions.size());
        sessions.append(std::move(session));
    }
    query.exec(QStringLiteral("SELECT client_id, filter, qos, no_local, retain_as_published, retain_handling,"
                              " subscription_id FROM subscriptions ORDER BY rowid"));
    while (query.next()) {
        const auto index = indexById.find(query.value(0).toString());
        if (index == indexById.end())
            continue;
        SubscriptionRecord record;
        record.filter = query.value(1).toString();
        record.options.maximumQoS = QoS(query.value(2).toUInt());
        record.options.noLocal = query.value(3).toBool();
        record.options.retainAsPublished = query.value(4).toBool();
        record.options.retainHandling = RetainHandling(query.value(5).toUInt());
        if (!query.value(6).isNull())
            record.subscriptionIdentifier = query.value(6).toUInt();
        sessions[*index].subscriptions.append(record);
    }
    query.exec(QStringLiteral("SELECT client_id, tag, packet, packet_id, stage, expires_at FROM messages ORDER BY tag"));
    while (query.next()) {
        const auto index = indexById.find(query.value(0).toString());
        const auto publish = deserialise(query.value(2).toByteArray());
        if (index == indexById.end() || !publish) {
            qCWarning(lcStore) << "skipping unreadable stored message" << query.value(1);
            continue;
        }
        StoredSession::Message message;
        message.tag = query.value(1).toULongLong();
        message.publish = *publish;
        if (!query.value(3).isNull())
            message.packetId = quint16(query.value(3).toUInt());
        message.stage = OutboundStage(query.value(4).toUInt());
        if (!query.value(5).isNull())
            message.expiresAtMs = query.value(5).toLongLong();
        sessions[*index].messages.append(message);
    }
    query.exec(QStringLiteral("SELECT client_id, packet_id FROM inbound_qos2"));
    while (query.next()) {
        const auto index = indexById.find(query.value(0).toString());
        if (index != indexById.end())
            sessions[*index].inboundAwaitingRelease.append(quint16(query.value(1).toUInt()));
    }
    for (StoredSession &session : sessions) {
        quint16 highest = 0;
        for (const auto &message : std::as_const(session.messages)) {
            if (message.packetId)
                highest = std::max(highest, *message.packetId);
        }
        session.nextPacketId = highest == 65535 ? 1 : quint16(highest + 1);
    }
    return sessions;
}

QList<StoredRetained> Store::loadRetained()
{
    QList<StoredRetained> result;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.exec(QStringLiteral("SELECT packet, expires_at, stored_at FROM retained"));
    while (query.next()) {
        const auto publish = deserialise(query.value(0).toByteArray());
        if (!publish)
            continue;
        StoredRetained retained;
        retained.publish = *publish;
        if (!query.value(1).isNull())
            retained.expiresAtMs = query.value(1).toLongLong();
        retained.storedAtMs = query.value(2).toLongLong();
        result.append(retained);
    }
    return result;
}

void Store::saveSession(const QString &clientId, quint32 expirySeconds, ProtocolVersion version,
                        qint64 disconnectedAtMs)
{
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared(
            "INSERT INTO sessions (client_id, expiry, version, disconnected_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (client_id) DO UPDATE SET expiry = excluded.expiry, version = excluded.version,"
            " disconnected_at = excluded.disconnected_at");
        query.bind(0, clientId);
        query.bind(1, expirySeconds);
        query.bind(2, int(version));
        query.bind(3, disconnectedAtMs);
        return store.run(query);
    });
}

void Store::deleteSession(const QString &clientId)
{
    queue([=](Store &store) {
        for (const char *sql : {"DELETE FROM sessions WHERE client_id = ?", "DELETE FROM subscriptions WHERE client_id = ?",
                                "DELETE FROM messages WHERE client_id = ?", "DELETE FROM inbound_qos2 WHERE client_id = ?"}) {
            SqliteStatement &query = store.prepared(sql);
            query.bind(0, clientId);
            if (!store.run(query))
                return false;
        }
        return true;
    });
}

void Store::saveSubscription(const QString &clientId, const SubscriptionRecord &subscription)
{
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared(
            "INSERT OR REPLACE INTO subscriptions (client_id, filter, qos, no_local, retain_as_published,"
            " retain_handling, subscription_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
        query.bind(0, clientId);
        query.bind(1, subscription.filter);
        query.bind(2, int(subscription.options.maximumQoS));
        query.bind(3, subscription.options.noLocal);
        query.bind(4, subscription.options.retainAsPublished);
        query.bind(5, int(subscription.options.retainHandling));
        query.bind(6, subscription.subscriptionIdentifier ? std::optional<qint64>(*subscription.subscriptionIdentifier)
                                                          : std::nullopt);
        return store.run(query);
    });
}

void Store::deleteSubscription(const QString &clientId, const QString &filter)
{
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM subscriptions WHERE client_id = ? AND filter = ?");
        query.bind(0, clientId);
        query.bind(1, filter);
        return store.run(query);
    });
}

quint64 Store::addMessage(const QString &clientId, const Publish &publish, std::optional<qint64> expiresAtMs)
{
    const quint64 tag = m_nextTag++;
    const QByteArray packet = serialise(publish);
    m_uncommittedMessages.insert(tag, {});
    queue([=](Store &store) {
        // Sent or even deleted before this commit: one INSERT with the stage it reached, or
        // none at all, instead of an INSERT followed by an UPDATE or a DELETE.
        const UncommittedMessage fate = store.m_uncommittedMessages.value(tag);
        if (fate.deleted)
            return true;
        SqliteStatement &query = store.prepared(
            "INSERT INTO messages (tag, client_id, packet, packet_id, stage, expires_at) VALUES (?, ?, ?, ?, ?, ?)");
        query.bind(0, tag);
        query.bind(1, clientId);
        query.bind(2, packet);
        query.bind(3, fate.packetId ? std::optional<qint64>(fate.packetId) : std::nullopt);
        query.bind(4, int(fate.stage));
        query.bind(5, expiresAtMs);
        return store.run(query);
    });
    return tag;
}

void Store::markMessageSent(quint64 tag, quint16 packetId, OutboundStage stage)
{
    if (const auto uncommitted = m_uncommittedMessages.find(tag); uncommitted != m_uncommittedMessages.end()) {
        uncommitted->packetId = packetId;
        uncommitted->stage = stage;
        ++m_writesQueued;
        return;
    }
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared("UPDATE messages SET packet_id = ?, stage = ? WHERE tag = ?");
        query.bind(0, packetId);
        query.bind(1, int(stage));
        query.bind(2, tag);
        return store.run(query);
    });
}

void Store::deleteMessage(quint64 tag)
{
    if (const auto uncommitted = m_uncommittedMessages.find(tag); uncommitted != m_uncommittedMessages.end()) {
        uncommitted->deleted = true;
        ++m_writesQueued;
        return;
    }
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM messages WHERE tag = ?");
        query.bind(0, tag);
        return store.run(query);
    });
}

void Store::addInboundAwaitingRelease(const QString &clientId, quint16 packetId)
{
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared("INSERT OR IGNORE INTO inbound_qos2 (client_id, packet_id) VALUES (?, ?)");
        query.bind(0, clientId);
        query.bind(1, packetId);
        return store.run(query);
    });
}

void Store::deleteInboundAwaitingRelease(const QString &clientId, quint16 packetId)
{
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM inbound_qos2 WHERE client_id = ? AND packet_id = ?");
        query.bind(0, clientId);
        query.bind(1, packetId);
        return store.run(query);
    });
}

void Store::saveRetained(const Publish &publish, std::optional<qint64> expiresAtMs, qint64 storedAtMs)
{
    const QByteArray packet = serialise(publish);
    const QString topic = publish.topic;
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared(
            "INSERT OR REPLACE INTO retained (topic, packet, expires_at, stored_at) VALUES (?, ?, ?, ?)");
        query.bind(0, topic);
        query.bind(1, packet);
        query.bind(2, expiresAtMs);
        query.bind(3, storedAtMs);
        return store.run(query);
    });
}

void Store::deleteRetained(const QString &topic)
{
    queue([=](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM retained WHERE topic = ?");
        query.bind(0, topic);
        return store.run(query);
    });
}

bool Store::commit()
{
    if (m_pending.empty())
        return true;
    QElapsedTimer timer;
    timer.start();
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.transaction()) {
        m_error = QStringLiteral("%1: cannot begin a transaction: %2").arg(m_path, db.lastError().text());
        return false;
    }
    for (const Write &write : m_pending) {
        if (!write(*this)) {
            db.rollback();
            qCWarning(lcStore) << "commit failed, keeping" << m_pending.size() << "writes queued:" << m_error;
            return false;
        }
    }
    if (!db.commit()) {
        m_error = QStringLiteral("%1: commit failed: %2").arg(m_path, db.lastError().text());
        db.rollback();
        return false;
    }
    m_pending.clear();
    m_uncommittedMessages.clear();
    m_error.clear();
    m_commitDurations.observe(std::chrono::nanoseconds(timer.nsecsElapsed()));
    return true;
}

QList<DeviceRecord> Store::loadDevices()
{
    QList<DeviceRecord> devices;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.exec(QStringLiteral("SELECT id, alias, tags, registered, first_seen, last_seen FROM devices ORDER BY id"));
    while (query.next()) {
        DeviceRecord device;
        device.id = query.value(0).toString();
        device.alias = query.value(1).toString();
        // Tags cannot contain spaces (they are words of tag expressions).
        device.tags = query.value(2).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        device.registered = query.value(3).toBool();
        device.firstSeenMs = query.value(4).toLongLong();
        device.lastSeenMs = query.value(5).toLongLong();
        devices.append(device);
    }
    return devices;
}

QHash<QString, quint64> Store::loadPushSequences()
{
    QHash<QString, quint64> next;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.exec(QStringLiteral("SELECT device_id, next FROM push_sequences"));
    while (query.next())
        next.insert(query.value(0).toString(), query.value(1).toULongLong());
    return next;
}

void Store::saveDevice(const DeviceRecord &device)
{
    queue([device](Store &store) {
        SqliteStatement &query = store.prepared(
            "INSERT OR REPLACE INTO devices (id, alias, tags, registered, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)");
        const QString tags = device.tags.join(QLatin1Char(' '));
        query.bind(0, device.id);
        query.bind(1, device.alias); // a null QString binds as "", which the column holds for "none"
        query.bind(2, tags);
        query.bind(3, device.registered);
        query.bind(4, device.firstSeenMs);
        query.bind(5, device.lastSeenMs);
        return store.run(query);
    });
}

void Store::deleteDevice(const QString &id)
{
    queue([id](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM devices WHERE id = ?");
        query.bind(0, id);
        return store.run(query);
    });
}

void Store::savePushSequence(const QString &deviceId, quint64 next)
{
    queue([deviceId, next](Store &store) {
        SqliteStatement &query = store.prepared("INSERT OR REPLACE INTO push_sequences (device_id, next) VALUES (?, ?)");
        query.bind(0, deviceId);
        query.bind(1, next);
        return store.run(query);
    });
}

QList<Account> Store::loadAccounts()
{
    QList<Account> accounts;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.exec(QStringLiteral("SELECT name, role, hash FROM accounts ORDER BY name"));
    while (query.next()) {
        const auto role = parseRole(query.value(1).toString());
        const auto hash = PasswordHash::parse(query.value(2).toString());
        if (!role || !hash) {
            qCWarning(lcStore) << "skipping unreadable account" << query.value(0).toString();
            continue;
        }
        accounts.append(Account{query.value(0).toString(), *role, *hash, {}});
    }
    return accounts;
}

void Store::saveAccount(const Account &account)
{
    queue([name = account.userName, role = roleName(account.role), hash = account.password.toString()](Store &store) {
        SqliteStatement &query = store.prepared("INSERT OR REPLACE INTO accounts (name, role, hash) VALUES (?, ?, ?)");
        query.bind(0, name);
        query.bind(1, role);
        query.bind(2, hash);
        return store.run(query);
    });
}

void Store::deleteAccount(const QString &userName)
{
    queue([userName](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM accounts WHERE name = ?");
        query.bind(0, userName);
        return store.run(query);
    });
}

QList<StoredApiKey> Store::loadApiKeys()
{
    QList<StoredApiKey> keys;
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.exec(QStringLiteral("SELECT id, name, digest, created_at FROM api_keys ORDER BY created_at, id"));
    while (query.next())
        keys.append(StoredApiKey{query.value(0).toString(), query.value(1).toString(), query.value(2).toByteArray(),
                                 query.value(3).toLongLong()});
    return keys;
}

void Store::saveApiKey(const StoredApiKey &key)
{
    queue([key](Store &store) {
        SqliteStatement &query = store.prepared(
            "INSERT OR REPLACE INTO api_keys (id, name, digest, created_at) VALUES (?, ?, ?, ?)");
        query.bind(0, key.id);
        query.bind(1, key.name);
        query.bind(2, key.digest);
        query.bind(3, key.createdAtMs);
        return store.run(query);
    });
}

void Store::deleteApiKey(const QString &id)
{
    queue([id](Store &store) {
        SqliteStatement &query = store.prepared("DELETE FROM api_keys WHERE id = ?");
        query.bind(0, id);
        return store.run(query);
    });
}

} // namespace hermes
