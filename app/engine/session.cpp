#include "session.h"

#include "io/connection.h"

#include <QDateTime>

#include <algorithm>
#include <iterator>

namespace hermes {

using namespace mqtt;

Session::Session(SubscriberId id, QString clientId)
    : id(id)
    , clientId(std::move(clientId))
    , offlineState(std::make_unique<SessionState>())
{
}

SessionInfo Session::info() const
{
    SessionInfo info;
    info.clientId = clientId;
    info.online = connection != nullptr;
    info.address = activity.address.toString();
    info.userName = userName;
    info.version = version;
    info.keepAliveSeconds = activity.keepAliveSeconds;
    info.cleanStart = cleanStart;
    info.sessionExpirySeconds = expirySeconds;
    info.connectedSinceMs = activity.connectedSinceMs;
    info.offlineSinceMs = activity.offlineSinceMs;
    info.lastInboundMs = activity.lastInboundMs;
    info.inflight = activity.inflight;
    info.inflightHighWater = activity.inflightHighWater;
    info.queued = activity.queued;
    info.queuedHighWater = activity.queuedHighWater;
    info.subscriptions = activity.subscriptions;
    info.messagesIn = activity.messagesIn;
    info.messagesOut = activity.messagesOut;
    info.messagesDropped = activity.messagesDropped;
    if (const CloseInfo *last = closes.recent(0))
        info.lastClose = *last;
    return info;
}

const SessionState &Session::state() const
{
    Q_ASSERT(connection || offlineState);
    return connection ? connection->machine().session() : *offlineState;
}

void Session::tracePacket(TraceRecord record)
{
    if (!record.topic.isEmpty()) {
        // The newest few entries are enough to find a repeated topic, and cheap to scan.
        for (qsizetype back = 0; back < 8; ++back) {
            const TraceRecord *earlier = packetTrace.recent(back);
            if (!earlier)
                break;
            if (earlier->topic == record.topic) {
                record.topic = earlier->topic;
                break;
            }
        }
    }
    packetTrace.push(std::move(record));
}

TraceRecord TraceRecord::from(const Packet &packet, bool inbound, qint64 atMs, qsizetype wireSize)
{
    TraceRecord record;
    record.atMs = atMs;
    record.inbound = inbound;
    record.type = packetType(packet);
    record.wireSize = quint32(wireSize);
    std::visit(
        [&record](const auto &p) {
            using T = std::decay_t<decltype(p)>;
            if constexpr (std::is_same_v<T, Publish>) {
                record.topic = p.topic;
                record.qos = p.qos;
                record.retain = p.retain;
                record.dup = p.dup;
                record.packetId = p.packetId;
            } else if constexpr (std::is_same_v<T, Puback> || std::is_same_v<T, Pubrec> || std::is_same_v<T, Pubrel>
                                 || std::is_same_v<T, Pubcomp>) {
                record.packetId = p.packetId;
                record.reasonCode = p.reasonCode;
            } else if constexpr (std::is_same_v<T, Subscribe> || std::is_same_v<T, Unsubscribe>
                                 || std::is_same_v<T, Suback> || std::is_same_v<T, Unsuback>) {
                record.packetId = p.packetId;
            } else if constexpr (std::is_same_v<T, Connack> || std::is_same_v<T, Disconnect> || std::is_same_v<T, Auth>) {
                record.reasonCode = p.reasonCode;
            }
        },
        packet);
    return record;
}

TraceRecord TraceRecord::from(const HeartbeatMark &mark)
{
    TraceRecord record;
    record.atMs = mark.atMs;
    record.inbound = mark.inbound;
    record.type = mark.type;
    record.wireSize = mark.wireSize;
    return record;
}

QString TraceRecord::toString() const
{
    QString line = QDateTime::fromMSecsSinceEpoch(atMs).toString(QStringLiteral("hh:mm:ss.zzz"))
        + (inbound ? QStringLiteral(" ← ") : QStringLiteral(" → ")) + packetTypeName(type);
    if (type == PacketType::Publish)
        line += QStringLiteral(" topic=%1 qos=%2").arg(topic).arg(int(qos));
    if (packetId)
        line += QStringLiteral(" pid=%1").arg(*packetId);
    if (type == PacketType::Publish)
        line += QStringLiteral(" retain=%1 dup=%2").arg(int(retain)).arg(int(dup));
    if (reasonCode && *reasonCode != ReasonCode::Success)
        line += QStringLiteral(" reason=0x%1 (%2)")
                    .arg(quint8(*reasonCode), 2, 16, QLatin1Char('0'))
                    .arg(reasonCodeName(*reasonCode, type));
    line += QStringLiteral(" bytes=%1").arg(wireSize);
    return line;
}

void Session::refreshBacklog()
{
    const SessionState &current = state();
    activity.inflight = int(current.inflight.size());
    activity.queued = int(current.queued.size());
    activity.inflightHighWater = std::max(activity.inflightHighWater, activity.inflight);
    activity.queuedHighWater = std::max(activity.queuedHighWater, activity.queued);
    dirty = true;
}

namespace {

/// A packet of a keep-alive exchange: recorded as a heartbeat mark only.
bool isKeepAlive(PacketType type, bool inbound)
{
    return inbound ? type == PacketType::Pingreq : type == PacketType::Pingresp;
}

} // namespace

QList<TraceRecord> Session::trace() const
{
    const QList<TraceRecord> recorded = packetTrace.toList();
    QList<TraceRecord> keepAlives;
    for (const HeartbeatMark &mark : heartbeats.toList()) {
        if (isKeepAlive(mark.type, mark.inbound))
            keepAlives.append(TraceRecord::from(mark));
    }
    QList<TraceRecord> merged;
    merged.reserve(recorded.size() + keepAlives.size());
    // Stable: a packet and a ping in the same millisecond keep the trace's order first.
    std::merge(recorded.cbegin(), recorded.cend(), keepAlives.cbegin(), keepAlives.cend(), std::back_inserter(merged),
               [](const TraceRecord &a, const TraceRecord &b) { return a.atMs < b.atMs; });
    if (merged.size() > TraceLength)
        merged.remove(0, merged.size() - TraceLength);
    return merged;
}

void Session::recordInbound(const Packet &packet, qsizetype wireSize, qint64 atMs)
{
    const PacketType type = packetType(packet);
    activity.lastInboundMs = atMs;
    heartbeats.push({atMs, type, true, quint32(wireSize)});
    if (!isKeepAlive(type, true))
        tracePacket(TraceRecord::from(packet, true, atMs, wireSize));
    dirty = true;
}

void Session::recordOutbound(const Packet &packet, qsizetype wireSize, qint64 atMs)
{
    const PacketType type = packetType(packet);
    if (type == PacketType::Pingresp || type == PacketType::Connack || type == PacketType::Disconnect)
        heartbeats.push({atMs, type, false, quint32(wireSize)});
    if (!isKeepAlive(type, false))
        tracePacket(TraceRecord::from(packet, false, atMs, wireSize));
    dirty = true;
}

} // namespace hermes
