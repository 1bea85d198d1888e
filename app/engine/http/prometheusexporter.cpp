#include "prometheusexporter.h"

#include "httpapi.h"

#include "engine/broker.h"
#include "engine/push/pushservice.h"

#include <QFile>

#include <functional>

#include <unistd.h>

namespace hermes {

namespace {

/// Appends families in the text format: "# HELP", "# TYPE", then the samples.
class Exposition
{
public:
    void family(const char *name, const char *type, const char *help)
    {
        m_text += "# HELP ";
        m_text += name;
        m_text += ' ';
        m_text += help;
        m_text += "\n# TYPE ";
        m_text += name;
        m_text += ' ';
        m_text += type;
        m_text += '\n';
    }
    void sample(const char *name, double value, const QByteArray &labels = {})
    {
        m_text += name;
        if (!labels.isEmpty()) {
            m_text += '{';
            m_text += labels;
            m_text += '}';
        }
        m_text += ' ';
        m_text += QByteArray::number(value, 'g', 17);
        m_text += '\n';
    }
    void single(const char *name, const char *type, const char *help, double value)
    {
        family(name, type, help);
        sample(name, value);
    }
    void histogram(const char *name, const char *help, const Histogram &histogram)
    {
        family(name, "histogram", help);
        const QByteArray bucket = QByteArray(name) + "_bucket";
        for (std::size_t i = 0; i < Histogram::UpperBounds.size(); ++i)
            sample(bucket.constData(), double(histogram.cumulativeCount(i)),
                   "le=\"" + QByteArray::number(Histogram::UpperBounds[i], 'g', 6) + '"');
        sample(bucket.constData(), double(histogram.count()), "le=\"+Inf\"");
        sample((QByteArray(name) + "_sum").constData(), histogram.sum());
        sample((QByteArray(name) + "_count").constData(), double(histogram.count()));
    }
    QByteArray take() { return std::move(m_text); }

private:
    QByteArray m_text;
};

struct ProcessUsage {
    double cpuSeconds = 0;
    double residentBytes = 0;
};

ProcessUsage processUsage()
{
    ProcessUsage usage;
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (stat.open(QIODevice::ReadOnly)) {
        // Fields after the command name (which may hold spaces): utime and stime are the
        // 12th and 13th from there (proc(5) fields 14 and 15), in clock ticks.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 12)
            usage.cpuSeconds = double(fields.at(11).toULongLong() + fields.at(12).toULongLong()) / double(::sysconf(_SC_CLK_TCK));
    }
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (statm.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = statm.readAll().split(' ');
        if (fields.size() > 1)
            usage.residentBytes = double(fields.at(1).toULongLong()) * double(::sysconf(_SC_PAGESIZE));
    }
    return usage;
}

/// `network="NAME"`, escaped as the text format wants (names come from hermesd.conf).
QByteArray networkLabel(const QString &name)
{
    QByteArray escaped = name.toUtf8();
    escaped.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return "network=\"" + escaped + '"';
}

/// Fleet analytics per network: the NAT timeout interval, the advice, and what silent deaths
/// cost. A bound nobody has evidence for yet has no sample.
void networkSamples(Exposition &out, const QList<analytics::NetworkReport> &reports)
{
    using Report = analytics::NetworkReport;
    const auto seconds = [](analytics::Duration d) { return double(d.count()) / 1000.0; };
    const struct {
        const char *name;
        const char *help;
        std::function<std::optional<double>(const Report &)> value;
    } gauges[] = {
        {"hermes_network_nat_timeout_lower_seconds", "Longest idle gap the network's NAT is known to keep a mapping for.",
         [&](const Report &r) { return r.estimate.lowerBound ? std::optional(seconds(*r.estimate.lowerBound)) : std::nullopt; }},
        {"hermes_network_nat_timeout_upper_seconds", "Shortest idle gap known to kill a mapping on the network.",
         [&](const Report &r) { return r.estimate.upperBound ? std::optional(seconds(*r.estimate.upperBound)) : std::nullopt; }},
        {"hermes_network_recommended_keepalive_seconds", "Keep-alive recommended for the network's devices.",
         [&](const Report &r) {
             return r.estimate.recommendedKeepAlive ? std::optional(seconds(*r.estimate.recommendedKeepAlive)) : std::nullopt;
         }},
        {"hermes_network_evidence_devices", "Devices whose evidence the NAT timeout estimate rests on.",
         [](const Report &r) { return std::optional(double(r.estimate.survivingDevices + r.estimate.killedDevices)); }},
        {"hermes_network_evidence_observations", "Observations the NAT timeout estimate rests on.",
         [](const Report &r) { return std::optional(double(r.estimate.observations)); }},
        {"hermes_network_connections", "Clients connected now, by network.",
         [](const Report &r) { return std::optional(double(r.liveConnections)); }},
        {"hermes_network_silent_deaths_per_device_hour", "Connections that died without FIN or DISCONNECT, per device-hour.",
         [](const Report &r) { return std::optional(r.silentDeathsPerDeviceHour()); }},
        {"hermes_network_reconnects_per_device_hour", "Connects per device-hour.",
         [](const Report &r) { return std::optional(r.reconnectsPerDeviceHour()); }},
        {"hermes_network_push_delay_median_seconds",
         "Median time the broker kept sending into a silently dead connection before noticing.",
         [&](const Report &r) { return std::optional(seconds(r.blindTimeMedian)); }},
        {"hermes_network_applied_keepalive_seconds",
         "Keep-alive the broker gives the network's devices (network_act), while it gives one.",
         [](const Report &r) {
             return r.applied.keepAliveSeconds ? std::optional(double(r.applied.keepAliveSeconds)) : std::nullopt;
         }},
    };
    for (const auto &gauge : gauges) {
        out.family(gauge.name, "gauge", gauge.help);
        for (const Report &report : reports) {
            if (const auto value = gauge.value(report))
                out.sample(gauge.name, *value, networkLabel(report.network));
        }
    }
}

} // namespace

QByteArray prometheusText(Broker &broker, const PushService &push, const HttpCounters &http)
{
    broker.refreshBacklogTotals();
    const BrokerCounters &c = broker.counters();
    Exposition out;
    // Upstream mode: the devices are the cluster's. The session gauges get a "source" label,
    // one series for hermesd's own sessions (its operators) and one for the cluster's, so
    // that sum() is what $SYS and the Dashboard count and neither part is counted twice.
    const SessionSource *source = broker.sessionSource();
    const SessionSource::Totals cluster = broker.sourceTotals();
    const auto split = [&out, source](const char *name, const char *help, quint64 own, quint64 clusters) {
        if (!source) {
            out.single(name, "gauge", help, double(own));
            return;
        }
        out.family(name, "gauge", help);
        out.sample(name, double(own), "source=\"broker\"");
        out.sample(name, double(clusters), "source=\"cluster\"");
    };
    split("hermes_connections", "Clients connected now.", c.clientsConnected, cluster.online);
    split("hermes_sessions", "Sessions, online and offline.", c.clientsTotal, cluster.sessions);
    if (source) {
        out.single("hermes_session_source_up", "gauge",
                   "1 when the cluster's management API answered the last refresh; the source=\"cluster\" "
                   "series are as of the last refresh that did.",
                   source->status().value(QLatin1String("answering")).toBool() ? 1.0 : 0.0);
    }
    out.single("hermes_messages_received_total", "counter", "PUBLISH packets received from clients.", double(c.publishReceived));
    out.single("hermes_messages_sent_total", "counter", "PUBLISH packets sent to clients.", double(c.publishSent));
    out.family("hermes_messages_dropped_total", "counter", "Messages not delivered, by reason.");
    out.sample("hermes_messages_dropped_total", double(c.droppedQueueFull), "reason=\"queue_full\"");
    out.sample("hermes_messages_dropped_total", double(c.droppedExpired), "reason=\"expired\"");
    out.sample("hermes_messages_dropped_total", double(c.droppedTooLarge), "reason=\"too_large\"");
    out.sample("hermes_messages_dropped_total", double(c.droppedSlowReader), "reason=\"slow_reader\"");
    out.single("hermes_bytes_received_total", "counter", "Bytes received from clients.", double(c.bytesReceived));
    out.single("hermes_bytes_sent_total", "counter", "Bytes sent to clients.", double(c.bytesSent));
    split("hermes_inflight_messages", "QoS 1/2 messages sent and not yet acknowledged.", c.inflightTotal, cluster.inflight);
    split("hermes_queued_messages", "Messages waiting in sessions (offline or behind the in-flight window).", c.queuedTotal,
          cluster.queued);
    out.single("hermes_retained_messages", "gauge", "Retained messages.", double(c.retainedCount));
    out.single("hermes_subscriptions", "gauge", "Subscriptions.", double(c.subscriptionCount));
    out.single("hermes_connections_accepted_total", "counter", "Connections accepted.", double(c.connectionsAccepted));
    out.single("hermes_connections_refused_total", "counter", "Connections refused (limits, rejected CONNECT).", double(c.connectionsRefused));
    out.single("hermes_keepalive_timeouts_total", "counter", "Connections closed after 1.5 keep-alive intervals of silence.", double(c.keepAliveTimeouts));
    out.single("hermes_auth_failures_total", "counter", "CONNECTs refused for bad credentials.", double(c.authenticationFailures));
    out.single("hermes_protocol_errors_total", "counter", "Connections closed for a protocol error.", double(c.protocolErrors));
    out.single("hermes_takeovers_total", "counter", "Connections closed by a new connection with the same client id.", double(c.takeOvers));

    const PushStatistics &stats = push.statistics();
    out.family("hermes_pushes_total", "counter", "Push requests, by outcome.");
    out.sample("hermes_pushes_total", double(stats.accepted), "state=\"accepted\"");
    out.sample("hermes_pushes_total", double(stats.refused), "state=\"refused\"");
    out.family("hermes_push_deliveries_total", "counter", "Push deliveries (one per device) entering each state.");
    for (const TargetState state : {TargetState::Queued, TargetState::Sent, TargetState::Acknowledged,
                                    TargetState::Receipted, TargetState::Expired, TargetState::Failed}) {
        out.sample("hermes_push_deliveries_total", double(stats.deliveriesEntered[std::size_t(state)]),
                   "state=\"" + stateName(state).toLatin1() + '"');
    }
    out.histogram("hermes_push_delivery_seconds",
                  "From a QoS 1/2 push delivery being queued for its device to its first acknowledgement or receipt.",
                  stats.deliveryDurations);
    if (const Store *store = broker.store())
        out.histogram("hermes_store_commit_seconds", "Duration of the store's group commits.", store->commitDurations());

    networkSamples(out, broker.fleet().reports());

    out.family("hermes_http_requests_total", "counter", "HTTP requests answered, by status class.");
    out.sample("hermes_http_requests_total", double(http.success), "code=\"2xx\"");
    out.sample("hermes_http_requests_total", double(http.clientErrors), "code=\"4xx\"");
    out.sample("hermes_http_requests_total", double(http.serverErrors), "code=\"5xx\"");

    const ProcessUsage usage = processUsage();
    out.single("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.", usage.cpuSeconds);
    out.single("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", usage.residentBytes);
    out.single("process_start_time_seconds", "gauge", "When the broker started, seconds since the epoch.", double(c.startedAtMs) / 1000.0);
    return out.take();
}

} // namespace hermes
