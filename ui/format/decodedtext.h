#pragma once
/// A decoded payload as text: indented JSON and protoc's raw wire format.

#include "schema/decodednode.h"

#include <QString>

namespace hermes::ui {

/// Pretty-prints compact JSON keeping the key order (QJsonDocument would sort the keys).
QString indentJson(const QString &compact, int indent = 2);

/// The wire format as `protoc --decode_raw` prints it, one field per line.
QString formatRawTree(const schema::DecodedNode &root);

} // namespace hermes::ui
