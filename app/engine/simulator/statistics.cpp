#include "statistics.h"

#include <QJsonArray>
#include <QTextStream>

#include <algorithm>

namespace hermes::sim {

namespace {

QString seconds(qint64 ms, int decimals = 1)
{
    return QString::number(double(ms) / 1000.0, 'f', decimals) + QStringLiteral(" s");
}

QString percent(double fraction)
{
    return QString::number(fraction * 100.0, 'f', 2) + QLatin1Char('%');
}

} // namespace

KeepAliveRecommendation recommendKeepAlive(QList<std::chrono::milliseconds> converged, int smartDevices,
                                           std::chrono::milliseconds natTimeout)
{
    KeepAliveRecommendation r;
    r.smartDevices = smartDevices;
    r.convergedDevices = int(converged.size());
    r.natTimeout = natTimeout;
    if (converged.isEmpty())
        return r;
    std::sort(converged.begin(), converged.end());
    r.lowest = converged.constFirst();
    r.highest = converged.constLast();
    r.median = converged.at(converged.size() / 2);
    // The lowest: a device whose heartbeat was delayed (a loaded phone, a slow path)
    // settled lower; what the whole fleet can live with is what the worst case learned.
    r.recommended = r.lowest;
    return r;
}

QJsonObject toJson(const SimulationSnapshot &s, bool withSamples)
{
    const FleetStats &f = s.fleet;
    QJsonObject fleet{
            {QStringLiteral("devices"), f.devices},
            {QStringLiteral("started"), f.started},
            {QStringLiteral("connected"), f.connected},
            {QStringLiteral("subscribed"), f.subscribed},
            {QStringLiteral("gaveUp"), f.gaveUp},
            {QStringLiteral("connectAttempts"), qint64(f.connectAttempts)},
            {QStringLiteral("connects"), qint64(f.connects)},
            {QStringLiteral("connectFailures"), qint64(f.connectFailures)},
            {QStringLiteral("reconnectAttempts"), qint64(f.reconnectAttempts)},
            {QStringLiteral("connectionsLost"), qint64(f.connectionsLost)},
            {QStringLiteral("allConnectedMs"), s.allConnectedMs},
            {QStringLiteral("peakConnectsPerSecond"), s.peakConnectsPerSecond},
            {QStringLiteral("peakReconnectsPerSecond"), s.peakReconnectsPerSecond},
            {QStringLiteral("reconnects"), qint64(f.reconnects)},
            {QStringLiteral("reconnectMs"), QJsonObject{{QStringLiteral("min"), f.reconnectMinMs},
                                                        {QStringLiteral("p50"), f.reconnectP50Ms},
                                                        {QStringLiteral("p99"), f.reconnectP99Ms},
                                                        {QStringLiteral("max"), f.reconnectMaxMs}}},
            {QStringLiteral("envelopesReceived"), qint64(f.pushesReceived)},
    };
    if (!f.connectedPerBroker.isEmpty()) {
        QJsonObject perBroker;
        for (const auto &[address, connected] : f.connectedPerBroker)
            perBroker.insert(address, connected);
        fleet.insert(QStringLiteral("connectedPerBroker"), perBroker);
    }
    QJsonObject pushes{
            {QStringLiteral("sent"), qint64(s.pushesSent)},
            {QStringLiteral("delivered"), qint64(s.pushesDelivered)},
            {QStringLiteral("duplicates"), qint64(s.duplicates)},
            {QStringLiteral("gaps"), qint64(s.gaps)},
            {QStringLiteral("missing"), qint64(s.missing)},
            {QStringLiteral("lost"), qint64(s.lost)},
            {QStringLiteral("rejected"), qint64(s.rejected)},
            {QStringLiteral("expired"), qint64(s.expired)},
            {QStringLiteral("raw"), qint64(f.pushesRaw)},
            {QStringLiteral("receiptsSent"), qint64(f.receiptsSent)},
            {QStringLiteral("arrivalRate"), s.arrivalRate},
    };
    const HeartbeatOutcomes &h = s.heartbeats;
    QJsonObject heartbeats{
            {QStringLiteral("sent"), qint64(h.sent)},
            {QStringLiteral("answered"), qint64(h.answered)},
            {QStringLiteral("deadLinks"), qint64(h.deadLinks)},
            {QStringLiteral("natDropped"), qint64(h.natDropped)},
            {QStringLiteral("meanDetectionMs"), h.meanDetectionMs},
            {QStringLiteral("maxDetectionMs"), h.maxDetectionMs},
            {QStringLiteral("meanIntervalMs"), f.meanIntervalMs},
    };
    const KeepAliveRecommendation &k = s.keepAlive;
    QJsonObject keepAlive{
            {QStringLiteral("smartDevices"), k.smartDevices},
            {QStringLiteral("convergedDevices"), k.convergedDevices},
            {QStringLiteral("natTimeoutMs"), qint64(k.natTimeout.count())},
            {QStringLiteral("lowestMs"), qint64(k.lowest.count())},
            {QStringLiteral("medianMs"), qint64(k.median.count())},
            {QStringLiteral("highestMs"), qint64(k.highest.count())},
            {QStringLiteral("recommendedMs"), qint64(k.recommended.count())},
    };
    QJsonObject relay{
            {QStringLiteral("mappingsCreated"), qint64(s.relay.mappingsCreated)},
            {QStringLiteral("mappingsDropped"), qint64(s.relay.mappingsDropped)},
            {QStringLiteral("bytesDiscarded"), qint64(s.relay.bytesDiscarded)},
    };
    QJsonObject root{
            {QStringLiteral("scenario"), s.scenario},
            {QStringLiteral("network"), s.network},
            {QStringLiteral("heartbeat"), s.heartbeat},
            {QStringLiteral("timeScale"), s.timeScale},
            {QStringLiteral("elapsedMs"), s.elapsedMs},
            {QStringLiteral("simulatedMs"), s.simulatedMs},
            {QStringLiteral("durationMs"), s.durationMs},
            {QStringLiteral("finished"), s.finished},
            {QStringLiteral("fleet"), fleet},
            {QStringLiteral("pushes"), pushes},
            {QStringLiteral("heartbeats"), heartbeats},
            {QStringLiteral("keepAlive"), keepAlive},
            {QStringLiteral("relay"), relay},
            {QStringLiteral("events"), QJsonArray::fromStringList(s.events)},
    };
    if (withSamples) {
        QJsonArray samples;
        for (const StatsSample &p : s.samples) {
            samples.append(QJsonObject{
                    {QStringLiteral("realMs"), p.realMs},
                    {QStringLiteral("simulatedMs"), p.simulatedMs},
                    {QStringLiteral("connected"), p.connected},
                    {QStringLiteral("connectsPerSecond"), p.connectsPerSecond},
                    {QStringLiteral("reconnectsPerSecond"), p.reconnectsPerSecond},
                    {QStringLiteral("arrivalsPerSecond"), p.arrivalsPerSecond},
                    {QStringLiteral("meanIntervalSeconds"), p.meanIntervalSeconds},
            });
        }
        root.insert(QStringLiteral("samples"), samples);
    }
    return root;
}

QString formatSummary(const SimulationSnapshot &s)
{
    const FleetStats &f = s.fleet;
    QList<std::pair<QString, QString>> rows = {
            {QStringLiteral("scenario"), s.scenario},
            {QStringLiteral("network"), s.network},
            {QStringLiteral("heartbeat"), s.heartbeat},
            {QStringLiteral("run time"), QStringLiteral("%1 real, %2 simulated (x%3)")
                                                 .arg(seconds(s.elapsedMs), seconds(s.simulatedMs, 0))
                                                 .arg(s.timeScale)},
            {QStringLiteral("devices"), QStringLiteral("%1 (%2 connected at the end, %3 gave up)")
                                                .arg(f.devices).arg(f.connected).arg(f.gaveUp)},
            {QStringLiteral("all connected after"),
             s.allConnectedMs >= 0 ? seconds(s.allConnectedMs, 2) : QStringLiteral("never")},
            {QStringLiteral("connects"), QStringLiteral("%1 (%2 attempts, %3 failed; peak %4/s)")
                                                 .arg(f.connects).arg(f.connectAttempts).arg(f.connectFailures)
                                                 .arg(s.peakConnectsPerSecond, 0, 'f', 0)},
            {QStringLiteral("reconnect attempts"), QStringLiteral("%1 (peak %2/s)")
                                                           .arg(f.reconnectAttempts)
                                                           .arg(s.peakReconnectsPerSecond, 0, 'f', 0)},
            {QStringLiteral("connections lost"), QString::number(f.connectionsLost)},
            {QStringLiteral("reconnect time"), f.reconnects == 0
                     ? QStringLiteral("-")
                     : QStringLiteral("%1 reconnects: min %2 ms, p50 %3 ms, p99 %4 ms, max %5 ms (loss to SUBACK)")
                               .arg(f.reconnects).arg(f.reconnectMinMs).arg(f.reconnectP50Ms).arg(f.reconnectP99Ms)
                               .arg(f.reconnectMaxMs)},
            {QStringLiteral("heartbeats"), QStringLiteral("%1 sent, %2 answered (mapping kept), %3 dead links")
                                                   .arg(s.heartbeats.sent).arg(s.heartbeats.answered)
                                                   .arg(s.heartbeats.deadLinks)},
            {QStringLiteral("NAT mappings dropped"), QString::number(s.heartbeats.natDropped)},
            {QStringLiteral("dead-link detection"), s.heartbeats.deadLinks == 0
                     ? QStringLiteral("-")
                     : QStringLiteral("mean %1 ms, max %2 ms (real)")
                               .arg(s.heartbeats.meanDetectionMs, 0, 'f', 0).arg(s.heartbeats.maxDetectionMs)},
            {QStringLiteral("pushes sent"), QString::number(s.pushesSent)},
            {QStringLiteral("pushes delivered"), QStringLiteral("%1 (arrival rate %2)")
                                                         .arg(s.pushesDelivered).arg(percent(s.arrivalRate))},
            {QStringLiteral("duplicates dropped"), QString::number(s.duplicates)},
            {QStringLiteral("lost / missing"), QStringLiteral("%1 / %2").arg(s.lost).arg(s.missing)},
            {QStringLiteral("rejected / expired"), QStringLiteral("%1 / %2").arg(s.rejected).arg(s.expired)},
            {QStringLiteral("raw payloads"), QString::number(f.pushesRaw)},
    };
    const KeepAliveRecommendation &k = s.keepAlive;
    if (k.smartDevices > 0) {
        rows.append({QStringLiteral("smart heartbeat"),
                     QStringLiteral("%1 of %2 converged; lowest %3, median %4, highest %5")
                             .arg(k.convergedDevices).arg(k.smartDevices)
                             .arg(seconds(k.lowest.count(), 0), seconds(k.median.count(), 0),
                                  seconds(k.highest.count(), 0))});
        rows.append({QStringLiteral("recommended keep-alive"),
                     k.available() ? QStringLiteral("%1 for a NAT timeout of %2")
                                             .arg(seconds(k.recommended.count(), 0),
                                                  k.natTimeout.count() > 0 ? seconds(k.natTimeout.count(), 0)
                                                                           : QStringLiteral("none"))
                                   : QStringLiteral("not yet (no device converged)")});
    }
    if (!f.connectedPerBroker.isEmpty()) {
        QStringList parts;
        for (const auto &[address, connected] : f.connectedPerBroker)
            parts.append(QStringLiteral("%1 %2").arg(address).arg(connected));
        rows.append({QStringLiteral("connected per broker"), parts.join(QLatin1String(", "))});
    }
    for (const QString &event : s.events)
        rows.append({QStringLiteral("event"), event});

    qsizetype width = 0;
    for (const auto &row : std::as_const(rows))
        width = std::max(width, row.first.size());
    QString text;
    QTextStream out(&text);
    for (const auto &[name, value] : std::as_const(rows))
        out << name.leftJustified(width + 2) << value << '\n';
    return text;
}

QString formatProgress(const SimulationSnapshot &s)
{
    const StatsSample last = s.samples.isEmpty() ? StatsSample{} : s.samples.constLast();
    QString line = QStringLiteral("[%1 | sim %2] connected %3/%4  connects/s %5  reconnects/s %6  "
                                  "delivered %7/%8  dup %9  dead links %10")
                           .arg(seconds(s.elapsedMs).rightJustified(8), seconds(s.simulatedMs, 0).rightJustified(7))
                           .arg(s.fleet.connected).arg(s.fleet.devices)
                           .arg(last.connectsPerSecond, 0, 'f', 0).arg(last.reconnectsPerSecond, 0, 'f', 0)
                           .arg(s.pushesDelivered).arg(s.pushesSent).arg(s.duplicates)
                           .arg(s.heartbeats.deadLinks);
    if (!s.fleet.connectedPerBroker.isEmpty()) {
        line += QStringLiteral("  subscribed %1").arg(s.fleet.subscribed);
        QStringList parts;
        for (const auto &[address, connected] : s.fleet.connectedPerBroker)
            parts.append(QStringLiteral("%1=%2").arg(address).arg(connected));
        line += QStringLiteral("  on ") + parts.join(QLatin1Char(' '));
    }
    if (s.keepAlive.available())
        line += QStringLiteral("  keep-alive %1").arg(seconds(s.keepAlive.recommended.count(), 0));
    return line;
}

} // namespace hermes::sim
