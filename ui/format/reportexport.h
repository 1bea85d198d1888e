#pragma once
/// Small exports written at once on the GUI thread (at most a few hundred rows): a
/// session's packet trace and a push's delivery report, as CSV or JSON.

#include "engine/api/monitor.h"

#include <QByteArray>
#include <QJsonArray>
#include <QStringList>

namespace hermes::ui {

/// One packet trace line ("12:00:01.123 ← PUBLISH topic=a/b qos=1 pid=7 retain=0 dup=0
/// bytes=12") split into named fields: time, direction (in/out), packet, topic, qos, pid,
/// retain, dup, reason, bytes. Fields a packet does not have are empty.
QStringList packetTraceColumns();
QList<QStringList> packetTraceRows(const QStringList &lines);

/// Appends one RFC 4180 row: fields quoted when they hold a comma, quote, CR or LF; CRLF.
void appendCsvRow(QByteArray &out, const QStringList &fields);
/// RFC 4180 CSV with a header row, CRLF line ends.
QByteArray toCsv(const QStringList &header, const QList<QStringList> &rows);
/// An array of objects keyed by `header`.
QJsonArray toJsonRows(const QStringList &header, const QList<QStringList> &rows);

/// One row per target: device, sequence, state, times (ISO 8601 UTC), sends, receipt.
QStringList pushReportColumns();
QList<QStringList> pushReportRows(const PushReport &report);

/// What a "Save as" filter chooses: CSV or JSON by the file's suffix.
enum class TableFormat : quint8 { Csv, Json };
TableFormat tableFormatFor(const QString &path);

} // namespace hermes::ui
