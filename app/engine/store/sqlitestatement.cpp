#include "sqlitestatement.h"

#include <sqlite3.h>

#include <utility>

namespace hermes {

SqliteStatement::SqliteStatement(sqlite3 *db, const char *sql)
    : m_db(db)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr) != SQLITE_OK) {
        m_error = QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_finalize(m_statement);
        m_statement = nullptr;
    }
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

SqliteStatement::SqliteStatement(SqliteStatement &&other) noexcept
    : m_db(other.m_db)
    , m_statement(std::exchange(other.m_statement, nullptr))
    , m_error(std::move(other.m_error))
{
}

SqliteStatement &SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_statement, index + 1, value);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const QString &value)
{
    // A null QString is empty text, as NOT NULL columns want.
    const void *text = value.isNull() ? static_cast<const void *>(u"") : static_cast<const void *>(value.constData());
    sqlite3_bind_text16(m_statement, index + 1, text, int(value.size() * sizeof(char16_t)), SQLITE_STATIC);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, const QByteArray &value)
{
    sqlite3_bind_blob(m_statement, index + 1, value.constData(), int(value.size()), SQLITE_STATIC);
    return *this;
}

SqliteStatement &SqliteStatement::bind(int index, std::optional<qint64> value)
{
    if (value)
        return bind(index, *value);
    sqlite3_bind_null(m_statement, index + 1);
    return *this;
}

bool SqliteStatement::run()
{
    const int result = sqlite3_step(m_statement);
    const bool ok = result == SQLITE_DONE || result == SQLITE_ROW;
    if (!ok)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    // reset() repeats the step's error code; the message was taken above.
    sqlite3_reset(m_statement);
    return ok;
}

} // namespace hermes
