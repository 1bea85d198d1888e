#pragma once
/// What hermesctl's admin commands share: the common options (broker, credentials, --json),
/// one AdminClient call and its printing, and the text formats of times, sizes and lists.
/// Each command group lives in its own file (sessioncommands.cpp, pushcommands.cpp, …).

#include "adminclient.h"
#include "commands.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>

#include <chrono>
#include <functional>
#include <optional>

namespace hermes::cli::admin {

/// What every admin command shares: where to connect, how to print.
struct CommonOptions {
    ConnectionSettings connection;
    bool json = false;
};

void printOut(const QString &text);

void printError(const QString &text);

int usageError(const QString &command, const QString &text);

/// "hermesctl: not-found: unknown device "d9"" or "hermesctl: cannot reach broker …".
int reportFailure(const AdminResult &result);

QString jsonText(const QJsonObject &object);


QString integerText(const QJsonValue &value);

/// Local wall-clock time of a Unix-milliseconds value; "-" for 0 or absent.
QString timeText(const QJsonValue &value);

/// "850ms", "42s", "5m12s", "3h04m", "2d05h".
QString durationText(qint64 ms);

/// How long ago a Unix-milliseconds time was; "-" for 0 or absent.
QString ageText(const QJsonValue &value);

/// A target delivery step relative to the push's send time: "+12ms"; "-" when absent.
QString offsetText(const QJsonValue &value, qint64 originMs);

QString yesNo(bool value);

QStringList stringList(const QJsonValue &value);

/// A push target object as words: "devices d1, d2", "tag vip && !beta", "all devices".
QString targetText(const QJsonObject &target);

/// A payload from the API ({payload, payloadEncoding}) for one table cell.
QString payloadText(const QJsonObject &message);

/// Splits repeated and comma-separated values ("--tag a,b --tag c") into one list.

QStringList listValues(const QStringList &values);

/// --broker, --ca/--cert/--key, --user, --password(-file), --timeout and --help: how any
/// hermesctl command that connects to a broker is told where and as whom.
void addConnectionOptions(QCommandLineParser &parser);

/// Reads addConnectionOptions()' options (with $HERMES_BROKER, $HERMES_USER and
/// $HERMES_PASSWORD as defaults) into `connection`. Returns an exit code on a usage error.
std::optional<int> parseConnection(const QCommandLineParser &parser, const QString &command, ConnectionSettings *connection);

/// Parses `arguments` (arguments[0] is the subcommand) into `common`. Returns an exit code
/// when the command should stop here (help shown, or a usage error).
std::optional<int> parseCommon(QCommandLineParser &parser, const QStringList &arguments, const QString &synopsis,
                               const QString &description, CommonOptions *common);

/// Connects, runs `body` with the open client, disconnects. Connection failures are
/// reported here with their exit code.
int withClient(const CommonOptions &common, const std::function<int(AdminClient &)> &body);

/// One call, then the result printed by `print` (or as JSON).
int callAndPrint(const CommonOptions &common, const QString &method, const QJsonObject &arguments,
                 const std::function<QString(const QJsonObject &)> &print);

/// "COMMAND [list|set|remove] …" (or other `actions`): the action (list when none is named)
/// and the arguments for its parser, whose name becomes "COMMAND ACTION".
std::pair<QString, QStringList> splitAction(const QStringList &arguments,
                                            const QStringList &actions = {QStringLiteral("list"), QStringLiteral("set"),
                                                                          QStringLiteral("remove")});

/// Reads --file (or stdin for "-").
std::optional<QByteArray> readInput(const QString &path, QString *error);

int runSessions(const QStringList &arguments);

int runKick(const QStringList &arguments);

int runDevices(const QStringList &arguments);

int runRetained(const QStringList &arguments);

int runReport(const QStringList &arguments);

int runPush(const QStringList &arguments);

int runAccounts(const QStringList &arguments);

int runApiKeys(const QStringList &arguments);

int runNetworks(const QStringList &arguments);

} // namespace hermes::cli::admin
