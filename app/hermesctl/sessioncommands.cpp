// hermesctl sessions and kick: the connected and offline sessions, one in detail, and
// closing a client's connection.
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

} // namespace

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

} // namespace hermes::cli::admin
