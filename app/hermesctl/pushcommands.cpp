// hermesctl push and report: sending a push (payload from text, JSON, a file or a schema)
// and following its delivery report.
#include "adminshared.h"
#include "table.h"

#include "schema/schemaregistry.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcessEnvironment>
#include <QTextStream>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <optional>

namespace hermes::cli::admin {

using namespace std::chrono_literals;

namespace {

/// Polling period of `push --wait` while the report settles.
constexpr auto WaitPollInterval = 200ms;

// ---- report ----

QString reportText(const QJsonObject &report)
{
    const QJsonObject counts = report.value(QLatin1String("counts")).toObject();
    const QJsonObject latency = report.value(QLatin1String("latencyMs")).toObject();
    const qint64 sendAtMs = qint64(report.value(QLatin1String("sendAtMs")).toDouble(report.value(QLatin1String("createdAtMs")).toDouble()));
    Details details;
    details.add(QStringLiteral("Push"), report.value(QLatin1String("pushId")).toString());
    details.add(QStringLiteral("Created"), timeText(report.value(QLatin1String("createdAtMs"))));
    if (sendAtMs > qint64(report.value(QLatin1String("createdAtMs")).toDouble()))
        details.add(QStringLiteral("Scheduled"), timeText(double(sendAtMs)));
    details.add(QStringLiteral("Target"), targetText(report.value(QLatin1String("target")).toObject()));
    const double ttl = report.value(QLatin1String("ttlSeconds")).toDouble();
    details.add(QStringLiteral("QoS"), integerText(report.value(QLatin1String("qos")))
                        + (ttl > 0 ? QStringLiteral(", TTL %1 s").arg(qint64(ttl)) : QString())
                        + (report.contains(QLatin1String("envelope"))
                                   ? (report.value(QLatin1String("envelope")).toBool() ? QStringLiteral(", envelope")
                                                                                        : QStringLiteral(", raw"))
                                   : QString()));
    QString audience = integerText(report.value(QLatin1String("audience")));
    if (report.contains(QLatin1String("settled")))
        audience += report.value(QLatin1String("settled")).toBool() ? QStringLiteral(" (settled)") : QStringLiteral(" (in progress)");
    details.add(QStringLiteral("Audience"), audience);
    QStringList countText;
    for (const char *state : {"pending", "queued", "sent", "acknowledged", "receipted", "expired", "failed"})
        countText.append(QStringLiteral("%1 %2").arg(integerText(counts.value(QLatin1String(state))), QLatin1String(state)));
    details.add(QStringLiteral("Counts"), countText.join(QLatin1String(", ")));
    details.add(QStringLiteral("Arrival rate"), QStringLiteral("%1/s").arg(report.value(QLatin1String("arrivalRatePerSecond")).toDouble(), 0, 'f', 1));
    details.add(QStringLiteral("Latency"), QStringLiteral("p50 %1 ms, p90 %2 ms, p99 %3 ms, max %4 ms")
                                                   .arg(integerText(latency.value(QLatin1String("p50"))),
                                                        integerText(latency.value(QLatin1String("p90"))),
                                                        integerText(latency.value(QLatin1String("p99"))),
                                                        integerText(latency.value(QLatin1String("max")))));
    details.add(QStringLiteral("Duplicates"), integerText(report.value(QLatin1String("duplicates"))));
    details.add(QStringLiteral("Missing"), integerText(report.value(QLatin1String("missing"))));
    QString text = details.toString();

    if (!report.contains(QLatin1String("targets")))
        return text;
    const QJsonArray targets = report.value(QLatin1String("targets")).toArray();
    text += QLatin1Char('\n');
    Table table({QStringLiteral("DEVICE"), QStringLiteral("SEQ"), QStringLiteral("STATE"), QStringLiteral("QUEUED"),
                 QStringLiteral("SENT"), QStringLiteral("ACKED"), QStringLiteral("RECEIPTED"), QStringLiteral("ENDED"),
                 QStringLiteral("RECEIPT"), QStringLiteral("DETAIL")});
    table.setAlignment(1, Table::Align::Right);
    table.setMaximumWidth(9, 60);
    for (const QJsonValue &value : targets) {
        const QJsonObject target = value.toObject();
        const double sequence = target.value(QLatin1String("sequence")).toDouble();
        table.addRow({target.value(QLatin1String("device")).toString(),
                      sequence > 0 ? integerText(sequence) : QStringLiteral("-"),
                      target.value(QLatin1String("state")).toString(),
                      offsetText(target.value(QLatin1String("queuedAtMs")), sendAtMs),
                      offsetText(target.value(QLatin1String("sentAtMs")), sendAtMs),
                      offsetText(target.value(QLatin1String("acknowledgedAtMs")), sendAtMs),
                      offsetText(target.value(QLatin1String("receiptedAtMs")), sendAtMs),
                      offsetText(target.value(QLatin1String("endedAtMs")), sendAtMs),
                      target.value(QLatin1String("receiptStatus")).toString(),
                      target.value(QLatin1String("detail")).toString()});
    }
    return text + table.toString();
}

QString pushListTable(const QJsonObject &result)
{
    const QJsonArray pushes = result.value(QLatin1String("pushes")).toArray();
    if (pushes.isEmpty())
        return QStringLiteral("no pushes\n");
    Table table({QStringLiteral("PUSH ID"), QStringLiteral("CREATED"), QStringLiteral("TARGET"), QStringLiteral("AUDIENCE"),
                 QStringLiteral("ACKED"), QStringLiteral("RECEIPTED"), QStringLiteral("FAILED"), QStringLiteral("EXPIRED"),
                 QStringLiteral("STATE")});
    for (int column = 3; column <= 7; ++column)
        table.setAlignment(column, Table::Align::Right);
    for (const QJsonValue &value : pushes) {
        const QJsonObject push = value.toObject();
        const QJsonObject counts = push.value(QLatin1String("counts")).toObject();
        table.addRow({push.value(QLatin1String("pushId")).toString(), timeText(push.value(QLatin1String("createdAtMs"))),
                      targetText(push.value(QLatin1String("target")).toObject()),
                      integerText(push.value(QLatin1String("audience"))),
                      integerText(counts.value(QLatin1String("acknowledged"))),
                      integerText(counts.value(QLatin1String("receipted"))),
                      integerText(counts.value(QLatin1String("failed"))),
                      integerText(counts.value(QLatin1String("expired"))),
                      push.value(QLatin1String("settled")).toBool() ? QStringLiteral("settled") : QStringLiteral("in progress")});
    }
    return table.toString();
}

// ---- push ----

/// In push, "--json VALUE" is the payload while a bare "--json" asks for JSON output
/// (every other command's meaning). A value is the next argument when it does not start
/// with '-'; "--json=VALUE" always is one.
QStringList separateJsonPayload(QStringList arguments)
{
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--"))
            break;
        if (argument.startsWith(QLatin1String("--json="))) {
            arguments[i] = QLatin1String("--json-payload=") + argument.mid(7);
        } else if (argument == QLatin1String("--json") && i + 1 < arguments.size()
                   && !arguments.at(i + 1).startsWith(QLatin1Char('-'))) {
            arguments[i] = QStringLiteral("--json-payload");
            ++i;
        }
    }
    return arguments;
}

struct Payload {
    QByteArray bytes;
    QString contentType;
};


/// The payload from --text, --json, --file, optionally encoded with --proto/--type.
std::variant<Payload, QString> payloadFrom(const QCommandLineParser &parser)
{
    const bool text = parser.isSet(QStringLiteral("text"));
    const bool json = parser.isSet(QStringLiteral("json-payload"));
    const bool file = parser.isSet(QStringLiteral("file"));
    if (int(text) + int(json) + int(file) != 1)
        return QStringLiteral("give exactly one payload: --text, --json or --file");
    const bool proto = parser.isSet(QStringLiteral("proto")) || parser.isSet(QStringLiteral("type"));
    Payload payload;
    if (text) {
        payload.bytes = parser.value(QStringLiteral("text")).toUtf8();
        payload.contentType = QStringLiteral("text/plain; charset=utf-8");
    } else if (json) {
        payload.bytes = parser.value(QStringLiteral("json-payload")).toUtf8();
        payload.contentType = QStringLiteral("application/json");
    } else {
        QString error;
        const auto bytes = readInput(parser.value(QStringLiteral("file")), &error);
        if (!bytes)
            return error;
        payload.bytes = *bytes;
        QJsonParseError parseError;
        QJsonDocument::fromJson(payload.bytes, &parseError);
        const bool isUtf8 = QString::fromUtf8(payload.bytes).toUtf8() == payload.bytes;
        payload.contentType = parseError.error == QJsonParseError::NoError ? QStringLiteral("application/json")
                : isUtf8 ? QStringLiteral("text/plain; charset=utf-8") : QStringLiteral("application/octet-stream");
    }
    if (json || proto) {
        // Refuse bad JSON here rather than push it to a fleet.
        QJsonParseError parseError;
        QJsonDocument::fromJson(payload.bytes, &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return QStringLiteral("the payload is not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
    }
    if (proto) {
        if (!parser.isSet(QStringLiteral("proto")) || !parser.isSet(QStringLiteral("type")))
            return QStringLiteral("--proto and --type go together");
        if (text)
            return QStringLiteral("--proto encodes a JSON payload: use --json or --file");
        schema::SchemaRegistry registry;
        const QString path = parser.value(QStringLiteral("proto"));
        const QList<schema::SchemaError> errors = path.endsWith(QLatin1String(".proto")) ? registry.loadProtoFile(path)
                                                                                          : registry.loadDescriptorSet(path);
        QStringList problems;
        for (const schema::SchemaError &error : errors) {
            if (!error.warning)
                problems.append(error.toString());
        }
        if (!problems.isEmpty())
            return QStringLiteral("cannot load %1:\n  %2").arg(path, problems.join(QLatin1String("\n  ")));
        const QString type = parser.value(QStringLiteral("type"));
        const schema::EncodeResult encoded = registry.encodeJson(type, QString::fromUtf8(payload.bytes));
        if (!encoded.ok())
            return QStringLiteral("cannot encode the payload as %1: %2").arg(type, encoded.error);
        payload.bytes = encoded.bytes;
        payload.contentType = QStringLiteral("application/x-protobuf; messageType=%1").arg(type);
    }
    if (parser.isSet(QStringLiteral("content-type")))
        payload.contentType = parser.value(QStringLiteral("content-type"));
    return payload;
}

/// The TARGET object from --device/--alias/--tag/--topic/--all.
std::variant<QJsonObject, QString> targetFrom(const QCommandLineParser &parser)
{
    QList<QJsonObject> targets;
    if (parser.isSet(QStringLiteral("device"))) {
        const QStringList devices = listValues(parser.values(QStringLiteral("device")));
        if (devices.isEmpty())
            return QStringLiteral("--device needs at least one device id");
        targets.append({{QStringLiteral("devices"), QJsonArray::fromStringList(devices)}});
    }
    for (const char *kind : {"alias", "tag", "topic"}) {
        if (parser.isSet(QLatin1String(kind)))
            targets.append({{QLatin1String(kind), parser.value(QLatin1String(kind))}});
    }
    if (parser.isSet(QStringLiteral("all")))
        targets.append({{QStringLiteral("all"), true}});
    if (targets.size() != 1)
        return QStringLiteral("give exactly one target: --device, --alias, --tag, --topic or --all");
    return targets.constFirst();
}

/// "+30" (seconds from now) or an ISO-8601 time ("2026-11-22T08:00:00Z"; local time
/// without an offset) as Unix milliseconds.
std::optional<qint64> parseSendTime(const QString &text)
{
    if (text.startsWith(QLatin1Char('+'))) {
        bool ok = false;
        const double seconds = text.mid(1).toDouble(&ok);
        if (!ok || seconds < 0)
            return std::nullopt;
        return QDateTime::currentMSecsSinceEpoch() + qint64(seconds * 1000);
    }
    const QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return std::nullopt;
    return time.toMSecsSinceEpoch();
}

/// Waits on the event loop (never a sleep: the connection keeps being served).
void pause(std::chrono::milliseconds duration)
{
    QEventLoop loop;
    QTimer::singleShot(duration, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

int runReport(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
            {QStringLiteral("no-targets"), QStringLiteral("Only the summary, without the per-target table.")},
            {QStringLiteral("limit"), QStringLiteral("Without PUSH-ID: list at most N recent pushes (default 50)."), QStringLiteral("n")},
    });
    parser.addPositionalArgument(QStringLiteral("push-id"), QStringLiteral("The push (without it: the recent pushes)."),
                                 QStringLiteral("[PUSH-ID]"));
    CommonOptions common;
    if (const auto stop = parseCommon(parser, arguments, QStringLiteral("[OPTIONS] [PUSH-ID]"),
                                      QStringLiteral("Shows a push's delivery report, or lists recent pushes."), &common))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return usageError(arguments.value(0), QStringLiteral("give at most one push id"));
    if (positional.isEmpty()) {
        QJsonObject request;
        if (parser.isSet(QStringLiteral("limit"))) {
            bool ok = false;
            const int limit = parser.value(QStringLiteral("limit")).toInt(&ok);
            if (!ok || limit <= 0)
                return usageError(arguments.value(0), QStringLiteral("--limit must be a positive number"));
            request.insert(QStringLiteral("limit"), limit);
        }
        return callAndPrint(common, QStringLiteral("push/list"), request, pushListTable);
    }
    return callAndPrint(common, QStringLiteral("push/report"),
                        {{QStringLiteral("pushId"), positional.constFirst()},
                         {QStringLiteral("targets"), !parser.isSet(QStringLiteral("no-targets"))}},
                        reportText);
}

int runPush(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QCommandLineParser parser;
    parser.addOptions({
            {QStringLiteral("device"), QStringLiteral("Target device ids (repeatable or comma-separated)."), QStringLiteral("ids")},
            {QStringLiteral("alias"), QStringLiteral("Target the devices with this alias."), QStringLiteral("alias")},
            {QStringLiteral("tag"), QStringLiteral("Target a tag expression: names, && || ! and parentheses."), QStringLiteral("expression")},
            {QStringLiteral("topic"), QStringLiteral("Publish to a topic (no envelope unless --envelope)."), QStringLiteral("topic")},
            {QStringLiteral("all"), QStringLiteral("Target every known device.")},
            {QStringLiteral("text"), QStringLiteral("Payload: this text."), QStringLiteral("text")},
            {QStringLiteral("json-payload"), QStringLiteral("Payload: this JSON, validated first (also --json VALUE)."), QStringLiteral("json")},
            {QStringLiteral("file"), QStringLiteral("Payload: the bytes of FILE (- reads standard input)."), QStringLiteral("file")},
            {QStringLiteral("proto"), QStringLiteral("Encode the JSON payload as protobuf with this .proto file or descriptor set."),
             QStringLiteral("file")},
            {QStringLiteral("type"), QStringLiteral("The protobuf message type for --proto."), QStringLiteral("name")},
            {QStringLiteral("content-type"), QStringLiteral("Override the payload's content type."), QStringLiteral("type")},
            {QStringLiteral("qos"), QStringLiteral("0, 1 or 2 (default 1)."), QStringLiteral("qos"), QStringLiteral("1")},
            {QStringLiteral("retain"), QStringLiteral("Retain the message.")},
            {QStringLiteral("ttl"), QStringLiteral("Expire undelivered messages after SECONDS."), QStringLiteral("seconds")},
            {QStringLiteral("at"), QStringLiteral("Send later: an ISO-8601 time or +SECONDS."), QStringLiteral("time")},
            {QStringLiteral("rate"), QStringLiteral("At most N deliveries per second."), QStringLiteral("n")},
            {QStringLiteral("raw"), QStringLiteral("Send the payload as is, without the signed envelope.")},
            {QStringLiteral("envelope"), QStringLiteral("Wrap a topic push in the signed envelope too.")},
            {QStringLiteral("push-id"), QStringLiteral("Use this push id instead of a generated one."), QStringLiteral("id")},
            {QStringLiteral("dry-run"), QStringLiteral("Only show the audience; send nothing.")},
            {QStringLiteral("wait"), QStringLiteral("Wait (up to --timeout) for the delivery report to settle and print it.")},
    });
    CommonOptions common;
    if (const auto stop = parseCommon(parser, separateJsonPayload(arguments),
                                      QStringLiteral("TARGET PAYLOAD [OPTIONS]"),
                                      QStringLiteral("Pushes a message to devices (by id, alias, tag or all) or to a topic.\n"
                                                     "TARGET: --device IDS | --alias A | --tag EXPR | --topic T | --all\n"
                                                     "PAYLOAD: --text S | --json S | --file PATH|- [--proto FILE --type NAME]\n"
                                                     "In push, --json VALUE is the payload; use --output json for JSON output."),
                                      &common))
        return *stop;
    if (!parser.positionalArguments().isEmpty())
        return usageError(command, QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().constFirst()));

    const auto target = targetFrom(parser);
    if (const QString *error = std::get_if<QString>(&target))
        return usageError(command, *error);
    QJsonObject request{{QStringLiteral("target"), std::get<QJsonObject>(target)}};

    if (parser.isSet(QStringLiteral("dry-run"))) {
        return callAndPrint(common, QStringLiteral("push/audience"), request, [](const QJsonObject &result) {
            const int count = result.value(QLatin1String("count")).toInt();
            QString text = QStringLiteral("audience: %1 device%2\n").arg(count).arg(count == 1 ? "" : "s");
            const QStringList sample = stringList(result.value(QLatin1String("sample")));
            if (!sample.isEmpty())
                text += (sample.size() < count ? QStringLiteral("first %1: ").arg(sample.size()) : QString())
                        + sample.join(QLatin1String(", ")) + QLatin1Char('\n');
            return text;
        });
    }

    const auto payload = payloadFrom(parser);
    if (const QString *error = std::get_if<QString>(&payload))
        return usageError(command, *error);
    const Payload &message = std::get<Payload>(payload);
    const bool utf8 = QString::fromUtf8(message.bytes).toUtf8() == message.bytes && !message.bytes.contains('\0');
    request.insert(QStringLiteral("payload"), utf8 ? QString::fromUtf8(message.bytes) : QString::fromLatin1(message.bytes.toBase64()));
    request.insert(QStringLiteral("payloadEncoding"), utf8 ? QStringLiteral("utf8") : QStringLiteral("base64"));
    request.insert(QStringLiteral("contentType"), message.contentType);

    bool ok = false;
    const int qos = parser.value(QStringLiteral("qos")).toInt(&ok);
    if (!ok || qos < 0 || qos > 2)
        return usageError(command, QStringLiteral("--qos must be 0, 1 or 2"));
    request.insert(QStringLiteral("qos"), qos);
    if (parser.isSet(QStringLiteral("retain")))
        request.insert(QStringLiteral("retain"), true);
    if (parser.isSet(QStringLiteral("ttl"))) {
        const qint64 ttl = parser.value(QStringLiteral("ttl")).toLongLong(&ok);
        if (!ok || ttl < 0 || ttl > 0xFFFFFFFFLL)
            return usageError(command, QStringLiteral("--ttl must be a number of seconds"));
        request.insert(QStringLiteral("ttlSeconds"), double(ttl));
    }
    if (parser.isSet(QStringLiteral("at"))) {
        const auto at = parseSendTime(parser.value(QStringLiteral("at")));
        if (!at)
            return usageError(command, QStringLiteral("--at must be an ISO-8601 time (2026-11-22T08:00:00Z) or +SECONDS"));
        request.insert(QStringLiteral("sendAtMs"), double(*at));
    }
    if (parser.isSet(QStringLiteral("rate"))) {
        const double rate = parser.value(QStringLiteral("rate")).toDouble(&ok);
        if (!ok || rate <= 0)
            return usageError(command, QStringLiteral("--rate must be a positive number of messages per second"));
        request.insert(QStringLiteral("ratePerSecond"), rate);
    }
    if (parser.isSet(QStringLiteral("raw")) && parser.isSet(QStringLiteral("envelope")))
        return usageError(command, QStringLiteral("--raw and --envelope exclude each other"));
    if (parser.isSet(QStringLiteral("raw")))
        request.insert(QStringLiteral("envelope"), false);
    if (parser.isSet(QStringLiteral("envelope")))
        request.insert(QStringLiteral("envelope"), true);
    if (parser.isSet(QStringLiteral("push-id")))
        request.insert(QStringLiteral("pushId"), parser.value(QStringLiteral("push-id")));
    const bool wait = parser.isSet(QStringLiteral("wait"));

    return withClient(common, [&](AdminClient &client) {
        const AdminResult sent = client.call(QStringLiteral("push/send"), request);
        if (!sent.ok())
            return reportFailure(sent);
        const QString pushId = sent.result.value(QLatin1String("pushId")).toString();
        if (!wait) {
            if (common.json) {
                printOut(jsonText(sent.result));
            } else {
                const int audience = sent.result.value(QLatin1String("audience")).toInt();
                QString text = QStringLiteral("push %1: %2 target%3").arg(pushId).arg(audience).arg(audience == 1 ? "" : "s");
                if (sent.result.contains(QLatin1String("scheduledAtMs")))
                    text += QStringLiteral(", scheduled for %1").arg(timeText(sent.result.value(QLatin1String("scheduledAtMs"))));
                printOut(text + QLatin1Char('\n'));
            }
            return int(Success);
        }
        // Poll the report until no target can change any more, within --timeout.
        QElapsedTimer waited;
        waited.start();
        AdminResult report;
        for (;;) {
            report = client.call(QStringLiteral("push/report"), {{QStringLiteral("pushId"), pushId}});
            if (!report.ok())
                return reportFailure(report);
            if (report.result.value(QLatin1String("settled")).toBool())
                break;
            if (std::chrono::milliseconds(waited.elapsed()) + WaitPollInterval > common.connection.timeout) {
                printOut(common.json ? jsonText(report.result) : reportText(report.result));
                printError(QStringLiteral("push %1 has not settled within %2 s").arg(pushId).arg(double(common.connection.timeout.count()) / 1000.0));
                return int(TimedOut);
            }
            pause(WaitPollInterval);
        }
        printOut(common.json ? jsonText(report.result) : reportText(report.result));
        return int(Success);
    });
}

} // namespace hermes::cli::admin
