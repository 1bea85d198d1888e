#include "sessionjson.h"

#include <QJsonArray>

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

namespace hermes {

namespace {

using mqtt::CloseReason;

constexpr std::array AllCloseReasons{
    CloseReason::ClientDisconnect, CloseReason::KeepAliveTimeout, CloseReason::TakenOver,
    CloseReason::ProtocolError,    CloseReason::ConnectRejected,  CloseReason::ConnectTimeout,
    CloseReason::SocketError,      CloseReason::PeerClosed,       CloseReason::Kicked,
    CloseReason::ServerShutdown,
};

constexpr std::array AllStages{mqtt::OutboundStage::AwaitingPuback, mqtt::OutboundStage::AwaitingPubrec,
                               mqtt::OutboundStage::AwaitingPubcomp};

/// The one table of counter names, read and written by the same code.
using CounterField = quint64 BrokerCounters::*;
const std::array<std::pair<const char *, CounterField>, 33> &counterFields()
{
    static const std::array<std::pair<const char *, CounterField>, 33> fields{{
        {"clientsConnected", &BrokerCounters::clientsConnected},
        {"clientsTotal", &BrokerCounters::clientsTotal},
        {"clientsMaximum", &BrokerCounters::clientsMaximum},
        {"clientsDisconnected", &BrokerCounters::clientsDisconnected},
        {"connectionsAccepted", &BrokerCounters::connectionsAccepted},
        {"connectionsRefused", &BrokerCounters::connectionsRefused},
        {"messagesReceived", &BrokerCounters::messagesReceived},
        {"messagesSent", &BrokerCounters::messagesSent},
        {"publishReceived", &BrokerCounters::publishReceived},
        {"publishSent", &BrokerCounters::publishSent},
        {"publishDropped", &BrokerCounters::publishDropped},
        {"droppedQueueFull", &BrokerCounters::droppedQueueFull},
        {"droppedExpired", &BrokerCounters::droppedExpired},
        {"droppedTooLarge", &BrokerCounters::droppedTooLarge},
        {"droppedSlowReader", &BrokerCounters::droppedSlowReader},
        {"bytesReceived", &BrokerCounters::bytesReceived},
        {"bytesSent", &BrokerCounters::bytesSent},
        {"retainedCount", &BrokerCounters::retainedCount},
        {"subscriptionCount", &BrokerCounters::subscriptionCount},
        {"inflightTotal", &BrokerCounters::inflightTotal},
        {"queuedTotal", &BrokerCounters::queuedTotal},
        {"protocolErrors", &BrokerCounters::protocolErrors},
        {"keepAliveTimeouts", &BrokerCounters::keepAliveTimeouts},
        {"takeOvers", &BrokerCounters::takeOvers},
        {"authenticationFailures", &BrokerCounters::authenticationFailures},
        {"clientIdRefusals", &BrokerCounters::clientIdRefusals},
        {"sessionsRevoked", &BrokerCounters::sessionsRevoked},
        {"connectionRateRefusals", &BrokerCounters::connectionRateRefusals},
        {"authBackoffRefusals", &BrokerCounters::authBackoffRefusals},
        {"subscriptionQuotaRefusals", &BrokerCounters::subscriptionQuotaRefusals},
        {"accessDenials", &BrokerCounters::accessDenials},
        {"tlsHandshakeFailures", &BrokerCounters::tlsHandshakeFailures},
        {"startedAtMs", nullptr}, // qint64: written and read separately below
    }};
    return fields;
}

qint64 ms(const QJsonObject &json, QLatin1StringView key)
{
    return qint64(json.value(key).toDouble());
}

QJsonObject closeJson(const CloseInfo &close)
{
    QJsonObject json{{QStringLiteral("reason"), closeReasonName(close.reason)},
                     {QStringLiteral("detail"), close.detail},
                     {QStringLiteral("atMs"), double(close.atMs)},
                     {QStringLiteral("willPublished"), close.willPublished}};
    if (close.reasonCode)
        json.insert(QStringLiteral("reasonCode"), int(*close.reasonCode));
    return json;
}

CloseInfo closeFromJson(const QJsonObject &json)
{
    CloseInfo close;
    const QString reason = json.value(QLatin1String("reason")).toString();
    for (const CloseReason candidate : AllCloseReasons) {
        if (closeReasonName(candidate) == reason)
            close.reason = candidate;
    }
    if (json.contains(QLatin1String("reasonCode")))
        close.reasonCode = mqtt::ReasonCode(json.value(QLatin1String("reasonCode")).toInt());
    close.detail = json.value(QLatin1String("detail")).toString();
    close.atMs = ms(json, QLatin1StringView("atMs"));
    close.willPublished = json.value(QLatin1String("willPublished")).toBool();
    return close;
}

mqtt::QoS qosFrom(const QJsonValue &value)
{
    return mqtt::QoS(std::clamp(value.toInt(), 0, 2));
}

} // namespace

QString protocolVersionName(mqtt::ProtocolVersion version)
{
    switch (version) {
    case mqtt::ProtocolVersion::V3_1: return QStringLiteral("3.1");
    case mqtt::ProtocolVersion::V3_1_1: return QStringLiteral("3.1.1");
    case mqtt::ProtocolVersion::V5: return QStringLiteral("5.0");
    }
    return {};
}

QString outboundStageName(mqtt::OutboundStage stage)
{
    switch (stage) {
    case mqtt::OutboundStage::AwaitingPuback: return QStringLiteral("awaiting-puback");
    case mqtt::OutboundStage::AwaitingPubrec: return QStringLiteral("awaiting-pubrec");
    case mqtt::OutboundStage::AwaitingPubcomp: return QStringLiteral("awaiting-pubcomp");
    }
    return {};
}

QJsonObject sessionRowJson(const SessionInfo &info)
{
    QJsonObject json{
        {QStringLiteral("clientId"), info.clientId},
        {QStringLiteral("userName"), info.userName},
        {QStringLiteral("online"), info.online},
        {QStringLiteral("address"), info.address},
        {QStringLiteral("protocol"), protocolVersionName(info.version)},
        {QStringLiteral("keepAliveSeconds"), int(info.keepAliveSeconds)},
        {QStringLiteral("cleanStart"), info.cleanStart},
        {QStringLiteral("sessionExpirySeconds"), double(info.sessionExpirySeconds)},
        {QStringLiteral("lastInboundMs"), double(info.lastInboundMs)},
        {QStringLiteral("inflight"), info.inflight},
        {QStringLiteral("inflightHighWater"), info.inflightHighWater},
        {QStringLiteral("queued"), info.queued},
        {QStringLiteral("queuedHighWater"), info.queuedHighWater},
        {QStringLiteral("subscriptions"), info.subscriptions},
        {QStringLiteral("messagesIn"), double(info.messagesIn)},
        {QStringLiteral("messagesOut"), double(info.messagesOut)},
        {QStringLiteral("messagesDropped"), double(info.messagesDropped)},
    };
    if (info.online)
        json.insert(QStringLiteral("connectedAtMs"), double(info.connectedSinceMs));
    else
        json.insert(QStringLiteral("disconnectedAtMs"), double(info.offlineSinceMs));
    if (info.lastClose)
        json.insert(QStringLiteral("lastClose"), closeJson(*info.lastClose));
    if (!info.node.isEmpty())
        json.insert(QStringLiteral("node"), info.node);
    return json;
}

bool sameSessionRow(const SessionInfo &a, const SessionInfo &b)
{
    const qint64 closedA = a.lastClose ? a.lastClose->atMs : 0;
    const qint64 closedB = b.lastClose ? b.lastClose->atMs : 0;
    return std::tie(a.online, a.address, a.node, a.userName, a.version, a.keepAliveSeconds, a.cleanStart,
                    a.sessionExpirySeconds, a.connectedSinceMs, a.offlineSinceMs, a.inflight, a.inflightHighWater,
                    a.queued, a.queuedHighWater, a.subscriptions, a.messagesIn, a.messagesOut, a.messagesDropped)
            == std::tie(b.online, b.address, b.node, b.userName, b.version, b.keepAliveSeconds, b.cleanStart,
                        b.sessionExpirySeconds, b.connectedSinceMs, b.offlineSinceMs, b.inflight, b.inflightHighWater,
                        b.queued, b.queuedHighWater, b.subscriptions, b.messagesIn, b.messagesOut, b.messagesDropped)
        && closedA == closedB;
}

std::optional<SessionInfo> sessionRowFromJson(const QJsonObject &json)
{
    SessionInfo info;
    info.clientId = json.value(QLatin1String("clientId")).toString();
    if (info.clientId.isEmpty())
        return std::nullopt;
    info.userName = json.value(QLatin1String("userName")).toString();
    info.online = json.value(QLatin1String("online")).toBool();
    info.address = json.value(QLatin1String("address")).toString();
    info.node = json.value(QLatin1String("node")).toString();
    const QString protocol = json.value(QLatin1String("protocol")).toString();
    for (const auto version : {mqtt::ProtocolVersion::V3_1, mqtt::ProtocolVersion::V3_1_1, mqtt::ProtocolVersion::V5}) {
        if (protocolVersionName(version) == protocol)
            info.version = version;
    }
    info.keepAliveSeconds = quint16(json.value(QLatin1String("keepAliveSeconds")).toInt());
    info.cleanStart = json.value(QLatin1String("cleanStart")).toBool(true);
    info.sessionExpirySeconds = quint32(json.value(QLatin1String("sessionExpirySeconds")).toDouble());
    info.connectedSinceMs = ms(json, QLatin1StringView("connectedAtMs"));
    info.offlineSinceMs = ms(json, QLatin1StringView("disconnectedAtMs"));
    info.lastInboundMs = ms(json, QLatin1StringView("lastInboundMs"));
    info.inflight = json.value(QLatin1String("inflight")).toInt();
    info.inflightHighWater = json.value(QLatin1String("inflightHighWater")).toInt();
    info.queued = json.value(QLatin1String("queued")).toInt();
    info.queuedHighWater = json.value(QLatin1String("queuedHighWater")).toInt();
    info.subscriptions = json.value(QLatin1String("subscriptions")).toInt();
    info.messagesIn = quint64(json.value(QLatin1String("messagesIn")).toDouble());
    info.messagesOut = quint64(json.value(QLatin1String("messagesOut")).toDouble());
    info.messagesDropped = quint64(json.value(QLatin1String("messagesDropped")).toDouble());
    if (json.contains(QLatin1String("lastClose")))
        info.lastClose = closeFromJson(json.value(QLatin1String("lastClose")).toObject());
    return info;
}

QJsonObject sessionDetailJson(const SessionDetail &detail)
{
    QJsonObject json = sessionRowJson(detail.info);
    QJsonArray heartbeats;
    for (const HeartbeatMark &mark : detail.heartbeats) {
        heartbeats.append(QJsonObject{{QStringLiteral("atMs"), double(mark.atMs)},
                                      {QStringLiteral("type"), int(mark.type)},
                                      {QStringLiteral("inbound"), mark.inbound},
                                      {QStringLiteral("wireSize"), double(mark.wireSize)}});
    }
    QJsonArray inflight;
    for (const InflightInfo &message : detail.inflight) {
        inflight.append(QJsonObject{{QStringLiteral("packetId"), int(message.packetId)},
                                    {QStringLiteral("topic"), message.topic},
                                    {QStringLiteral("qos"), int(message.qos)},
                                    {QStringLiteral("stage"), outboundStageName(message.stage)},
                                    {QStringLiteral("ageMs"), double(message.ageMs)},
                                    {QStringLiteral("sendCount"), double(message.sendCount)},
                                    {QStringLiteral("payloadSize"), double(message.payloadSize)}});
    }
    QJsonArray queued;
    for (const mqtt::Publish &message : detail.queued) {
        queued.append(QJsonObject{{QStringLiteral("topic"), message.topic},
                                  {QStringLiteral("qos"), int(message.qos)},
                                  {QStringLiteral("payloadSize"), double(message.payload.size())}});
    }
    QJsonArray subscriptions;
    for (const mqtt::TopicSubscription &subscription : detail.subscriptions) {
        subscriptions.append(QJsonObject{{QStringLiteral("filter"), subscription.filter},
                                         {QStringLiteral("qos"), int(subscription.options.maximumQoS)}});
    }
    QJsonArray closes;
    for (const CloseInfo &close : detail.closes)
        closes.append(closeJson(close));
    json.insert(QStringLiteral("heartbeats"), heartbeats);
    json.insert(QStringLiteral("inflightMessages"), inflight);
    json.insert(QStringLiteral("queuedMessages"), queued);
    json.insert(QStringLiteral("subscriptionFilters"), subscriptions);
    json.insert(QStringLiteral("packetTrace"), QJsonArray::fromStringList(detail.packetTrace));
    json.insert(QStringLiteral("closes"), closes);
    return json;
}

std::optional<SessionDetail> sessionDetailFromJson(const QJsonObject &json)
{
    std::optional<SessionInfo> info = sessionRowFromJson(json);
    if (!info)
        return std::nullopt;
    SessionDetail detail;
    detail.info = std::move(*info);
    for (const QJsonValue &value : json.value(QLatin1String("heartbeats")).toArray()) {
        const QJsonObject mark = value.toObject();
        detail.heartbeats.append({ms(mark, QLatin1StringView("atMs")), mqtt::PacketType(mark.value(QLatin1String("type")).toInt()),
                                  mark.value(QLatin1String("inbound")).toBool(),
                                  quint32(mark.value(QLatin1String("wireSize")).toDouble())});
    }
    for (const QJsonValue &value : json.value(QLatin1String("inflightMessages")).toArray()) {
        const QJsonObject message = value.toObject();
        InflightInfo inflight;
        inflight.packetId = quint16(message.value(QLatin1String("packetId")).toInt());
        inflight.topic = message.value(QLatin1String("topic")).toString();
        inflight.qos = qosFrom(message.value(QLatin1String("qos")));
        const QString stage = message.value(QLatin1String("stage")).toString();
        for (const auto candidate : AllStages) {
            if (outboundStageName(candidate) == stage)
                inflight.stage = candidate;
        }
        inflight.ageMs = ms(message, QLatin1StringView("ageMs"));
        inflight.sendCount = quint32(message.value(QLatin1String("sendCount")).toDouble());
        inflight.payloadSize = qsizetype(message.value(QLatin1String("payloadSize")).toDouble());
        detail.inflight.append(inflight);
    }
    for (const QJsonValue &value : json.value(QLatin1String("queuedMessages")).toArray()) {
        const QJsonObject message = value.toObject();
        mqtt::Publish publish;
        publish.topic = message.value(QLatin1String("topic")).toString();
        publish.qos = qosFrom(message.value(QLatin1String("qos")));
        // The payload stays on the broker; the Queued table shows only its size, so the
        // buffer is never written or read (a large one stays virtual memory). MQTT's packet
        // limit bounds what a broker could claim.
        const double size = std::clamp(message.value(QLatin1String("payloadSize")).toDouble(), 0.0, 256.0 * 1024 * 1024);
        publish.payload = QByteArray(qsizetype(size), Qt::Uninitialized);
        detail.queued.append(publish);
    }
    for (const QJsonValue &value : json.value(QLatin1String("subscriptionFilters")).toArray()) {
        const QJsonObject subscription = value.toObject();
        mqtt::TopicSubscription topic;
        topic.filter = subscription.value(QLatin1String("filter")).toString();
        topic.options.maximumQoS = qosFrom(subscription.value(QLatin1String("qos")));
        detail.subscriptions.append(topic);
    }
    for (const QJsonValue &value : json.value(QLatin1String("packetTrace")).toArray())
        detail.packetTrace.append(value.toString());
    for (const QJsonValue &value : json.value(QLatin1String("closes")).toArray())
        detail.closes.append(closeFromJson(value.toObject()));
    return detail;
}

QJsonObject countersJson(const BrokerCounters &counters)
{
    QJsonObject json;
    for (const auto &[name, field] : counterFields()) {
        if (field)
            json.insert(QLatin1String(name), double(counters.*field));
    }
    json.insert(QStringLiteral("startedAtMs"), double(counters.startedAtMs));
    return json;
}

BrokerCounters countersFromJson(const QJsonObject &json)
{
    BrokerCounters counters;
    for (const auto &[name, field] : counterFields()) {
        if (field)
            counters.*field = quint64(json.value(QLatin1String(name)).toDouble());
    }
    counters.startedAtMs = qint64(json.value(QLatin1String("startedAtMs")).toDouble());
    return counters;
}

} // namespace hermes
