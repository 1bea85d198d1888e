// The admin API subcommands: push, report, sessions, devices, kick, retained
// (docs/ADMIN-API.md). Each parses its options, opens one AdminClient, makes one or a few
// calls and prints a table, or the result object verbatim with --json.
#include "adminclient.h"
#include "commands.h"
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

namespace hermes::cli {

namespace {

using namespace std::chrono_literals;

/// What every admin command shares: where to connect, how to print.
struct CommonOptions {
    ConnectionSettings connection;
    bool json = false;
};

/// Polling period of `push --wait` while the report settles.
constexpr auto WaitPollInterval = 200ms;

void printOut(const QString &text)
{
    QTextStream(stdout) << text;
}

void printError(const QString &text)
{
    QTextStream(stderr) << "hermesctl: " << text << '\n';
}

int usageError(const QString &command, const QString &text)
{
    QTextStream(stderr) << "hermesctl " << command << ": " << text << "\n(hermesctl " << command
                        << " --help lists the options)\n";
    return UsageError;
}

/// "hermesctl: not-found: unknown device "d9"" or "hermesctl: cannot reach broker …".
int reportFailure(const AdminResult &result)
{
    printError(result.errorCode.isEmpty() ? result.message : result.errorCode + QLatin1String(": ") + result.message);
    return result.exitCode;
}

QString jsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented));
}

// ---- Formatting ----

QString integerText(const QJsonValue &value)
{
    return QString::number(qint64(value.toDouble()));
}

/// Local wall-clock time of a Unix-milliseconds value; "-" for 0 or absent.
QString timeText(const QJsonValue &value)
{
    const qint64 ms = qint64(value.toDouble());
    if (ms <= 0)
        return QStringLiteral("-");
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

/// "850ms", "42s", "5m12s", "3h04m", "2d05h".
QString durationText(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    if (ms < 1000)
        return QStringLiteral("%1ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1d%2h").arg(s / 86400).arg((s % 86400) / 3600, 2, 10, QLatin1Char('0'));
}

/// How long ago a Unix-milliseconds time was; "-" for 0 or absent.
QString ageText(const QJsonValue &value)
{
    const qint64 ms = qint64(value.toDouble());
    if (ms <= 0)
        return QStringLiteral("-");
    return durationText(QDateTime::currentMSecsSinceEpoch() - ms) + QLatin1String(" ago");
}

/// A target delivery step relative to the push's send time: "+12ms"; "-" when absent.
QString offsetText(const QJsonValue &value, qint64 originMs)
{
    const qint64 ms = qint64(value.toDouble());
    if (ms <= 0)
        return QStringLiteral("-");
    return QLatin1Char('+') + durationText(ms - originMs);
}

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &item : value.toArray())
        list.append(item.toString());
    return list;
}

/// A push target object as words: "devices d1, d2", "tag vip && !beta", "all devices".
QString targetText(const QJsonObject &target)
{
    if (target.contains(QLatin1String("devices")))
        return QStringLiteral("devices ") + stringList(target.value(QLatin1String("devices"))).join(QLatin1String(", "));
    for (const char *kind : {"alias", "tag", "topic"}) {
        if (target.contains(QLatin1String(kind)))
            return QLatin1String(kind) + QLatin1Char(' ') + target.value(QLatin1String(kind)).toString();
    }
    if (target.value(QLatin1String("all")).toBool())
        return QStringLiteral("all devices");
    return QStringLiteral("?");
}

/// A payload from the API ({payload, payloadEncoding}) for one table cell.
QString payloadText(const QJsonObject &message)
{
    if (message.value(QLatin1String("payloadEncoding")).toString() == QLatin1String("base64"))
        return QStringLiteral("<%1 bytes, binary>").arg(integerText(message.value(QLatin1String("payloadSize"))));
    return message.value(QLatin1String("payload")).toString();
}

// ---- Options ----

/// Splits repeated and comma-separated values ("--tag a,b --tag c") into one list.
QStringList listValues(const QStringList &values)
{
    QStringList list;
    for (const QString &value : values) {
        for (const QString &part : value.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (const QString item = part.trimmed(); !item.isEmpty())
                list.append(item);
        }
    }
    return list;
}

/// Where the Debian package's hermesd listens for local administration.
constexpr QLatin1StringView DefaultLocalSocket{"/run/hermes/hermesd.sock"};

/// "host:port", "[v6]:port", "host" (port 1883).
bool parseBroker(const QString &text, QString *host, quint16 *port)
{
    QString hostPart = text;
    QString portPart;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return false;
        hostPart = text.mid(1, close - 1);
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(QLatin1Char(':')))
                return false;
            portPart = rest.mid(1);
        }
    } else if (text.count(QLatin1Char(':')) == 1) {
        hostPart = text.section(QLatin1Char(':'), 0, 0);
        portPart = text.section(QLatin1Char(':'), 1);
    }
    if (hostPart.isEmpty())
        hostPart = QStringLiteral("127.0.0.1");
    *host = hostPart;
    *port = 1883;
    if (!portPart.isEmpty()) {
        bool ok = false;
        const uint value = portPart.toUInt(&ok);
        if (!ok || value == 0 || value > 65535)
            return false;
        *port = quint16(value);
    }
    return true;
}

void addCommonOptions(QCommandLineParser &parser)
{
    parser.addOptions({
            {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Displays this help.")},
            {QStringLiteral("broker"),
             QStringLiteral("Broker to talk to: HOST:PORT or unix:PATH (default $HERMES_BROKER, else "
                            "unix:/run/hermes/hermesd.sock when it exists, else 127.0.0.1:1883)."),
             QStringLiteral("address")},
            {QStringLiteral("user"), QStringLiteral("User name of an operator account (default $HERMES_USER)."),
             QStringLiteral("name")},
            {QStringLiteral("password-file"),
             QStringLiteral("Read the password from the first line of FILE (default: $HERMES_PASSWORD)."),
             QStringLiteral("file")},
            {QStringLiteral("password"),
             QStringLiteral("The password (visible to other users in the process list: prefer "
                            "$HERMES_PASSWORD or --password-file)."),
             QStringLiteral("password")},
            {QStringLiteral("timeout"), QStringLiteral("Seconds to wait for the broker (default 10)."),
             QStringLiteral("seconds"), QStringLiteral("10")},
            {QStringLiteral("json"), QStringLiteral("Print the API's result as JSON (for scripts).")},
            {{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Output format: table or json."),
             QStringLiteral("format")},
    });
}

/// Parses `arguments` (arguments[0] is the subcommand) into `common`. Returns an exit code
/// when the command should stop here (help shown, or a usage error).
std::optional<int> parseCommon(QCommandLineParser &parser, const QStringList &arguments, const QString &synopsis,
                               const QString &description, CommonOptions *common)
{
    const QString command = arguments.value(0);
    parser.setApplicationDescription(description);
    addCommonOptions(parser);
    if (!parser.parse(arguments))
        return usageError(command, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        // Qt's first line names the program only; ours names the subcommand too.
        printOut(QStringLiteral("Usage: hermesctl %1 %2\n").arg(command, synopsis)
                 + parser.helpText().section(QLatin1Char('\n'), 1));
        return Success;
    }

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The local socket needs no password: root and the hermes group are operators there.
    const QString fallback = QFileInfo::exists(QString(DefaultLocalSocket))
            ? QStringLiteral("unix:") + DefaultLocalSocket
            : QStringLiteral("127.0.0.1:1883");
    const QString broker = parser.isSet(QStringLiteral("broker"))
            ? parser.value(QStringLiteral("broker"))
            : environment.value(QStringLiteral("HERMES_BROKER"), fallback);
    if (broker.startsWith(QLatin1String("unix:"))) {
        common->connection.localPath = broker.mid(5);
        if (common->connection.localPath.isEmpty())
            return usageError(command, QStringLiteral("--broker \"%1\" names no socket path").arg(broker));
    } else if (!parseBroker(broker, &common->connection.host, &common->connection.port)) {
        return usageError(command, QStringLiteral("--broker \"%1\" is not HOST:PORT or unix:PATH").arg(broker));
    }
    common->connection.userName = parser.isSet(QStringLiteral("user")) ? parser.value(QStringLiteral("user"))
                                                                       : environment.value(QStringLiteral("HERMES_USER"));
    if (parser.isSet(QStringLiteral("password"))) {
        common->connection.password = parser.value(QStringLiteral("password")).toUtf8();
        common->connection.hasPassword = true;
    } else if (parser.isSet(QStringLiteral("password-file"))) {
        QFile file(parser.value(QStringLiteral("password-file")));
        if (!file.open(QIODevice::ReadOnly))
            return usageError(command, QStringLiteral("cannot read the password file %1: %2").arg(file.fileName(), file.errorString()));
        QByteArray password = file.readLine();
        if (password.endsWith('\n'))
            password.chop(1);
        if (password.endsWith('\r'))
            password.chop(1);
        common->connection.password = password;
        common->connection.hasPassword = true;
    } else if (environment.contains(QStringLiteral("HERMES_PASSWORD"))) {
        common->connection.password = environment.value(QStringLiteral("HERMES_PASSWORD")).toUtf8();
        common->connection.hasPassword = true;
    }
    bool ok = false;
    const double timeout = parser.value(QStringLiteral("timeout")).toDouble(&ok);
    if (!ok || timeout <= 0 || timeout > 86400)
        return usageError(command, QStringLiteral("--timeout must be a number of seconds above 0"));
    common->connection.timeout = std::chrono::milliseconds(qint64(timeout * 1000));
    common->json = parser.isSet(QStringLiteral("json"));
    if (parser.isSet(QStringLiteral("output"))) {
        const QString format = parser.value(QStringLiteral("output"));
        if (format != QLatin1String("json") && format != QLatin1String("table"))
            return usageError(command, QStringLiteral("--output must be table or json"));
        common->json = format == QLatin1String("json");
    }
    return std::nullopt;
}

/// Connects, runs `body` with the open client, disconnects. Connection failures are
/// reported here with their exit code.
int withClient(const CommonOptions &common, const std::function<int(AdminClient &)> &body)
{
    AdminClient client(common.connection);
    if (const AdminResult opened = client.open(); !opened.ok())
        return reportFailure(opened);
    const int code = body(client);
    client.close();
    return code;
}

/// One call, then the result printed by `print` (or as JSON).
int callAndPrint(const CommonOptions &common, const QString &method, const QJsonObject &arguments,
                 const std::function<QString(const QJsonObject &)> &print)
{
    return withClient(common, [&](AdminClient &client) {
        const AdminResult answer = client.call(method, arguments);
        if (!answer.ok())
            return reportFailure(answer);
        printOut(common.json ? jsonText(answer.result) : print(answer.result));
        return int(Success);
    });
}

// ---- sessions, kick ----

QString sessionsTable(const QJsonObject &result)
{
    const QJsonArray sessions = result.value(QLatin1String("sessions")).toArray();
    if (sessions.isEmpty())
        return QStringLiteral("no sessions\n");
    Table table({QStringLiteral("CLIENT ID"), QStringLiteral("USER"), QStringLiteral("STATE"), QStringLiteral("SINCE"),
                 QStringLiteral("PROTO"), QStringLiteral("ADDRESS"), QStringLiteral("SUBS"), QStringLiteral("INFLIGHT"),
                 QStringLiteral("QUEUED"), QStringLiteral("IN"), QStringLiteral("OUT")});
    for (int column = 6; column <= 10; ++column)
        table.setAlignment(column, Table::Align::Right);
    for (const QJsonValue &value : sessions) {
        const QJsonObject session = value.toObject();
        const bool online = session.value(QLatin1String("online")).toBool();
        table.addRow({session.value(QLatin1String("clientId")).toString(),
                      session.value(QLatin1String("userName")).toString(),
                      online ? QStringLiteral("online") : QStringLiteral("offline"),
                      ageText(session.value(online ? QLatin1String("connectedAtMs") : QLatin1String("disconnectedAtMs"))),
                      session.value(QLatin1String("protocol")).toString(),
                      session.value(QLatin1String("address")).toString(),
                      integerText(session.value(QLatin1String("subscriptions"))),
                      integerText(session.value(QLatin1String("inflight"))),
                      integerText(session.value(QLatin1String("queued"))),
                      integerText(session.value(QLatin1String("messagesIn"))),
                      integerText(session.value(QLatin1String("messagesOut")))});
    }
    return table.toString();
}

QString sessionDetail(const QJsonObject &session)
{
    const bool online = session.value(QLatin1String("online")).toBool();
    Details details;
    details.add(QStringLiteral("Client ID"), session.value(QLatin1String("clientId")).toString());
    details.add(QStringLiteral("User"), session.value(QLatin1String("userName")).toString());
    if (online) {
        details.add(QStringLiteral("State"), QStringLiteral("online since %1 (%2)")
                                                     .arg(timeText(session.value(QLatin1String("connectedAtMs"))),
                                                          ageText(session.value(QLatin1String("connectedAtMs")))));
    } else {
        details.add(QStringLiteral("State"), QStringLiteral("offline since %1 (%2)")
                                                     .arg(timeText(session.value(QLatin1String("disconnectedAtMs"))),
                                                          ageText(session.value(QLatin1String("disconnectedAtMs")))));
    }
    details.add(QStringLiteral("Address"), session.value(QLatin1String("address")).toString());
    details.add(QStringLiteral("Protocol"), QStringLiteral("MQTT ") + session.value(QLatin1String("protocol")).toString());
    details.add(QStringLiteral("Keep alive"), integerText(session.value(QLatin1String("keepAliveSeconds"))) + QLatin1String(" s"));
    details.add(QStringLiteral("Last packet"),
                durationText(qint64(session.value(QLatin1String("lastInboundAgeMs")).toDouble())) + QLatin1String(" ago"));
    details.add(QStringLiteral("Messages"), QStringLiteral("%1 in, %2 out")
                                                    .arg(integerText(session.value(QLatin1String("messagesIn"))),
                                                         integerText(session.value(QLatin1String("messagesOut")))));
    details.add(QStringLiteral("In flight"), integerText(session.value(QLatin1String("inflight"))));
    details.add(QStringLiteral("Queued"), integerText(session.value(QLatin1String("queued"))));
    QString text = details.toString();

    const QJsonArray filters = session.value(QLatin1String("subscriptionFilters")).toArray();
    text += QStringLiteral("\nSubscriptions (%1)\n").arg(filters.size());
    if (!filters.isEmpty()) {
        Table table({QStringLiteral("FILTER"), QStringLiteral("QOS")});
        table.setMaximumWidth(0, 80);
        for (const QJsonValue &value : filters) {
            const QJsonObject filter = value.toObject();
            table.addRow({filter.value(QLatin1String("filter")).toString(), integerText(filter.value(QLatin1String("qos")))});
        }
        text += table.toString();
    }
    const QJsonArray inflight = session.value(QLatin1String("inflightMessages")).toArray();
    if (!inflight.isEmpty()) {
        text += QStringLiteral("\nIn flight (%1)\n").arg(inflight.size());
        Table table({QStringLiteral("PACKET ID"), QStringLiteral("TOPIC"), QStringLiteral("QOS"), QStringLiteral("STAGE"),
                     QStringLiteral("AGE"), QStringLiteral("SENT")});
        table.setAlignment(0, Table::Align::Right);
        for (const QJsonValue &value : inflight) {
            const QJsonObject message = value.toObject();
            table.addRow({integerText(message.value(QLatin1String("packetId"))), message.value(QLatin1String("topic")).toString(),
                          integerText(message.value(QLatin1String("qos"))), message.value(QLatin1String("stage")).toString(),
                          durationText(qint64(message.value(QLatin1String("ageMs")).toDouble())),
                          integerText(message.value(QLatin1String("sendCount")))});
        }
        text += table.toString();
    }
    const QJsonArray queued = session.value(QLatin1String("queuedMessages")).toArray();
    if (!queued.isEmpty()) {
        text += QStringLiteral("\nQueued (%1)\n").arg(queued.size());
        Table table({QStringLiteral("TOPIC"), QStringLiteral("QOS"), QStringLiteral("SIZE")});
        table.setAlignment(2, Table::Align::Right);
        for (const QJsonValue &value : queued) {
            const QJsonObject message = value.toObject();
            table.addRow({message.value(QLatin1String("topic")).toString(), integerText(message.value(QLatin1String("qos"))),
                          integerText(message.value(QLatin1String("payloadSize")))});
        }
        text += table.toString();
    }
    return text;
}

int runSessions(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addOptions({
            {QStringLiteral("filter"), QStringLiteral("Only sessions whose client id, user or address contains TEXT."),
             QStringLiteral("text")},
            {QStringLiteral("online"), QStringLiteral("Only connected sessions.")},
            {QStringLiteral("offline"), QStringLiteral("Only disconnected sessions.")},
    });
    parser.addPositionalArgument(QStringLiteral("client-id"), QStringLiteral("Show this session in detail."), QStringLiteral("[CLIENT-ID]"));
    CommonOptions common;
    if (const auto stop = parseCommon(parser, arguments, QStringLiteral("[OPTIONS] [CLIENT-ID]"),
                                      QStringLiteral("Lists the broker's sessions, or shows one."), &common))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        return usageError(arguments.value(0), QStringLiteral("give at most one client id"));
    if (positional.size() == 1)
        return callAndPrint(common, QStringLiteral("sessions/get"), {{QStringLiteral("clientId"), positional.constFirst()}},
                            sessionDetail);
    if (parser.isSet(QStringLiteral("online")) && parser.isSet(QStringLiteral("offline")))
        return usageError(arguments.value(0), QStringLiteral("--online and --offline exclude each other"));
    QJsonObject request;
    if (parser.isSet(QStringLiteral("filter")))
        request.insert(QStringLiteral("filter"), parser.value(QStringLiteral("filter")));
    if (parser.isSet(QStringLiteral("online")))
        request.insert(QStringLiteral("state"), QStringLiteral("online"));
    if (parser.isSet(QStringLiteral("offline")))
        request.insert(QStringLiteral("state"), QStringLiteral("offline"));
    return callAndPrint(common, QStringLiteral("sessions/list"), request, sessionsTable);
}

int runKick(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("client-id"), QStringLiteral("The client to disconnect."), QStringLiteral("CLIENT-ID"));
    CommonOptions common;
    if (const auto stop = parseCommon(parser, arguments, QStringLiteral("[OPTIONS] CLIENT-ID"),
                                      QStringLiteral("Disconnects a client (DISCONNECT 0x98 Administrative action)."), &common))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usageError(arguments.value(0), QStringLiteral("give exactly one client id"));
    const QString clientId = positional.constFirst();
    return callAndPrint(common, QStringLiteral("sessions/kick"), {{QStringLiteral("clientId"), clientId}},
                        [&clientId](const QJsonObject &) { return QStringLiteral("kicked %1\n").arg(clientId); });
}

// ---- devices ----

QString devicesTable(const QJsonObject &result)
{
    const QJsonArray devices = result.value(QLatin1String("devices")).toArray();
    if (devices.isEmpty())
        return QStringLiteral("no devices\n");
    Table table({QStringLiteral("ID"), QStringLiteral("ALIAS"), QStringLiteral("TAGS"), QStringLiteral("STATE"),
                 QStringLiteral("REGISTERED"), QStringLiteral("LAST SEEN"), QStringLiteral("NEXT SEQ")});
    table.setAlignment(6, Table::Align::Right);
    for (const QJsonValue &value : devices) {
        const QJsonObject device = value.toObject();
        table.addRow({device.value(QLatin1String("id")).toString(), device.value(QLatin1String("alias")).toString(),
                      stringList(device.value(QLatin1String("tags"))).join(QLatin1Char(',')),
                      device.value(QLatin1String("online")).toBool() ? QStringLiteral("online") : QStringLiteral("offline"),
                      yesNo(device.value(QLatin1String("registered")).toBool()),
                      ageText(device.value(QLatin1String("lastSeenMs"))),
                      integerText(device.value(QLatin1String("nextSequence")))});
    }
    return table.toString();
}

QString deviceDetail(const QJsonObject &device)
{
    Details details;
    details.add(QStringLiteral("ID"), device.value(QLatin1String("id")).toString());
    details.add(QStringLiteral("Alias"), device.value(QLatin1String("alias")).toString());
    details.add(QStringLiteral("Tags"), stringList(device.value(QLatin1String("tags"))).join(QLatin1String(", ")));
    details.add(QStringLiteral("State"), device.value(QLatin1String("online")).toBool() ? QStringLiteral("online") : QStringLiteral("offline"));
    details.add(QStringLiteral("Registered"), yesNo(device.value(QLatin1String("registered")).toBool()));
    details.add(QStringLiteral("First seen"), timeText(device.value(QLatin1String("firstSeenMs"))));
    details.add(QStringLiteral("Last seen"), timeText(device.value(QLatin1String("lastSeenMs"))));
    details.add(QStringLiteral("Next sequence"), integerText(device.value(QLatin1String("nextSequence"))));
    return details.toString();
}

/// "COMMAND [list|set|remove] …" (or other `actions`): the action (list when none is named)
/// and the arguments for its parser, whose name becomes "COMMAND ACTION".
std::pair<QString, QStringList> splitAction(const QStringList &arguments,
                                            const QStringList &actions = {QStringLiteral("list"), QStringLiteral("set"),
                                                                          QStringLiteral("remove")})
{
    const QString word = arguments.value(1);
    if (!actions.contains(word))
        return {QStringLiteral("list"), arguments};
    QStringList rest = arguments;
    rest.removeAt(1);
    rest[0] = arguments.value(0) + QLatin1Char(' ') + word;
    return {word, rest};
}

int runDevices(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    // devices [list] | devices set ID … | devices remove ID
    const auto [action, rest] = splitAction(arguments);

    QCommandLineParser parser;
    CommonOptions common;
    if (action == QLatin1String("list")) {
        parser.addOptions({
                {QStringLiteral("tag"), QStringLiteral("Only devices matching a tag expression ('vip && !beta')."),
                 QStringLiteral("expression")},
                {QStringLiteral("alias"), QStringLiteral("Only devices with this alias."), QStringLiteral("alias")},
                {QStringLiteral("online"), QStringLiteral("Only connected devices.")},
                {QStringLiteral("offline"), QStringLiteral("Only disconnected devices.")},
        });
        if (const auto stop = parseCommon(parser, rest, QStringLiteral("[list] [OPTIONS]"),
                                          QStringLiteral("Lists devices (also: devices set ID, devices remove ID)."), &common))
            return *stop;
        if (!parser.positionalArguments().isEmpty())
            return usageError(command, QStringLiteral("unexpected argument \"%1\" (devices list, set or remove)")
                                               .arg(parser.positionalArguments().constFirst()));
        if (parser.isSet(QStringLiteral("online")) && parser.isSet(QStringLiteral("offline")))
            return usageError(command, QStringLiteral("--online and --offline exclude each other"));
        QJsonObject request;
        if (parser.isSet(QStringLiteral("tag")))
            request.insert(QStringLiteral("tag"), parser.value(QStringLiteral("tag")));
        if (parser.isSet(QStringLiteral("alias")))
            request.insert(QStringLiteral("alias"), parser.value(QStringLiteral("alias")));
        if (parser.isSet(QStringLiteral("online")) || parser.isSet(QStringLiteral("offline")))
            request.insert(QStringLiteral("online"), parser.isSet(QStringLiteral("online")));
        return callAndPrint(common, QStringLiteral("devices/list"), request, devicesTable);
    }

    if (action == QLatin1String("set")) {
        parser.addOptions({
                {QStringLiteral("alias"), QStringLiteral("Set the alias (\"\" clears it)."), QStringLiteral("alias")},
                {QStringLiteral("tag"), QStringLiteral("Replace the tags (repeatable or comma-separated)."), QStringLiteral("tags")},
                {QStringLiteral("add-tag"), QStringLiteral("Add tags."), QStringLiteral("tags")},
                {QStringLiteral("remove-tag"), QStringLiteral("Remove tags."), QStringLiteral("tags")},
        });
        parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("The device (registered if unknown)."), QStringLiteral("ID"));
        if (const auto stop = parseCommon(parser, rest, QStringLiteral("ID [--alias A] [--tag T1,T2] [--add-tag T] [--remove-tag T]"),
                                          QStringLiteral("Registers a device or changes its alias and tags."), &common))
            return *stop;
        if (parser.positionalArguments().size() != 1)
            return usageError(command, QStringLiteral("devices set needs exactly one device id"));
        QJsonObject request{{QStringLiteral("id"), parser.positionalArguments().constFirst()}};
        if (parser.isSet(QStringLiteral("alias")))
            request.insert(QStringLiteral("alias"), parser.value(QStringLiteral("alias")));
        if (parser.isSet(QStringLiteral("tag")))
            request.insert(QStringLiteral("tags"), QJsonArray::fromStringList(listValues(parser.values(QStringLiteral("tag")))));
        if (parser.isSet(QStringLiteral("add-tag")))
            request.insert(QStringLiteral("addTags"), QJsonArray::fromStringList(listValues(parser.values(QStringLiteral("add-tag")))));
        if (parser.isSet(QStringLiteral("remove-tag")))
            request.insert(QStringLiteral("removeTags"),
                           QJsonArray::fromStringList(listValues(parser.values(QStringLiteral("remove-tag")))));
        return callAndPrint(common, QStringLiteral("devices/update"), request, deviceDetail);
    }

    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("The device to forget."), QStringLiteral("ID"));
    if (const auto stop = parseCommon(parser, rest, QStringLiteral("ID"),
                                      QStringLiteral("Removes a device from the registry."), &common))
        return *stop;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, QStringLiteral("devices remove needs exactly one device id"));
    const QString id = parser.positionalArguments().constFirst();
    return callAndPrint(common, QStringLiteral("devices/remove"), {{QStringLiteral("id"), id}},
                        [&id](const QJsonObject &) { return QStringLiteral("removed device %1\n").arg(id); });
}

// ---- retained ----

int runRetained(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    QString action = QStringLiteral("list");
    QStringList rest = arguments;
    if (const QString word = arguments.value(1); word == QLatin1String("list") || word == QLatin1String("delete")) {
        action = word;
        rest.removeAt(1);
        rest[0] = command + QLatin1Char(' ') + action;
    }
    QCommandLineParser parser;
    CommonOptions common;
    parser.addOption({QStringLiteral("filter"), QStringLiteral("Topic filter (default #)."), QStringLiteral("filter")});
    if (action == QLatin1String("list")) {
        parser.addOption({QStringLiteral("limit"), QStringLiteral("Show at most N messages (default 1000)."), QStringLiteral("n")});
        if (const auto stop = parseCommon(parser, rest, QStringLiteral("[list] [--filter F] [--limit N]"),
                                          QStringLiteral("Lists retained messages (also: retained delete TOPIC | --filter F)."),
                                          &common))
            return *stop;
        if (!parser.positionalArguments().isEmpty())
            return usageError(command, QStringLiteral("unexpected argument \"%1\" (retained list or delete)")
                                               .arg(parser.positionalArguments().constFirst()));
        QJsonObject request;
        if (parser.isSet(QStringLiteral("filter")))
            request.insert(QStringLiteral("filter"), parser.value(QStringLiteral("filter")));
        if (parser.isSet(QStringLiteral("limit"))) {
            bool ok = false;
            const int limit = parser.value(QStringLiteral("limit")).toInt(&ok);
            if (!ok || limit <= 0)
                return usageError(command, QStringLiteral("--limit must be a positive number"));
            request.insert(QStringLiteral("limit"), limit);
        }
        return callAndPrint(common, QStringLiteral("retained/list"), request, [](const QJsonObject &result) {
            const QJsonArray messages = result.value(QLatin1String("messages")).toArray();
            if (messages.isEmpty())
                return QStringLiteral("no retained messages\n");
            Table table({QStringLiteral("TOPIC"), QStringLiteral("QOS"), QStringLiteral("SIZE"), QStringLiteral("PAYLOAD")});
            table.setMaximumWidth(0, 60);
            table.setAlignment(2, Table::Align::Right);
            for (const QJsonValue &value : messages) {
                const QJsonObject message = value.toObject();
                table.addRow({message.value(QLatin1String("topic")).toString(), integerText(message.value(QLatin1String("qos"))),
                              integerText(message.value(QLatin1String("payloadSize"))), payloadText(message)});
            }
            QString text = table.toString();
            const int total = result.value(QLatin1String("total")).toInt(int(messages.size()));
            if (total > messages.size())
                text += QStringLiteral("(%1 of %2 shown; --limit shows more)\n").arg(messages.size()).arg(total);
            return text;
        });
    }

    parser.addPositionalArgument(QStringLiteral("topic"), QStringLiteral("The retained message's topic."), QStringLiteral("[TOPIC]"));
    if (const auto stop = parseCommon(parser, rest, QStringLiteral("TOPIC | --filter F"),
                                      QStringLiteral("Deletes one retained message, or every one matching a filter."), &common))
        return *stop;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() + (parser.isSet(QStringLiteral("filter")) ? 1 : 0) != 1)
        return usageError(command, QStringLiteral("give exactly one of TOPIC and --filter"));
    const QJsonObject request = positional.isEmpty()
            ? QJsonObject{{QStringLiteral("filter"), parser.value(QStringLiteral("filter"))}}
            : QJsonObject{{QStringLiteral("topic"), positional.constFirst()}};
    return callAndPrint(common, QStringLiteral("retained/delete"), request, [](const QJsonObject &result) {
        const int deleted = result.value(QLatin1String("deleted")).toInt();
        return QStringLiteral("deleted %1 retained message%2\n").arg(deleted).arg(deleted == 1 ? "" : "s");
    });
}

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

/// Reads --file (or stdin for "-").
std::optional<QByteArray> readInput(const QString &path, QString *error)
{
    QFile file;
    const bool opened = path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                   : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    return file.readAll();
}

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

// ---- accounts ----

QString accountsTable(const QJsonObject &result)
{
    const QJsonArray accounts = result.value(QLatin1String("accounts")).toArray();
    if (accounts.isEmpty())
        return QStringLiteral("no accounts\n");
    Table table({QStringLiteral("NAME"), QStringLiteral("ROLE"), QStringLiteral("SOURCE")});
    for (const QJsonValue &value : accounts) {
        const QJsonObject account = value.toObject();
        table.addRow({account.value(QLatin1String("name")).toString(), account.value(QLatin1String("role")).toString(),
                      account.value(QLatin1String("source")).toString()});
    }
    return table.toString();
}

int runAccounts(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    // accounts [list] | accounts set NAME --role R (password: env, file or stdin) | accounts remove NAME
    const auto [action, rest] = splitAction(arguments);
    QCommandLineParser parser;
    CommonOptions common;
    if (action == QLatin1String("list")) {
        if (const auto stop = parseCommon(parser, rest, QStringLiteral("[list] [OPTIONS]"),
                                          QStringLiteral("Lists accounts (also: accounts set NAME, accounts remove NAME)."), &common))
            return *stop;
        return callAndPrint(common, QStringLiteral("accounts/list"), {}, accountsTable);
    }
    if (action == QLatin1String("set")) {
        parser.addOptions({
                {QStringLiteral("role"), QStringLiteral("device (default) or operator."), QStringLiteral("role"), QStringLiteral("device")},
                {QStringLiteral("new-password-file"),
                 QStringLiteral("Read the account's password from FILE (- = stdin); default: env HERMES_NEW_PASSWORD."),
                 QStringLiteral("file")},
                {QStringLiteral("hash"), QStringLiteral("A hash from 'hermesd --hash-password' instead of a password."),
                 QStringLiteral("hash")},
        });
        parser.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The user name."), QStringLiteral("NAME"));
        if (const auto stop = parseCommon(parser, rest, QStringLiteral("NAME [--role device|operator] [--new-password-file FILE | --hash HASH]"),
                                          QStringLiteral("Adds or changes an account stored by the broker."), &common))
            return *stop;
        if (parser.positionalArguments().size() != 1)
            return usageError(command, QStringLiteral("accounts set needs exactly one user name"));
        QJsonObject request{{QStringLiteral("name"), parser.positionalArguments().constFirst()},
                            {QStringLiteral("role"), parser.value(QStringLiteral("role"))}};
        if (parser.isSet(QStringLiteral("hash"))) {
            request.insert(QStringLiteral("hash"), parser.value(QStringLiteral("hash")));
        } else {
            QString password = qEnvironmentVariable("HERMES_NEW_PASSWORD");
            if (parser.isSet(QStringLiteral("new-password-file"))) {
                QString error;
                const std::optional<QByteArray> bytes = readInput(parser.value(QStringLiteral("new-password-file")), &error);
                if (!bytes)
                    return usageError(command, error);
                password = QString::fromUtf8(*bytes).section(QLatin1Char('\n'), 0, 0).trimmed();
            }
            if (password.isEmpty())
                return usageError(command, QStringLiteral("give the password with HERMES_NEW_PASSWORD, --new-password-file or --hash"));
            request.insert(QStringLiteral("password"), password);
        }
        return callAndPrint(common, QStringLiteral("accounts/set"), request, [](const QJsonObject &result) {
            return QStringLiteral("account %1 (%2) stored\n")
                .arg(result.value(QLatin1String("name")).toString(), result.value(QLatin1String("role")).toString());
        });
    }
    parser.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The account to remove."), QStringLiteral("NAME"));
    if (const auto stop = parseCommon(parser, rest, QStringLiteral("NAME"), QStringLiteral("Removes a stored account."), &common))
        return *stop;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, QStringLiteral("accounts remove needs exactly one user name"));
    const QString name = parser.positionalArguments().constFirst();
    return callAndPrint(common, QStringLiteral("accounts/remove"), {{QStringLiteral("name"), name}},
                        [&name](const QJsonObject &) { return QStringLiteral("removed account %1\n").arg(name); });
}

// ---- apikeys ----

QString apiKeysTable(const QJsonObject &result)
{
    const QJsonArray keys = result.value(QLatin1String("keys")).toArray();
    if (keys.isEmpty())
        return QStringLiteral("no API keys\n");
    Table table({QStringLiteral("ID"), QStringLiteral("NAME"), QStringLiteral("CREATED")});
    for (const QJsonValue &value : keys) {
        const QJsonObject key = value.toObject();
        table.addRow({key.value(QLatin1String("id")).toString(), key.value(QLatin1String("name")).toString(),
                      timeText(key.value(QLatin1String("createdAtMs")))});
    }
    return table.toString();
}

int runApiKeys(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    // apikeys [list] | apikeys create NAME | apikeys revoke ID
    const auto [action, rest] = splitAction(arguments, {QStringLiteral("list"), QStringLiteral("create"), QStringLiteral("revoke")});
    QCommandLineParser parser;
    CommonOptions common;
    if (action == QLatin1String("list")) {
        if (const auto stop = parseCommon(parser, rest, QStringLiteral("[list] [OPTIONS]"),
                                          QStringLiteral("Lists the HTTP API's keys (also: apikeys create NAME, apikeys revoke ID)."), &common))
            return *stop;
        return callAndPrint(common, QStringLiteral("apikeys/list"), {}, apiKeysTable);
    }
    const bool create = action == QLatin1String("create");
    parser.addPositionalArgument(create ? QStringLiteral("name") : QStringLiteral("id"),
                                 create ? QStringLiteral("What the key is for, e.g. the back-end's name.")
                                        : QStringLiteral("The key's id (apikeys list)."),
                                 create ? QStringLiteral("NAME") : QStringLiteral("ID"));
    if (const auto stop = parseCommon(parser, rest, create ? QStringLiteral("NAME") : QStringLiteral("ID"),
                                      create ? QStringLiteral("Creates an HTTP API key and prints it (only this once).")
                                             : QStringLiteral("Revokes an HTTP API key at once."), &common))
        return *stop;
    if (parser.positionalArguments().size() != 1)
        return usageError(command, create ? QStringLiteral("apikeys create needs exactly one name")
                                          : QStringLiteral("apikeys revoke needs exactly one key id"));
    const QString value = parser.positionalArguments().constFirst();
    if (create) {
        return callAndPrint(common, QStringLiteral("apikeys/create"), {{QStringLiteral("name"), value}}, [](const QJsonObject &result) {
            // The key alone on the last line, so a script can take it with tail -n 1.
            return QStringLiteral("created API key %1 (%2); it is shown only now:\n%3\n")
                .arg(result.value(QLatin1String("id")).toString(), result.value(QLatin1String("name")).toString(),
                     result.value(QLatin1String("key")).toString());
        });
    }
    return callAndPrint(common, QStringLiteral("apikeys/revoke"), {{QStringLiteral("id"), value}},
                        [&value](const QJsonObject &) { return QStringLiteral("revoked API key %1\n").arg(value); });
}

// ---- networks ----

/// "285 s", "1.5 s" (scaled simulations), or "-" when the API has no value.
QString secondsText(const QJsonValue &value)
{
    if (!value.isDouble())
        return QStringLiteral("-");
    const double seconds = value.toDouble();
    return seconds >= 100 ? QStringLiteral("%1 s").arg(qRound64(seconds)) : QStringLiteral("%1 s").arg(seconds, 0, 'g', 3);
}

/// "no", "yes" (nothing applied yet) or "yes, 285 s".
QString actingText(const QJsonObject &network)
{
    if (!network.value(QLatin1String("acting")).toBool())
        return QStringLiteral("no");
    const QJsonValue applied = network.value(QLatin1String("applied")).toObject().value(QLatin1String("keepAliveSeconds"));
    return applied.isDouble() ? QStringLiteral("yes, %1").arg(secondsText(applied)) : QStringLiteral("yes");
}

/// The network's recent keep-alive changes with the silent-death rate before and since,
/// one line each; empty when there were none.
QString adviceChangesText(const QJsonObject &network)
{
    const QJsonObject applied = network.value(QLatin1String("applied")).toObject();
    const QJsonArray changes = applied.value(QLatin1String("changes")).toArray();
    if (changes.isEmpty())
        return {};
    QString text = QStringLiteral("\n%1: keep-alive changes (%2 offers sent to smart-heartbeat devices)\n")
                           .arg(network.value(QLatin1String("network")).toString(),
                                integerText(applied.value(QLatin1String("offersSent"))));
    const auto keepAlive = [](const QJsonValue &seconds) {
        return seconds.toInt() == 0 ? QStringLiteral("own") : secondsText(seconds);
    };
    for (const QJsonValue &value : changes) {
        const QJsonObject c = value.toObject();
        text += QStringLiteral("  %1  %2 -> %3   silent deaths per device-hour: %4 before (%5 device-h), %6 since (%7 device-h)\n")
                        .arg(c.value(QLatin1String("at")).toString(), keepAlive(c.value(QLatin1String("fromSeconds"))),
                             keepAlive(c.value(QLatin1String("toSeconds"))))
                        .arg(c.value(QLatin1String("silentDeathsPerDeviceHourBefore")).toDouble(), 0, 'f', 2)
                        .arg(c.value(QLatin1String("deviceHoursBefore")).toDouble(), 0, 'f', 2)
                        .arg(c.value(QLatin1String("silentDeathsPerDeviceHourSince")).toDouble(), 0, 'f', 2)
                        .arg(c.value(QLatin1String("deviceHoursSince")).toDouble(), 0, 'f', 2);
    }
    return text;
}

QString networksTable(const QJsonObject &result)
{
    const QJsonArray networks = result.value(QLatin1String("networks")).toArray();
    if (networks.isEmpty())
        return QStringLiteral("no networks yet: none named in hermesd.conf and no device connected\n");
    Table table({QStringLiteral("NETWORK"), QStringLiteral("NAT TIMEOUT"), QStringLiteral("EVIDENCE"),
                 QStringLiteral("DEVICES"), QStringLiteral("OBS"), QStringLiteral("KEEP-ALIVE"), QStringLiteral("LIVE"),
                 QStringLiteral("DEATHS/DEV-H"), QStringLiteral("RECONN/DEV-H"), QStringLiteral("PUSH DELAY"),
                 QStringLiteral("ACTING")});
    for (int column = 3; column <= 9; ++column)
        table.setAlignment(column, Table::Align::Right);
    QString changes;
    for (const QJsonValue &value : networks) {
        const QJsonObject n = value.toObject();
        changes += adviceChangesText(n);
        const QString evidence = n.value(QLatin1String("evidence")).toString();
        const QJsonValue lower = n.value(QLatin1String("lowerBoundSeconds"));
        const QJsonValue upper = n.value(QLatin1String("upperBoundSeconds"));
        const QString interval = evidence == QLatin1String("insufficient") && !lower.isDouble() && !upper.isDouble()
            ? QStringLiteral("insufficient evidence")
            : QStringLiteral("%1 … %2").arg(lower.isDouble() ? secondsText(lower) : QStringLiteral("0 s"),
                                           upper.isDouble() ? secondsText(upper) : QStringLiteral("∞"));
        table.addRow({n.value(QLatin1String("network")).toString(), interval, evidence,
                      QStringLiteral("%1/%2").arg(integerText(n.value(QLatin1String("survivingDevices"))),
                                                  integerText(n.value(QLatin1String("killedDevices")))),
                      integerText(n.value(QLatin1String("observations"))),
                      secondsText(n.value(QLatin1String("recommendedKeepAliveSeconds"))),
                      integerText(n.value(QLatin1String("liveConnections"))),
                      QString::number(n.value(QLatin1String("silentDeathsPerDeviceHour")).toDouble(), 'f', 2),
                      QString::number(n.value(QLatin1String("reconnectsPerDeviceHour")).toDouble(), 'f', 2),
                      secondsText(n.value(QLatin1String("pushDelayMedianSeconds"))),
                      actingText(n)});
    }
    return table.toString()
        + QStringLiteral("DEVICES: surviving/killed devices behind the interval; KEEP-ALIVE: the recommendation; "
                         "PUSH DELAY: median time the broker sent into a silently dead connection; "
                         "ACTING: the keep-alive devices are given\n")
        + changes;
}

int runNetworks(const QStringList &arguments)
{
    QCommandLineParser parser;
    CommonOptions common;
    if (const auto stop = parseCommon(parser, arguments, QStringLiteral("[OPTIONS]"),
                                      QStringLiteral("Shows each network's NAT idle timeout as learned from the fleet, "
                                                     "the keep-alive to use there, and what silent deaths cost."),
                                      &common))
        return *stop;
    return callAndPrint(common, QStringLiteral("networks/list"), {}, networksTable);
}

} // namespace

int runAdminCommand(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    if (command == QLatin1String("push"))
        return runPush(arguments);
    if (command == QLatin1String("report"))
        return runReport(arguments);
    if (command == QLatin1String("sessions"))
        return runSessions(arguments);
    if (command == QLatin1String("devices"))
        return runDevices(arguments);
    if (command == QLatin1String("kick"))
        return runKick(arguments);
    if (command == QLatin1String("retained"))
        return runRetained(arguments);
    if (command == QLatin1String("accounts"))
        return runAccounts(arguments);
    if (command == QLatin1String("apikeys"))
        return runApiKeys(arguments);
    if (command == QLatin1String("networks"))
        return runNetworks(arguments);
    QTextStream(stderr) << "hermesctl: unknown admin command \"" << command << "\"\n";
    return UsageError;
}

} // namespace hermes::cli
