#pragma once
/// One prepared SQLite statement on the connection Qt Sql opened (through its driver's
/// handle), bound and stepped with SQLite's own calls. The store runs a few writes per
/// message; Qt Sql's per-value QVariant and placeholder bookkeeping cost more than SQLite's
/// work for those small rows.

#include <QByteArray>
#include <QString>

#include <optional>

struct sqlite3;
struct sqlite3_stmt;

namespace hermes {

class SqliteStatement
{
public:
    /// Prepares `sql` (kept for the connection's life); on failure isValid() is false and
    /// errorString() says why.
    SqliteStatement(sqlite3 *db, const char *sql);
    ~SqliteStatement();
    SqliteStatement(SqliteStatement &&other) noexcept;
    SqliteStatement &operator=(SqliteStatement &&) = delete;
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool isValid() const { return m_statement != nullptr; }

    // Parameters count from 0, as QSqlQuery's positional ones. Text and blobs are not
    // copied: they must outlive the next run().
    SqliteStatement &bind(int index, qint64 value);
    SqliteStatement &bind(int index, const QString &value);
    SqliteStatement &bind(int index, const QByteArray &value);
    SqliteStatement &bind(int index, QString &&) = delete;    // would dangle before run()
    SqliteStatement &bind(int index, QByteArray &&) = delete; // would dangle before run()
    /// NULL when empty.
    SqliteStatement &bind(int index, std::optional<qint64> value);

    /// Executes the statement and makes it ready for new values; false with errorString().
    bool run();
    QString errorString() const { return m_error; }

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_statement = nullptr;
    QString m_error;
};

} // namespace hermes
