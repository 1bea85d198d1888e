#pragma once
/// How a payload reads in one line of a table and in a hex dump.

#include <QByteArray>
#include <QString>

namespace hermes::ui {

/// Text when the payload is printable UTF-8, otherwise hex.
QString payloadPreview(const QByteArray &payload, qsizetype maxChars = 120);
/// "00000000  48 65 6c 6c 6f  Hello" lines.
QString hexDump(const QByteArray &payload, qsizetype maxBytes = 4096);

} // namespace hermes::ui
