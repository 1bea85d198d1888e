#pragma once
/// A client's MQTT session: outlives its connections when it is persistent.

#include "security/accesscontrol.h"
#include "io/peeraddress.h"
#include "api/telemetry.h"

#include "mqtt/sessionmachine.h"
#include "mqtt/subscriptiontree.h"

#include <QHash>
#include <QString>
#include <QVarLengthArray>

#include <memory>
#include <optional>

namespace hermes {

class Connection;

/// Fixed-capacity history; the oldest entry falls out when full. Grows as entries come (an
/// idle session's few entries cost a few bytes, not a preallocated block per history), then
/// turns into a ring. The first `Inline` entries live inside the object: every session
/// records its CONNECT and CONNACK, and a heap block for two entries costs more than the
/// entries.
template<typename T, int Capacity, int Inline = 0>
class BoundedHistory
{
public:
    void push(T value)
    {
        if (m_items.size() < Capacity) {
            // Growing by doubling would end in a block of the next power of two (16 KiB for
            // 200 trace records of 48 bytes): the last step allocates exactly Capacity.
            if (m_items.size() == m_items.capacity() && m_items.capacity() * 2 > Capacity)
                m_items.reserve(Capacity);
            m_items.append(std::move(value));
            return;
        }
        m_items[m_oldest] = std::move(value);
        m_oldest = (m_oldest + 1) % Capacity;
    }
    /// Oldest first.
    QList<T> toList() const
    {
        QList<T> result;
        result.reserve(m_items.size());
        for (qsizetype i = 0; i < m_items.size(); ++i)
            result.append(m_items.at((m_oldest + i) % m_items.size()));
        return result;
    }
    qsizetype size() const { return m_items.size(); }
    /// The entry `back` places before the newest (0 = the newest); null past the oldest.
    const T *recent(qsizetype back) const
    {
        if (back >= m_items.size())
            return nullptr;
        const qsizetype newest = m_items.size() < Capacity ? m_items.size() - 1 : m_oldest - 1 + Capacity;
        return &m_items.at((newest - back) % Capacity);
    }
    T *recent(qsizetype back) { return const_cast<T *>(std::as_const(*this).recent(back)); }

private:
    int m_oldest = 0; ///< index of the oldest entry once full
    std::conditional_t<Inline == 0, QList<T>, QVarLengthArray<T, Inline>> m_items;
};

/// One packet of a session's trace, kept small: its text is made only when someone looks
/// (formatting every packet costs more than routing it).
struct TraceRecord {
    // Members ordered by size, so no padding between them: 200 records per session,
    // 10,000 sessions.
    qint64 atMs = 0;
    QString topic; ///< PUBLISH only; implicitly shared with the packet
    quint32 wireSize = 0;
    std::optional<quint16> packetId;
    std::optional<mqtt::ReasonCode> reasonCode;
    mqtt::PacketType type = mqtt::PacketType::Pingreq;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool inbound = true;
    bool retain = false;
    bool dup = false;

    static TraceRecord from(const mqtt::Packet &packet, bool inbound, qint64 atMs, qsizetype wireSize);
    static TraceRecord from(const HeartbeatMark &mark);
    /// "12:00:01.123 ← PUBLISH topic=a/b qos=1 pid=7 retain=0 dup=0 len=12"
    QString toString() const;
};
static_assert(sizeof(TraceRecord) <= 48, "a trace record is kept 200 times per session");

/// What a session's SessionInfo adds to the session's own fields, kept current as packets
/// flow. SessionInfo itself is made when someone asks (Session::info()): stored, it would repeat
/// the client id, user name, version, flags and last close in every session.
struct SessionActivity {
    PeerAddress address;         ///< of the current or last connection
    qint64 connectedSinceMs = 0; ///< online: since; offline: 0
    qint64 offlineSinceMs = 0;   ///< offline: since; online: 0
    qint64 lastInboundMs = 0;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 messagesDropped = 0;
    int inflight = 0;
    int inflightHighWater = 0;
    int queued = 0;
    int queuedHighWater = 0;
    int subscriptions = 0;
    quint16 keepAliveSeconds = 0;
};

/// Owned by the Broker. While online, the protocol state lives in the connection's
/// SessionMachine and `offlineState` is empty (not even allocated: its queue costs ~600 bytes
/// per connection); while offline it lives here.
class Session
{
public:
    /// Session Expiry Interval: the session never ends (v5 0xFFFFFFFF; 3.x clean session 0).
    static constexpr quint32 NeverExpires = 0xFFFFFFFF;

    Session(mqtt::SubscriberId id, QString clientId);

    const mqtt::SubscriberId id;
    const QString clientId;

    Connection *connection = nullptr;     ///< set while online
    QString userName;                     ///< of the current (or last) connection; empty: anonymous
    std::unique_ptr<mqtt::SessionState> offlineState; ///< set while offline
    Role role = Role::Device;             ///< of the current (or last) connection
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V3_1_1;
    bool cleanStart = true;
    bool dirty = true; ///< changed since the monitor last looked
    quint32 expirySeconds = 0;            ///< 0xFFFFFFFF = never (3.x clean session 0)
    std::optional<mqtt::Timestamp> expiresAt; ///< set while offline and expiry is finite

    /// A will waiting for its delay (v5 Will Delay Interval) after an abnormal close.
    struct PendingWill {
        mqtt::Will will;
        mqtt::Timestamp dueAt;
    };
    std::unique_ptr<PendingWill> pendingWill; ///< on the heap: a Will is ~470 bytes

    /// How many packets the trace shows.
    static constexpr int TraceLength = 200;

    // Telemetry, bounded. A keep-alive exchange (PINGREQ in, PINGRESP out) is kept only as
    // heartbeat marks, not also in packetTrace: a device online for hours sends little else,
    // and 200 trace records of pings cost ~10 KB per idle session. trace() puts them back.
    SessionActivity activity;
    BoundedHistory<HeartbeatMark, 256, 2> heartbeats;
    BoundedHistory<TraceRecord, TraceLength, 2> packetTrace; ///< every packet but keep-alives
    BoundedHistory<CloseInfo, 16> closes;

    /// Store rows of this session's in-flight messages by packet id (persistent sessions).
    QHash<quint16, quint64> inflightTags;

    bool isPersistent() const { return expirySeconds > 0; }
    /// Who the current (or last) connection was.
    ClientIdentity identity() const { return {clientId, userName, role}; }
    /// The telemetry row of this session now.
    SessionInfo info() const;
    /// The newest TraceLength packets, oldest first: packetTrace and the keep-alive exchanges
    /// among the heartbeat marks. None is missing: a mark is made only for a packet, so fewer
    /// than 200 marks follow a ping that is among the newest 200 packets, and that ping is
    /// still among the newest 256 marks.
    QList<TraceRecord> trace() const;
    /// Adds a packet to the trace. A topic seen in the trace already shares that string:
    /// a device gets the same few topics over and over, and 200 private copies per session
    /// would be most of a flooded console's memory.
    void tracePacket(TraceRecord record);
    /// The protocol state wherever it lives now.
    const mqtt::SessionState &state() const;
    /// Copies the in-flight and queue sizes (and their high-water marks) into `activity`.
    void refreshBacklog();
    /// Adds a packet that came in (at wall-clock `atMs`) to the heartbeat marks and the trace.
    void recordInbound(const mqtt::Packet &packet, qsizetype wireSize, qint64 atMs);
    /// Adds a packet that went out to the trace; PINGRESP, CONNACK and DISCONNECT are also
    /// heartbeat marks.
    void recordOutbound(const mqtt::Packet &packet, qsizetype wireSize, qint64 atMs);
};

} // namespace hermes
