// hermesctl accounts and apikeys: the broker's stored accounts and the HTTP API keys.
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

} // namespace

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

} // namespace hermes::cli::admin
