#pragma once
/// A problem found while loading a schema, as a value.

#include <QString>

namespace hermes::schema {

/// file:line:column: message, like protoc prints it. Line and column are 1-based; 0 means
/// the problem concerns the whole file (not found, unreadable, not a descriptor set).
struct SchemaError {
    QString file;
    int line = 0;
    int column = 0;
    QString message;
    bool warning = false;

    QString toString() const
    {
        return line > 0 ? QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message)
                        : QStringLiteral("%1: %2").arg(file, message);
    }
    bool operator==(const SchemaError &) const = default;
};

} // namespace hermes::schema
