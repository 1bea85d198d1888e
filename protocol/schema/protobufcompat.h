#pragma once
/// The protobuf calls whose spelling differs between 3.21 (Debian 12) and newer releases
/// (AddError vs RecordError, util::JsonPrintOptions vs json::PrintOptions, util::Status).
/// Only protobufcompat.cpp names them (STYLE.md R11).

#include "schemaerror.h"

#include <QList>
#include <QString>

#include <memory>
#include <string>

namespace google::protobuf {
class Message;
namespace compiler {
class MultiFileErrorCollector;
}
} // namespace google::protobuf

namespace hermes::schema::compat {

/// An error collector that appends to `sink` (which must outlive it), turning protobuf's
/// 0-based line and column into 1-based ones.
std::unique_ptr<google::protobuf::compiler::MultiFileErrorCollector>
makeErrorCollector(QList<SchemaError> *sink);

/// ParsePartialFromArray without protobuf's log line for every proto3 string that is not
/// UTF-8: the bytes come from devices and must not flood the log (the failure comes back
/// as a value). LogSilencer is gone with protobuf 22's absl logging.
bool parsePartialQuietly(google::protobuf::Message *message, const char *data, int size);

/// Canonical proto3 JSON of `message` (default options: lowerCamelCase names, fields at their
/// default value omitted). Returns false and sets `error` on failure.
bool messageToJson(const google::protobuf::Message &message, std::string *json, QString *error);

/// Parses canonical JSON into `message` (unknown JSON fields are an error).
bool jsonToMessage(const std::string &json, google::protobuf::Message *message, QString *error);

} // namespace hermes::schema::compat
