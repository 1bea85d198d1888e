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

    /// "file:line:column: message", or "file: message" for whole-file problems.
    QString toString() const;
    bool operator==(const SchemaError &) const = default;
};

} // namespace hermes::schema
