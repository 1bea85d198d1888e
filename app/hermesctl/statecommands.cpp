// hermesctl retained and networks: the retained messages, and what fleet analytics learnt
// of each network's NAT timeout.
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

/// Under hermesd's network_time_scale every figure is the simulated fleet's.
QString scaleText(double scale)
{
    if (scale <= 1.0)
        return {};
    return QStringLiteral("Times and rates are the simulated fleet's (network_time_scale %1): the keep-alive on the "
                          "wire is %2 times shorter.\n").arg(scale).arg(scale);
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
        + scaleText(result.value(QLatin1String("timeScale")).toDouble(1.0))
        + changes;
}

} // namespace

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

} // namespace hermes::cli::admin
