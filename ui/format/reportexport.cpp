#include "reportexport.h"

#include <QDateTime>
#include <QJsonObject>
#include <QRegularExpression>

namespace hermes::ui {

QStringList packetTraceColumns()
{
    return {QStringLiteral("time"),   QStringLiteral("direction"), QStringLiteral("packet"),
            QStringLiteral("topic"),  QStringLiteral("qos"),       QStringLiteral("pid"),
            QStringLiteral("retain"), QStringLiteral("dup"),       QStringLiteral("reason"),
            QStringLiteral("bytes")};
}

QList<QStringList> packetTraceRows(const QStringList &lines)
{
    // The engine writes the line (TraceRecord::toString); topics may hold spaces, so the
    // topic runs up to " qos=".
    static const QRegularExpression head(QStringLiteral("^(\\S+) (←|→|<-|->) (\\S+)(.*)$"));
    static const QRegularExpression topic(QStringLiteral(" topic=(.*) qos=(\\d)"));
    static const QRegularExpression field(QStringLiteral(" (pid|retain|dup|bytes)=(\\S+)"));
    static const QRegularExpression reason(QStringLiteral(" reason=(0x[0-9a-f]+ \\([^)]*\\))"));
    QList<QStringList> rows;
    rows.reserve(lines.size());
    for (const QString &line : lines) {
        QStringList row(packetTraceColumns().size());
        const QRegularExpressionMatch match = head.match(line);
        if (!match.hasMatch()) {
            row[2] = line; // unknown shape: keep the text
            rows.append(row);
            continue;
        }
        row[0] = match.captured(1);
        const QString arrow = match.captured(2);
        row[1] = arrow == QStringLiteral("←") || arrow == QLatin1String("<-") ? QStringLiteral("in") : QStringLiteral("out");
        row[2] = match.captured(3);
        const QString rest = match.captured(4);
        if (const QRegularExpressionMatch t = topic.match(rest); t.hasMatch()) {
            row[3] = t.captured(1);
            row[4] = t.captured(2);
        }
        for (auto it = field.globalMatch(rest); it.hasNext();) {
            const QRegularExpressionMatch f = it.next();
            const QString name = f.captured(1);
            const int column = name == QLatin1String("pid") ? 5 : name == QLatin1String("retain") ? 6
                             : name == QLatin1String("dup") ? 7 : 9;
            row[column] = f.captured(2);
        }
        if (const QRegularExpressionMatch r = reason.match(rest); r.hasMatch())
            row[8] = r.captured(1);
        rows.append(row);
    }
    return rows;
}

void appendCsvRow(QByteArray &out, const QStringList &fields)
{
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out += ',';
        QByteArray bytes = fields.at(i).toUtf8();
        if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r')) {
            bytes.replace("\"", "\"\"");
            out += '"';
            out += bytes;
            out += '"';
        } else {
            out += bytes;
        }
    }
    out += "\r\n";
}

QByteArray toCsv(const QStringList &header, const QList<QStringList> &rows)
{
    QByteArray out;
    appendCsvRow(out, header);
    for (const QStringList &row : rows)
        appendCsvRow(out, row);
    return out;
}

QJsonArray toJsonRows(const QStringList &header, const QList<QStringList> &rows)
{
    QJsonArray array;
    for (const QStringList &row : rows) {
        QJsonObject object;
        for (qsizetype i = 0; i < header.size() && i < row.size(); ++i)
            object.insert(header.at(i), row.at(i));
        array.append(object);
    }
    return array;
}

QStringList pushReportColumns()
{
    return {QStringLiteral("device"),          QStringLiteral("sequence"),       QStringLiteral("state"),
            QStringLiteral("queued_at"),       QStringLiteral("sent_at"),        QStringLiteral("acknowledged_at"),
            QStringLiteral("receipted_at"),    QStringLiteral("ended_at"),       QStringLiteral("send_count"),
            QStringLiteral("missing"),         QStringLiteral("receipt_status"), QStringLiteral("detail")};
}

QList<QStringList> pushReportRows(const PushReport &report)
{
    const auto time = [](qint64 ms) {
        return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString();
    };
    QList<QStringList> rows;
    for (const TargetReport &target : report.targets) {
        const QJsonObject json = target.toJson(); // its state name is the API's
        rows.append({target.device, target.sequence ? QString::number(target.sequence) : QString(),
                     json.value(QLatin1String("state")).toString(), time(target.queuedAtMs), time(target.sentAtMs),
                     time(target.acknowledgedAtMs), time(target.receiptedAtMs), time(target.endedAtMs),
                     QString::number(target.sendCount), QString::number(target.missing), target.receiptStatus,
                     target.detail});
    }
    return rows;
}

TableFormat tableFormatFor(const QString &path)
{
    return path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive) ? TableFormat::Json : TableFormat::Csv;
}

} // namespace hermes::ui
