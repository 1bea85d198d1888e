// hermesctl devices: the push service's device registry (list, show, register, remove).
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

} // namespace

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

} // namespace hermes::cli::admin
