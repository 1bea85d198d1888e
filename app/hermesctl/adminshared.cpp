// The helpers every admin command uses (adminshared.h).
#include "adminshared.h"
#include "table.h"

#include "engine/remote/attach.h"
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

void addOutputOptions(QCommandLineParser &parser)
{
    parser.addOptions({
            {QStringLiteral("json"), QStringLiteral("Print the API's result as JSON (for scripts).")},
            {{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Output format: table or json."),
             QStringLiteral("format")},
    });
}

/// --ca, --cert and --key: TLS to the broker (a plain HOST:PORT too), with these files.
std::optional<int> parseTls(const QCommandLineParser &parser, const QString &command, ConnectionSettings *connection)
{
    const QString ca = parser.value(QStringLiteral("ca"));
    const QString certificate = parser.value(QStringLiteral("cert"));
    const QString key = parser.value(QStringLiteral("key"));
    if (ca.isEmpty() && certificate.isEmpty() && key.isEmpty())
        return std::nullopt;
    if (!connection->localPath.isEmpty())
        return usageError(command, QStringLiteral("--ca, --cert and --key are for a TCP broker, not unix:%1")
                                           .arg(connection->localPath));
    if (certificate.isEmpty() != key.isEmpty())
        return usageError(command, QStringLiteral("--cert and --key go together"));
    ClientOptions::Tls tls = connection->tls.value_or(ClientOptions::Tls{});
    tls.caFile = ca;
    tls.certificateFile = certificate;
    tls.keyFile = key;
    connection->tls = tls;
    return std::nullopt;
}

} // namespace

void addConnectionOptions(QCommandLineParser &parser)
{
    parser.addOptions({
            {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Displays this help.")},
            {QStringLiteral("broker"),
             QStringLiteral("Broker to talk to: HOST:PORT, mqtts://HOST[:PORT] (TLS, port 8883) or unix:PATH "
                            "(default $HERMES_BROKER, else unix:/run/hermes/hermesd.sock when it exists, else "
                            "127.0.0.1:1883)."),
             QStringLiteral("address")},
            {QStringLiteral("ca"),
             QStringLiteral("TLS: trust the broker's certificate when this PEM CA file signed it (default: the "
                            "system's CAs). Implies TLS."),
             QStringLiteral("file")},
            {QStringLiteral("cert"), QStringLiteral("TLS: present this PEM client certificate (needs --key). Implies TLS."),
             QStringLiteral("file")},
            {QStringLiteral("key"), QStringLiteral("TLS: the client certificate's unencrypted PEM private key."),
             QStringLiteral("file")},
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
    });
}

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

QString timeText(const QJsonValue &value)
{
    const qint64 ms = qint64(value.toDouble());
    if (ms <= 0)
        return QStringLiteral("-");
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

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

QString ageText(const QJsonValue &value)
{
    const qint64 ms = qint64(value.toDouble());
    if (ms <= 0)
        return QStringLiteral("-");
    return durationText(QDateTime::currentMSecsSinceEpoch() - ms) + QLatin1String(" ago");
}

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

QString payloadText(const QJsonObject &message)
{
    if (message.value(QLatin1String("payloadEncoding")).toString() == QLatin1String("base64"))
        return QStringLiteral("<%1 bytes, binary>").arg(integerText(message.value(QLatin1String("payloadSize"))));
    return message.value(QLatin1String("payload")).toString();
}

// ---- Options ----

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

std::optional<int> parseConnection(const QCommandLineParser &parser, const QString &command, ConnectionSettings *connection)
{
    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // The local socket needs no password: root and the hermes group are operators there. A
    // user outside that group cannot see it behind its directory (0750); trying it anyway
    // tells them why, where 127.0.0.1:1883 would only refuse them.
    const QFileInfo socketDirectory(QFileInfo(QString(DefaultLocalSocket)).absolutePath());
    const QString fallback = QFileInfo::exists(QString(DefaultLocalSocket))
                    || (socketDirectory.exists() && !socketDirectory.isExecutable())
            ? QStringLiteral("unix:") + DefaultLocalSocket
            : QStringLiteral("127.0.0.1:1883");
    const QString broker = parser.isSet(QStringLiteral("broker"))
            ? parser.value(QStringLiteral("broker"))
            : environment.value(QStringLiteral("HERMES_BROKER"), fallback);
    const std::optional<RemoteEngineOptions> address = parseAttachAddress(broker);
    if (!address)
        return usageError(command,
                          QStringLiteral("--broker \"%1\" is not HOST:PORT, mqtts://HOST[:PORT] or unix:PATH").arg(broker));
    connection->host = address->host;
    connection->port = address->port;
    connection->localPath = address->localPath;
    connection->tls = address->tls;
    if (const std::optional<int> tlsError = parseTls(parser, command, connection))
        return tlsError;
    connection->userName = parser.isSet(QStringLiteral("user")) ? parser.value(QStringLiteral("user"))
                                                                : environment.value(QStringLiteral("HERMES_USER"));
    if (parser.isSet(QStringLiteral("password"))) {
        connection->password = parser.value(QStringLiteral("password")).toUtf8();
        connection->hasPassword = true;
    } else if (parser.isSet(QStringLiteral("password-file"))) {
        QFile file(parser.value(QStringLiteral("password-file")));
        if (!file.open(QIODevice::ReadOnly))
            return usageError(command, QStringLiteral("cannot read the password file %1: %2").arg(file.fileName(), file.errorString()));
        QByteArray password = file.readLine();
        if (password.endsWith('\n'))
            password.chop(1);
        if (password.endsWith('\r'))
            password.chop(1);
        connection->password = password;
        connection->hasPassword = true;
    } else if (environment.contains(QStringLiteral("HERMES_PASSWORD"))) {
        connection->password = environment.value(QStringLiteral("HERMES_PASSWORD")).toUtf8();
        connection->hasPassword = true;
    }
    bool ok = false;
    const double timeout = parser.value(QStringLiteral("timeout")).toDouble(&ok);
    if (!ok || timeout <= 0 || timeout > 86400)
        return usageError(command, QStringLiteral("--timeout must be a number of seconds above 0"));
    connection->timeout = std::chrono::milliseconds(qint64(timeout * 1000));
    return std::nullopt;
}

std::optional<int> parseCommon(QCommandLineParser &parser, const QStringList &arguments, const QString &synopsis,
                               const QString &description, CommonOptions *common)
{
    const QString command = arguments.value(0);
    parser.setApplicationDescription(description);
    addConnectionOptions(parser);
    addOutputOptions(parser);
    if (!parser.parse(arguments))
        return usageError(command, parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        // Qt's first line names the program only; ours names the subcommand too.
        printOut(QStringLiteral("Usage: hermesctl %1 %2\n").arg(command, synopsis)
                 + parser.helpText().section(QLatin1Char('\n'), 1));
        return Success;
    }
    if (const std::optional<int> stop = parseConnection(parser, command, &common->connection))
        return stop;
    common->json = parser.isSet(QStringLiteral("json"));
    if (parser.isSet(QStringLiteral("output"))) {
        const QString format = parser.value(QStringLiteral("output"));
        if (format != QLatin1String("json") && format != QLatin1String("table"))
            return usageError(command, QStringLiteral("--output must be table or json"));
        common->json = format == QLatin1String("json");
    }
    return std::nullopt;
}

int withClient(const CommonOptions &common, const std::function<int(AdminClient &)> &body)
{
    AdminClient client(common.connection);
    if (const AdminResult opened = client.open(); !opened.ok())
        return reportFailure(opened);
    const int code = body(client);
    client.close();
    return code;
}

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

std::pair<QString, QStringList> splitAction(const QStringList &arguments,
                                            const QStringList &actions)
{
    const QString word = arguments.value(1);
    if (!actions.contains(word))
        return {QStringLiteral("list"), arguments};
    QStringList rest = arguments;
    rest.removeAt(1);
    rest[0] = arguments.value(0) + QLatin1Char(' ') + word;
    return {word, rest};
}

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

} // namespace hermes::cli::admin
