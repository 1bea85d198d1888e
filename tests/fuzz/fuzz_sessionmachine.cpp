// libFuzzer target for SessionMachine (STYLE.md R15): the whole server side of a
// connection driven with no socket, no timer and no event loop.
//
// Input layout:
//   byte 0  connection setup: bits 0-1 canned CONNECT (0 none: the input must bring its
//           own, 1 v3.1.1, 2 v5, 3 v3.1), bit 2 clean start, bits 3-4 keep-alive
//           (0, 1, 2, 60 s), bit 5 v5 client Receive Maximum 2 and Maximum Packet Size
//           64, bit 6 reject instead of accept, bit 7 Request Problem Information 0
//   byte 1  server limits: small windows, queue, aliases, QoS/retain/wildcards off
//   then    operations, each an opcode byte and its arguments (see run()).
// Invariants checked after every call (abort on failure so libFuzzer keeps the input):
//   - a closed machine returns nothing; CloseConnection is last and appears once;
//   - every SendPacket is one whole frame that decodes to a packet of the same type (the
//     same packet in v5) and respects the client's Maximum Packet Size;
//   - in-flight ids are unique and non-zero, in-flight size <= the window, the queue
//     respects its limit, inbound QoS 2 state respects Receive Maximum (v5);
//   - delivered messages have a topic and no Topic Alias;
//   - every filter handed to the engine in (UN)SUBSCRIBE is a valid topic filter (a bad one
//     closes the connection instead);
//   - a DISCONNECT from the server is followed by CloseConnection with its reason code.
#include "mqtt/codec.h"
#include "mqtt/packets.h"
#include "mqtt/sessionmachine.h"
#include "mqtt/topic.h"

#include <QSet>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace hermes::mqtt;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_sessionmachine: invariant broken: %s\n", what);
    std::abort();
}

void require(bool condition, const char *what)
{
    if (!condition)
        fail(what);
}

/// Reads the operation stream; past the end every read gives 0.
struct Reader
{
    const uint8_t *data;
    size_t size;
    size_t pos = 0;

    bool atEnd() const { return pos >= size; }
    uint8_t byte() { return pos < size ? data[pos++] : 0; }
    quint16 word() { return quint16((byte() << 8) | byte()); }
    QByteArrayView take(size_t n)
    {
        n = std::min(n, size - std::min(pos, size));
        const QByteArrayView view(reinterpret_cast<const char *>(data + pos), qsizetype(n));
        pos += n;
        return view;
    }
};

struct Harness
{
    ServerLimits limits;
    QByteArray connectBytes; ///< canned CONNECT, reused for a resumed connection
    bool reject = false;
    bool sessionPresent = false;
    Timestamp now{0};

    std::optional<SessionMachine> machine;
    SessionState saved;  ///< from takeSession(), handed to the next connection
    bool closed = false; ///< the current machine emitted CloseConnection
    quint32 clientMaximumPacketSize = 0;
    qsizetype resumedInflight = 0; ///< in flight when accepted: may exceed a smaller window
    QList<quint16> deliveredIds;  ///< inbound QoS 1/2 waiting for acknowledgeInbound()
    QList<QPair<quint16, qsizetype>> pendingSubscribes;   ///< id, filters handed over
    QList<QPair<quint16, qsizetype>> pendingUnsubscribes; ///< id, filters handed over

    void newConnection()
    {
        machine.emplace(limits);
        closed = false;
        clientMaximumPacketSize = 0;
        resumedInflight = 0;
        deliveredIds.clear();
        pendingSubscribes.clear();
        pendingUnsubscribes.clear();
        apply(machine->start(now));
        if (!connectBytes.isEmpty())
            apply(machine->onBytes(connectBytes, now));
    }

    /// Checks one batch of actions and reacts like a (very simple) engine.
    void apply(const Actions &actions)
    {
        static const bool trace = qEnvironmentVariableIsSet("HERMES_FUZZ_TRACE");
        if (trace) {
            for (const Action &action : actions) {
                std::fprintf(stderr, "  action %zu", action.index());
                if (const auto *send = std::get_if<SendPacket>(&action))
                    std::fprintf(stderr, " send %s", qPrintable(describe(send->packet)));
                if (const auto *received = std::get_if<PacketReceived>(&action))
                    std::fprintf(stderr, " received %s", qPrintable(describe(received->packet)));
                if (const auto *close = std::get_if<CloseConnection>(&action))
                    std::fprintf(stderr, " close %d %s", int(close->reason), qPrintable(close->detail));
                std::fprintf(stderr, "\n");
            }
        }
        if (closed)
            require(actions.empty(), "actions after CloseConnection");
        std::optional<ReasonCode> disconnectSent;
        for (size_t i = 0; i < actions.size(); ++i) {
            const Action &action = actions[i];
            if (disconnectSent)
                require(std::holds_alternative<CloseConnection>(action)
                                || std::holds_alternative<SendPacket>(action),
                        "DISCONNECT sent but the connection goes on");
            if (const auto *close = std::get_if<CloseConnection>(&action)) {
                if (disconnectSent)
                    require(close->reasonCode == disconnectSent, "DISCONNECT and close disagree on the reason");
                require(i + 1 == actions.size(), "CloseConnection is not the last action");
                require(machine->stage() == ConnectionStage::Closed, "closed but stage is not Closed");
                closed = true;
            } else if (const auto *send = std::get_if<SendPacket>(&action)) {
                checkSent(*send);
                if (const auto *disconnect = std::get_if<Disconnect>(&send->packet))
                    disconnectSent = disconnect->reasonCode;
            } else if (const auto *received = std::get_if<PacketReceived>(&action)) {
                require(received->wireSize >= 2, "packet smaller than a fixed header");
                (void)describe(received->packet);
            } else if (const auto *deliver = std::get_if<DeliverMessage>(&action)) {
                const Publish &p = deliver->publish;
                require(!p.topic.isEmpty(), "delivered without topic");
                require(!p.properties.topicAlias, "delivered with a topic alias");
                require((p.qos == QoS::AtMostOnce) == !p.packetId, "packet id iff QoS > 0");
                if (p.packetId)
                    deliveredIds.append(*p.packetId);
            } else if (const auto *sub = std::get_if<SubscribeRequested>(&action)) {
                require(!sub->subscribe.subscriptions.isEmpty(), "empty SubscribeRequested");
                for (const TopicSubscription &subscription : sub->subscribe.subscriptions)
                    require(isValidTopicFilter(subscription.filter), "invalid filter handed to the engine");
                pendingSubscribes.append({sub->subscribe.packetId, sub->subscribe.subscriptions.size()});
            } else if (const auto *unsub = std::get_if<UnsubscribeRequested>(&action)) {
                require(!unsub->unsubscribe.filters.isEmpty(), "empty UnsubscribeRequested");
                for (const QString &filter : unsub->unsubscribe.filters)
                    require(isValidTopicFilter(filter), "invalid filter handed to the engine");
                pendingUnsubscribes.append({unsub->unsubscribe.packetId, unsub->unsubscribe.filters.size()});
            } else if (const auto *arm = std::get_if<ArmTimer>(&action)) {
                require(arm->after.count() >= 0, "negative timer");
            }
        }
        checkState();
        // A ConnectRequested is answered at once, after the batch's own invariants.
        for (const Action &action : actions) {
            if (const auto *request = std::get_if<ConnectRequested>(&action)) {
                if (request->connect.version == ProtocolVersion::V5)
                    clientMaximumPacketSize = request->connect.properties.maximumPacketSize.value_or(0);
                if (reject) {
                    apply(machine->rejectConnect(ReasonCode::NotAuthorized, now));
                } else {
                    ConnectAcceptance acceptance;
                    acceptance.sessionPresent = sessionPresent;
                    resumedInflight = saved.inflight.size();
                    apply(machine->acceptConnect(acceptance, std::exchange(saved, {}), now));
                }
                return;
            }
        }
    }

    void checkSent(const SendPacket &send)
    {
        const ProtocolVersion version = machine->version();
        require(!send.bytes.isEmpty(), "SendPacket without bytes");
        if (clientMaximumPacketSize > 0)
            require(quint64(send.bytes.size()) <= clientMaximumPacketSize, "above client Maximum Packet Size");
        const FrameResult frame = takeFrame(send.bytes, 0);
        const Frame *f = std::get_if<Frame>(&frame);
        require(f && f->totalSize == send.bytes.size(), "sent bytes are not one whole frame");
        const DecodeResult decoded = decodePacket(*f, version);
        const Packet *back = std::get_if<Packet>(&decoded);
        if (!back) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(describe(send.packet)),
                         qPrintable(std::get<DecodeError>(decoded).detail));
            fail("sent bytes do not decode");
        }
        require(packetType(*back) == packetType(send.packet), "sent bytes decode to another type");
        if (version == ProtocolVersion::V5 && !(*back == send.packet)) {
            std::fprintf(stderr, "%s\n%s\n", qPrintable(describe(send.packet)), qPrintable(describe(*back)));
            fail("sent bytes decode to another packet");
        }
        if (const auto *publish = std::get_if<Publish>(&send.packet)) {
            require((publish->qos == QoS::AtMostOnce) == !publish->packetId, "sent: packet id iff QoS > 0");
            require(!publish->dup || publish->qos != QoS::AtMostOnce, "sent: DUP on QoS 0");
            require(!publish->packetId || *publish->packetId != 0, "sent: packet id 0");
        }
    }

    void checkState()
    {
        const SessionState &session = machine->session();
        QSet<quint16> ids;
        for (const OutboundMessage &m : session.inflight) {
            require(m.packetId != 0, "in-flight id 0");
            require(!ids.contains(m.packetId), "in-flight id twice");
            ids.insert(m.packetId);
        }
        if (machine->stage() == ConnectionStage::Connected)
            require(session.inflight.size() <= std::max(machine->outboundWindow(), resumedInflight),
                    "in-flight above the window");
        require(qsizetype(session.queued.size()) <= limits.maxQueuedMessages + 1, "queue above its limit");
        if (machine->version() == ProtocolVersion::V5 && machine->stage() == ConnectionStage::Connected)
            require(session.inboundAwaitingRelease.size() <= limits.receiveMaximum,
                    "inbound QoS 2 above Receive Maximum");
        if (const auto deadline = machine->keepAliveDeadline())
            require(machine->keepAliveSeconds() > 0, "deadline without keep-alive");
    }

    QueuedMessage makeMessage(Reader &in)
    {
        const uint8_t flags = in.byte();
        QueuedMessage m;
        m.publish.topic = QStringLiteral("t/%1").arg(flags & 0x07);
        m.publish.qos = QoS((flags >> 3) % 3);
        m.publish.retain = flags & 0x20;
        m.publish.payload = QByteArray(in.byte() % 100, 'p');
        if (flags & 0x40)
            m.expiresAt = now + Duration(qint64(in.byte()) * 100);
        if (flags & 0x80)
            m.publish.properties.topicAlias = 3; // must never reach the client
        m.tag = in.pos;
        return m;
    }

    void run(Reader &in)
    {
        while (!in.atEnd()) {
            const bool wasClosed = closed;
            const uint8_t op = in.byte();
            Actions out;
            switch (op % 16) {
            case 0: case 1: case 2: case 3: case 4: case 5: {
                // Bytes from the client, in a chunk of 1..64 bytes.
                const size_t n = size_t(in.byte() % 64) + 1;
                out = machine->onBytes(in.take(n), now);
                break;
            }
            case 6:
                now += Duration(qint64(in.byte()) * 50);
                out = machine->onTimerFired(TimerKind::KeepAlive, now);
                break;
            case 7:
                now += Duration(qint64(in.byte()) * 100);
                out = machine->onTimerFired(TimerKind::ConnectTimeout, now);
                break;
            case 8: {
                // Acknowledge a delivered message (sometimes one never delivered).
                const uint8_t pick = in.byte();
                const ReasonCode code = (pick & 0x80) ? ReasonCode::NotAuthorized : ReasonCode::Success;
                if (!deliveredIds.isEmpty() && !(pick & 0x40))
                    out = machine->acknowledgeInbound(deliveredIds.takeAt(pick % deliveredIds.size()), code);
                else
                    out = machine->acknowledgeInbound(quint16(pick), code);
                break;
            }
            case 9:
            case 10:
                out = machine->publish(makeMessage(in), now);
                break;
            case 11: {
                const uint8_t pick = in.byte();
                if (!pendingSubscribes.isEmpty()) {
                    const auto [id, count] = pendingSubscribes.takeAt(pick % pendingSubscribes.size());
                    QList<ReasonCode> codes;
                    for (qsizetype i = 0; i < count - (pick & 1); ++i)
                        codes.append(i % 2 ? ReasonCode::GrantedQoS1 : ReasonCode::NotAuthorized);
                    Properties properties;
                    if (pick & 2)
                        properties.reasonString = QString(200, QLatin1Char('r'));
                    out = machine->completeSubscribe(id, codes, properties);
                } else if (!pendingUnsubscribes.isEmpty()) {
                    const auto [id, count] = pendingUnsubscribes.takeAt(pick % pendingUnsubscribes.size());
                    out = machine->completeUnsubscribe(id, QList<ReasonCode>(count, ReasonCode::Success));
                }
                break;
            }
            case 12: {
                const uint8_t how = in.byte();
                if (how < 8)
                    out = machine->disconnect(ReasonCode::SessionTakenOver, CloseReason::TakenOver, now);
                else if (how < 16)
                    out = machine->socketClosed(CloseReason::PeerClosed, now);
                break;
            }
            case 13: {
                // The connection ends and the client comes back: resume the session.
                if (in.byte() < 64) {
                    if (!closed)
                        apply(machine->socketClosed(CloseReason::SocketError, now));
                    saved = machine->takeSession();
                    newConnection();
                    continue;
                }
                break;
            }
            case 14: {
                Auth auth;
                auth.reasonCode = ReasonCode::ContinueAuthentication;
                auth.properties.authenticationMethod = QStringLiteral("X");
                out = machine->sendAuth(auth);
                break;
            }
            case 15:
                now += Duration(qint64(in.word()));
                break;
            }
            if (wasClosed)
                require(out.empty(), "closed machine answered");
            apply(out);
        }
    }
};

QByteArray cannedConnect(uint8_t setup)
{
    static constexpr ProtocolVersion versions[] = {ProtocolVersion::V3_1_1, ProtocolVersion::V5,
                                                   ProtocolVersion::V3_1};
    static constexpr quint16 keepAlives[] = {0, 1, 2, 60};
    if ((setup & 0x03) == 0)
        return {};
    Connect connect;
    connect.version = versions[(setup & 0x03) - 1];
    connect.clientId = QStringLiteral("fuzz");
    connect.cleanStart = setup & 0x04;
    connect.keepAliveSeconds = keepAlives[(setup >> 3) & 0x03];
    connect.will = Will{QStringLiteral("will"), "bye", QoS::AtLeastOnce, false, {}};
    if (connect.version == ProtocolVersion::V5) {
        connect.properties.sessionExpiryInterval = (setup & 0x04) ? 0 : 300;
        if (setup & 0x20) {
            connect.properties.receiveMaximum = 2;
            connect.properties.maximumPacketSize = 64;
        }
        if (setup & 0x80)
            connect.properties.requestProblemInformation = 0;
    }
    return encode(connect, connect.version);
}

ServerLimits limitsFrom(uint8_t bits)
{
    ServerLimits limits;
    limits.maximumPacketSize = (bits & 0x01) ? 128 : 4096;
    limits.receiveMaximum = (bits & 0x02) ? 2 : 20;
    limits.maxInflightOutbound = (bits & 0x04) ? 1 : 3;
    limits.maxQueuedMessages = (bits & 0x08) ? 2 : 50;
    limits.topicAliasMaximum = (bits & 0x10) ? 0 : 4;
    limits.maximumQoS = (bits & 0x20) ? QoS::AtLeastOnce : QoS::ExactlyOnce;
    limits.retainAvailable = !(bits & 0x40);
    limits.wildcardSubscriptionAvailable = !(bits & 0x80);
    limits.sharedSubscriptionAvailable = !(bits & 0x80);
    limits.subscriptionIdentifierAvailable = !(bits & 0x40);
    if (bits & 0x80)
        limits.serverKeepAlive = 5;
    limits.connectTimeout = Duration(2000);
    return limits;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    Harness harness;
    harness.limits = limitsFrom(data[1]);
    harness.connectBytes = cannedConnect(data[0]);
    harness.reject = data[0] & 0x40;
    harness.sessionPresent = !(data[0] & 0x04);
    harness.newConnection();
    Reader in{data + 2, size - 2};
    harness.run(in);
    return 0;
}
