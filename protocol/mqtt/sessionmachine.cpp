#include "sessionmachine.h"

#include <algorithm>
#include <type_traits>

namespace hermes::mqtt {

namespace {

/// Largest packet the protocol can express: 4-byte remaining length plus fixed header.
constexpr quint32 kProtocolMaximumPacketSize = 268'435'455u + 5u;

constexpr Duration keepAlivePeriod(quint16 seconds)
{
    // 1.5 × T in milliseconds [MQTT-3.1.2-24] (v3.1.1: [MQTT-3.1.2-24] too).
    return Duration(qint64(seconds) * 1500);
}

/// The protocol level of a CONNECT at the start of `buffer` (fixed header included), read
/// without the codec so that a refused CONNECT can still be answered in its own version.
std::optional<quint8> peekConnectLevel(QByteArrayView buffer)
{
    if (buffer.size() < 2 || (quint8(buffer[0]) >> 4) != quint8(PacketType::Connect))
        return std::nullopt;
    qsizetype pos = 1;
    for (int i = 0; i < 4; ++i, ++pos) {
        if (pos >= buffer.size())
            return std::nullopt;
        if (!(quint8(buffer[pos]) & 0x80))
            break;
    }
    ++pos; // past the last remaining-length byte
    if (pos + 2 > buffer.size())
        return std::nullopt;
    const qsizetype nameLength = (quint8(buffer[pos]) << 8) | quint8(buffer[pos + 1]);
    pos += 2 + nameLength;
    if (pos >= buffer.size())
        return std::nullopt;
    return quint8(buffer[pos]);
}

/// CONNACK return codes of 3.x are six; map any reason onto the closest [MQTT-3.2.2-4].
ReasonCode connackCodeFor3x(ReasonCode reason)
{
    switch (reason) {
    case ReasonCode::Success:
    case ReasonCode::UnsupportedProtocolVersion:
    case ReasonCode::ClientIdentifierNotValid:
    case ReasonCode::ServerUnavailable:
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::NotAuthorized:
        return reason;
    case ReasonCode::Banned:
    case ReasonCode::BadAuthenticationMethod:
        return ReasonCode::NotAuthorized;
    default:
        return ReasonCode::ServerUnavailable;
    }
}

/// Reason codes a v5 CONNACK may carry (3.2.2.2).
bool isConnackCode(ReasonCode code)
{
    switch (code) {
    case ReasonCode::UnspecifiedError:
    case ReasonCode::MalformedPacket:
    case ReasonCode::ProtocolError:
    case ReasonCode::ImplementationSpecificError:
    case ReasonCode::UnsupportedProtocolVersion:
    case ReasonCode::ClientIdentifierNotValid:
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::NotAuthorized:
    case ReasonCode::ServerUnavailable:
    case ReasonCode::ServerBusy:
    case ReasonCode::Banned:
    case ReasonCode::BadAuthenticationMethod:
    case ReasonCode::TopicNameInvalid:
    case ReasonCode::PacketTooLarge:
    case ReasonCode::QuotaExceeded:
    case ReasonCode::PayloadFormatInvalid:
    case ReasonCode::RetainNotSupported:
    case ReasonCode::QoSNotSupported:
    case ReasonCode::UseAnotherServer:
    case ReasonCode::ServerMoved:
    case ReasonCode::ConnectionRateExceeded:
        return true;
    default:
        return false;
    }
}

/// Copies every property set in `extra` over `base`; user properties are appended.
void mergeProperties(Properties &base, const Properties &extra)
{
    auto take = [](auto &to, const auto &from) {
        if (from)
            to = from;
    };
    take(base.payloadFormatIndicator, extra.payloadFormatIndicator);
    take(base.messageExpiryInterval, extra.messageExpiryInterval);
    take(base.contentType, extra.contentType);
    take(base.responseTopic, extra.responseTopic);
    take(base.correlationData, extra.correlationData);
    base.subscriptionIdentifiers += extra.subscriptionIdentifiers;
    take(base.sessionExpiryInterval, extra.sessionExpiryInterval);
    take(base.assignedClientIdentifier, extra.assignedClientIdentifier);
    take(base.serverKeepAlive, extra.serverKeepAlive);
    take(base.authenticationMethod, extra.authenticationMethod);
    take(base.authenticationData, extra.authenticationData);
    take(base.requestProblemInformation, extra.requestProblemInformation);
    take(base.willDelayInterval, extra.willDelayInterval);
    take(base.requestResponseInformation, extra.requestResponseInformation);
    take(base.responseInformation, extra.responseInformation);
    take(base.serverReference, extra.serverReference);
    take(base.reasonString, extra.reasonString);
    take(base.receiveMaximum, extra.receiveMaximum);
    take(base.topicAliasMaximum, extra.topicAliasMaximum);
    take(base.topicAlias, extra.topicAlias);
    take(base.maximumQoS, extra.maximumQoS);
    take(base.retainAvailable, extra.retainAvailable);
    base.userProperties += extra.userProperties;
    take(base.maximumPacketSize, extra.maximumPacketSize);
    take(base.wildcardSubscriptionAvailable, extra.wildcardSubscriptionAvailable);
    take(base.subscriptionIdentifierAvailable, extra.subscriptionIdentifierAvailable);
    take(base.sharedSubscriptionAvailable, extra.sharedSubscriptionAvailable);
}

/// Removes the Reason String and User Properties of a packet; returns true if it had any.
bool stripProblemInformation(Packet &packet)
{
    return std::visit(
            [](auto &p) {
                if constexpr (requires { p.properties; }) {
                    const bool had = p.properties.reasonString || !p.properties.userProperties.isEmpty();
                    p.properties.reasonString.reset();
                    p.properties.userProperties.clear();
                    return had;
                } else {
                    return false;
                }
            },
            packet);
}

/// Merges the machine's own answers with the engine's, in filter order.
QList<ReasonCode> mergeCodes(const QList<std::optional<ReasonCode>> &preset,
                             const QList<ReasonCode> &fromEngine)
{
    QList<ReasonCode> merged;
    merged.reserve(preset.size());
    qsizetype next = 0;
    for (const auto &code : preset) {
        if (code)
            merged.append(*code);
        else if (next < fromEngine.size())
            merged.append(fromEngine[next++]);
        else
            merged.append(ReasonCode::UnspecifiedError); // engine answered too few
    }
    return merged;
}

} // namespace

SessionMachine::SessionMachine(ServerLimits limits)
    : m_limits(std::make_shared<const ServerLimits>(std::move(limits)))
{
}

SessionMachine::SessionMachine(std::shared_ptr<const ServerLimits> limits)
    : m_limits(std::move(limits))
{
    Q_ASSERT(m_limits);
}

// ---- Public calls -----------------------------------------------------------------

Actions SessionMachine::start(Timestamp now)
{
    if (m_stage != ConnectionStage::AwaitingConnect)
        return {};
    m_lastInboundAt = now;
    return {ArmTimer{TimerKind::ConnectTimeout, m_limits->connectTimeout}};
}

Actions SessionMachine::onBytes(QByteArrayView bytes, Timestamp now)
{
    if (m_stage == ConnectionStage::Closed || bytes.isEmpty())
        return {};
    // Any received byte counts as traffic for the keep-alive, as mosquitto does: a large
    // PUBLISH trickling in over a slow mobile link must not time out half-way, and a
    // client dribbling bytes costs no more than one sending PINGREQ (the buffer is bounded
    // by maximumPacketSize).
    m_lastInboundAt = now;
    Actions out;
    if (m_buffer.isEmpty()) {
        // Common case: whole packets in one read, parsed straight from the caller's bytes.
        const qsizetype used = processFrames(out, bytes, now);
        if (m_stage != ConnectionStage::Closed && used < bytes.size())
            m_buffer = bytes.sliced(used).toByteArray();
    } else {
        m_buffer.append(bytes);
        m_buffer.remove(0, processFrames(out, m_buffer, now));
    }
    if (m_stage == ConnectionStage::AwaitingDecision && quint64(m_buffer.size()) > heldBytesLimit()) {
        // Held bytes are bounded like one packet: a client may pipeline after CONNECT
        // (3.1.4) but not without limit while the engine decides. No DISCONNECT before
        // CONNACK [MQTT-3.14.0-1], so the CONNECT is refused.
        sendControl(out, Connack{false,
                                 m_version == ProtocolVersion::V5 ? ReasonCode::QuotaExceeded
                                                                  : ReasonCode::ServerUnavailable,
                                 {}});
        closeWith(out, CloseConnection{CloseReason::ProtocolError, ReasonCode::QuotaExceeded, false,
                                       std::nullopt,
                                       QStringLiteral("%1 bytes sent before CONNACK").arg(m_buffer.size())});
    }
    if (m_stage == ConnectionStage::Closed)
        m_buffer.clear();
    return out;
}

Actions SessionMachine::onTimerFired(TimerKind kind, Timestamp now)
{
    Actions out;
    switch (kind) {
    case TimerKind::ConnectTimeout:
        // Still armed while the engine decides, so a stuck authentication (or an endless
        // AUTH exchange) cannot hold the socket forever.
        if (m_stage == ConnectionStage::AwaitingConnect
            || m_stage == ConnectionStage::AwaitingDecision) {
            closeWith(out, CloseConnection{CloseReason::ConnectTimeout, std::nullopt, false,
                                           std::nullopt,
                                           QStringLiteral("no CONNECT within %1 ms")
                                                   .arg(m_limits->connectTimeout.count())});
        }
        break;
    case TimerKind::KeepAlive: {
        if (m_stage != ConnectionStage::Connected)
            break;
        const std::optional<Timestamp> deadline = keepAliveDeadline();
        if (!deadline)
            break;
        if (now >= *deadline) {
            // [MQTT-3.1.2-22] silent for 1.5 T: close as if the network failed, so the
            // Will is published [MQTT-3.1.2-8]. v5 says why first (0x8D, 4.13).
            if (m_version == ProtocolVersion::V5)
                sendControl(out, Disconnect{ReasonCode::KeepAliveTimeout, {}});
            closeWith(out, CloseConnection{CloseReason::KeepAliveTimeout,
                                           ReasonCode::KeepAliveTimeout, true, std::nullopt,
                                           QStringLiteral("no packet for %1 ms (keep-alive %2 s)")
                                                   .arg((now - m_lastInboundAt).count())
                                                   .arg(m_keepAliveSeconds)});
        } else {
            // Traffic arrived since the timer was armed: the machine never re-arms per
            // packet (too costly at high rates), only here, for what is left.
            out.push_back(ArmTimer{TimerKind::KeepAlive, *deadline - now});
        }
        break;
    }
    }
    return out;
}

Actions SessionMachine::acceptConnect(const ConnectAcceptance &acceptance, SessionState session,
                                      Timestamp now)
{
    if (m_stage != ConnectionStage::AwaitingDecision)
        return {};
    Actions out;
    m_stage = ConnectionStage::Connected;
    m_acceptedAt = now;

    // Messages published to this connection before it was accepted wait behind the
    // session's own queue.
    QList<QueuedMessage> early = std::move(m_session.queued);
    m_session = std::move(session);
    if (m_session.nextPacketId == 0)
        m_session.nextPacketId = 1;
    m_outboundIds.clear();
    for (const OutboundMessage &message : std::as_const(m_session.inflight))
        m_outboundIds.insert(message.packetId);
    m_unsentInflight.clear();

    const bool v5 = m_version == ProtocolVersion::V5;
    Connack connack;
    // Session Present is 0 with a clean start [MQTT-3.2.2-1]/[MQTT-3.2.2-2]; MQTT 3.1 has
    // no such flag (the byte is reserved).
    connack.sessionPresent = acceptance.sessionPresent && !m_cleanStart
            && m_version != ProtocolVersion::V3_1;
    connack.reasonCode = ReasonCode::Success;
    if (v5) {
        Properties &p = connack.properties;
        // Only what differs from the protocol default is announced (3.2.2.3).
        if (m_limits->receiveMaximum > 0 && m_limits->receiveMaximum < 65535)
            p.receiveMaximum = m_limits->receiveMaximum;
        if (m_limits->maximumPacketSize > 0 && m_limits->maximumPacketSize < kProtocolMaximumPacketSize)
            p.maximumPacketSize = m_limits->maximumPacketSize;
        if (m_limits->topicAliasMaximum > 0)
            p.topicAliasMaximum = m_limits->topicAliasMaximum;
        if (m_limits->maximumQoS != QoS::ExactlyOnce)
            p.maximumQoS = quint8(m_limits->maximumQoS);
        if (!m_limits->retainAvailable)
            p.retainAvailable = 0;
        if (!m_limits->wildcardSubscriptionAvailable)
            p.wildcardSubscriptionAvailable = 0;
        if (!m_limits->subscriptionIdentifierAvailable)
            p.subscriptionIdentifierAvailable = 0;
        if (!m_limits->sharedSubscriptionAvailable)
            p.sharedSubscriptionAvailable = 0;
        if (m_limits->serverKeepAlive)
            p.serverKeepAlive = *m_limits->serverKeepAlive; // [MQTT-3.2.2-21]
        if (acceptance.assignedClientIdentifier)
            p.assignedClientIdentifier = *acceptance.assignedClientIdentifier;
        if (acceptance.sessionExpiryInterval
            && *acceptance.sessionExpiryInterval != m_connectSessionExpiry)
            p.sessionExpiryInterval = *acceptance.sessionExpiryInterval;
        mergeProperties(p, acceptance.extraProperties);
        // The engine may tell this one client a Server Keep Alive of its own; the server
        // then holds it to that value [MQTT-3.2.2-21].
        if (acceptance.extraProperties.serverKeepAlive)
            m_keepAliveSeconds = *acceptance.extraProperties.serverKeepAlive;
    }
    sendControl(out, std::move(connack));

    if (m_keepAliveSeconds > 0)
        out.push_back(ArmTimer{TimerKind::KeepAlive, std::max(Duration(0), *keepAliveDeadline() - now)});
    out.push_back(CancelTimer{TimerKind::ConnectTimeout});

    resendInflight(out, now);
    for (QueuedMessage &message : early) {
        if (qsizetype(m_session.queued.size()) >= m_limits->maxQueuedMessages)
            out.push_back(MessageDropped{std::move(message), DropReason::QueueFull});
        else
            m_session.queued.push_back(std::move(message));
    }
    drain(out, now);

    // Packets the client sent right after CONNECT (3.1.4 allows it) were held unprocessed
    // until now: a refused CONNECT must not process them [MQTT-3.1.4-5].
    if (!m_buffer.isEmpty()) {
        const qsizetype used = processFrames(out, m_buffer, now);
        if (m_stage == ConnectionStage::Closed)
            m_buffer.clear();
        else
            m_buffer.remove(0, used);
    }
    return out;
}

Actions SessionMachine::rejectConnect(ReasonCode reason, Timestamp now)
{
    Q_UNUSED(now);
    if (m_stage != ConnectionStage::AwaitingDecision)
        return {};
    Actions out;
    if (m_version == ProtocolVersion::V5 && !isError(reason))
        reason = ReasonCode::UnspecifiedError; // a refusal needs a failure code
    const ReasonCode sent = m_version == ProtocolVersion::V5 ? reason : connackCodeFor3x(reason);
    // Session Present is 0 on a refusal [MQTT-3.2.2-6] (v5) / [MQTT-3.2.2-4] (3.1.1).
    sendControl(out, Connack{false, sent, {}});
    closeWith(out, CloseConnection{CloseReason::ConnectRejected, reason, false, std::nullopt,
                                   reasonCodeName(reason, PacketType::Connack)});
    return out;
}

Actions SessionMachine::completeSubscribe(quint16 packetId, const QList<ReasonCode> &reasonCodes,
                                          const Properties &properties)
{
    if (m_stage != ConnectionStage::Connected)
        return {};
    Actions out;
    QList<ReasonCode> codes = reasonCodes;
    if (auto it = m_pendingSubscribes.find(packetId); it != m_pendingSubscribes.end()) {
        codes = mergeCodes(*it, reasonCodes);
        m_pendingSubscribes.erase(it);
    }
    if (m_version != ProtocolVersion::V5) {
        // 3.x SUBACK knows 0x00-0x02 and 0x80 only [MQTT-3.9.3-2].
        for (ReasonCode &code : codes) {
            if (isError(code) || quint8(code) > 2)
                code = ReasonCode::UnspecifiedError;
        }
    }
    sendControl(out, Suback{packetId, codes, properties});
    return out;
}

Actions SessionMachine::completeUnsubscribe(quint16 packetId, const QList<ReasonCode> &reasonCodes,
                                            const Properties &properties)
{
    if (m_stage != ConnectionStage::Connected)
        return {};
    Actions out;
    QList<ReasonCode> codes = reasonCodes;
    if (m_version != ProtocolVersion::V5)
        codes.clear(); // 3.x UNSUBACK has no payload
    sendControl(out, Unsuback{packetId, codes, properties});
    return out;
}

Actions SessionMachine::acknowledgeInbound(quint16 packetId, ReasonCode reasonCode)
{
    if (m_stage != ConnectionStage::Connected)
        return {};
    const auto it = m_inboundUnacked.constFind(packetId);
    if (it == m_inboundUnacked.cend())
        return {}; // already acknowledged, or never delivered
    const QoS qos = it.value();
    m_inboundUnacked.erase(it);
    Actions out;
    if (m_version != ProtocolVersion::V5)
        reasonCode = ReasonCode::Success; // 3.x acks carry no code
    if (qos == QoS::AtLeastOnce) {
        --m_inboundQos1Unacked;
        sendControl(out, Puback{packetId, reasonCode, {}});
    } else {
        // A failing PUBREC ends the QoS 2 exchange: no PUBREL follows (4.3.3), so the id
        // is free again and no longer counts against Receive Maximum.
        if (isError(reasonCode))
            m_session.inboundAwaitingRelease.remove(packetId);
        sendControl(out, Pubrec{packetId, reasonCode, {}});
    }
    return out;
}

Actions SessionMachine::publish(QueuedMessage message, Timestamp now)
{
    if (m_stage == ConnectionStage::Closed)
        return {};
    Actions out;
    if (message.expiresAt && *message.expiresAt <= now) {
        // [MQTT-3.3.2-5] expired before onward delivery started: never sent.
        out.push_back(MessageDropped{std::move(message), DropReason::Expired});
        return out;
    }
    if (m_stage != ConnectionStage::Connected) {
        enqueue(out, std::move(message));
        return out;
    }
    if (message.publish.qos == QoS::AtMostOnce) {
        sendPublish(out, message, std::nullopt, false, now);
        return out;
    }
    // Keep order behind what already waits; otherwise take a window slot if one is free.
    if (!m_session.queued.empty() || m_session.inflight.size() >= outboundWindow()) {
        enqueue(out, std::move(message));
        return out;
    }
    startFlight(out, std::move(message), now);
    return out;
}

Actions SessionMachine::disconnect(ReasonCode reason, CloseReason why, Timestamp now)
{
    Q_UNUSED(now);
    Actions out;
    switch (m_stage) {
    case ConnectionStage::Closed:
        return {};
    case ConnectionStage::AwaitingConnect:
        break;
    case ConnectionStage::AwaitingDecision:
        // No DISCONNECT before a successful CONNACK [MQTT-3.14.0-1]: refuse the CONNECT
        // instead, with the closest CONNACK code.
        if (m_version == ProtocolVersion::V5)
            sendControl(out, Connack{false, isConnackCode(reason) ? reason : ReasonCode::ServerUnavailable, {}});
        else
            sendControl(out, Connack{false, ReasonCode::ServerUnavailable, {}});
        break;
    case ConnectionStage::Connected:
        if (m_version == ProtocolVersion::V5)
            sendControl(out, Disconnect{reason, {}});
        break;
    }
    // The Will is published whenever the connection ends without the client's own normal
    // DISCONNECT [MQTT-3.1.2-8], including take-over [MQTT-3.1.4-3] (the engine applies
    // the Will Delay Interval, and a resumed session before it elapses cancels the Will
    // [MQTT-3.1.3-9]), kicks and shutdown. A connection never accepted has no Will yet.
    const bool will = m_stage == ConnectionStage::Connected;
    closeWith(out, CloseConnection{why, reason, will, std::nullopt,
                                   reasonCodeName(reason, PacketType::Disconnect)});
    return out;
}

Actions SessionMachine::socketClosed(CloseReason why, Timestamp now)
{
    Q_UNUSED(now);
    if (m_stage == ConnectionStage::Closed)
        return {};
    Actions out;
    const bool will = m_stage == ConnectionStage::Connected && !m_receivedDisconnect;
    closeWith(out, CloseConnection{why, std::nullopt, will, std::nullopt, {}});
    return out;
}

Actions SessionMachine::sendAuth(const Auth &auth)
{
    if (m_version != ProtocolVersion::V5
        || (m_stage != ConnectionStage::AwaitingDecision && m_stage != ConnectionStage::Connected))
        return {};
    Actions out;
    sendControl(out, auth);
    return out;
}

std::optional<Timestamp> SessionMachine::keepAliveDeadline() const
{
    if (m_keepAliveSeconds == 0 || m_stage == ConnectionStage::AwaitingConnect)
        return std::nullopt;
    return std::max(m_lastInboundAt, m_acceptedAt) + keepAlivePeriod(m_keepAliveSeconds);
}

SessionState SessionMachine::takeSession()
{
    SessionState session = std::move(m_session);
    m_session = SessionState{};
    m_outboundIds.clear();
    m_unsentInflight.clear();
    return session;
}

// ---- Inbound ----------------------------------------------------------------------

/// Parses and handles every whole frame at the start of `bytes`; returns the bytes used.
/// Cost: O(bytes); nothing is copied for frames that arrive whole.
qsizetype SessionMachine::processFrames(Actions &out, QByteArrayView bytes, Timestamp now)
{
    // An Action is about 1 KiB (it holds whole packets) and a read of small PUBLISH
    // packets yields two per packet: growing the vector by doubling cost more than
    // everything else together. Counting the frames first (fixed headers only) and
    // reserving once made inbound QoS 0 six times faster (244k → 1.46M packets/s at 100
    // packets per read). Not while frames are held for the engine's decision.
    qsizetype frames = 0;
    for (QByteArrayView rest = bytes; m_stage != ConnectionStage::AwaitingDecision
         && !rest.isEmpty() && frames < 1024; ++frames) {
        const FrameResult result = takeFrame(rest, m_limits->maximumPacketSize);
        const Frame *frame = std::get_if<Frame>(&result);
        if (!frame)
            break;
        rest = rest.sliced(frame->totalSize);
    }
    out.reserve(out.size() + size_t(2 * frames + 2));

    qsizetype used = 0;
    while (m_stage != ConnectionStage::Closed && used < bytes.size()) {
        const QByteArrayView rest = bytes.sliced(used);
        FrameResult result = takeFrame(rest, m_limits->maximumPacketSize);
        if (std::holds_alternative<NeedMore>(result))
            break;
        if (auto *error = std::get_if<DecodeError>(&result)) {
            handleFrameError(out, *error, rest);
            break;
        }
        const Frame &frame = std::get<Frame>(result);
        if (m_stage == ConnectionStage::AwaitingDecision) {
            // Until the engine accepts, only AUTH may be processed [MQTT-3.1.4-5]; the
            // rest waits in the buffer (3.x has no AUTH, so everything waits).
            if (m_version != ProtocolVersion::V5 || frame.type() != PacketType::Auth)
                break;
        }
        // A topic filter that breaks the wildcard rules (4.7.1) is fatal like any other
        // decode error: a Protocol Error closes the connection (5.0 [MQTT-4.13.1-1], after
        // DISCONNECT 0x82; 3.1.1 [MQTT-4.8.0-1]). SUBACK 0x8F is only for filters that are
        // well formed but refused (handleSubscribe(), the engine).
        DecodeResult decoded = decodePacket(frame, m_version);
        used += frame.totalSize;
        if (auto *error = std::get_if<DecodeError>(&decoded)) {
            handleFrameError(out, *error, rest);
            break;
        }
        Packet &packet = std::get<Packet>(decoded);
        out.push_back(PacketReceived{packet, frame.totalSize});
        handlePacket(out, std::move(packet), now);
    }
    return used;
}

void SessionMachine::handlePacket(Actions &out, Packet &&packet, Timestamp now)
{
    const PacketType type = packetType(packet);
    if (m_stage == ConnectionStage::AwaitingConnect) {
        if (auto *connect = std::get_if<Connect>(&packet)) {
            handleConnect(out, std::move(*connect), now);
        } else {
            // [MQTT-3.1.0-1] the first packet from the client MUST be CONNECT.
            closeWith(out, CloseConnection{CloseReason::ProtocolError, std::nullopt, false,
                                           std::nullopt,
                                           QStringLiteral("[MQTT-3.1.0-1] first packet is %1, not CONNECT")
                                                   .arg(packetTypeName(type))});
        }
        return;
    }
    if (m_stage == ConnectionStage::AwaitingDecision) {
        // Only AUTH frames get here (processFrames holds the rest).
        if (auto *auth = std::get_if<Auth>(&packet))
            out.push_back(AuthReceived{std::move(*auth)});
        return;
    }

    switch (type) {
    case PacketType::Connect:
        // [MQTT-3.1.0-2] a second CONNECT is a protocol error.
        protocolError(out, ReasonCode::ProtocolError, QStringLiteral("[MQTT-3.1.0-2] second CONNECT"));
        return;
    case PacketType::Publish:
        handlePublish(out, std::move(std::get<Publish>(packet)));
        return;
    case PacketType::Puback:
        handlePuback(out, std::get<Puback>(packet), now);
        return;
    case PacketType::Pubrec:
        handlePubrec(out, std::get<Pubrec>(packet), now);
        return;
    case PacketType::Pubrel:
        handlePubrel(out, std::get<Pubrel>(packet));
        return;
    case PacketType::Pubcomp:
        handlePubcomp(out, std::get<Pubcomp>(packet), now);
        return;
    case PacketType::Subscribe:
        handleSubscribe(out, std::move(std::get<Subscribe>(packet)));
        return;
    case PacketType::Unsubscribe:
        // Every filter is well formed (the codec refused the packet otherwise): the
        // engine answers each one.
        out.push_back(UnsubscribeRequested{std::move(std::get<Unsubscribe>(packet))});
        return;
    case PacketType::Pingreq:
        sendControl(out, Pingresp{}); // [MQTT-3.12.4-1]
        return;
    case PacketType::Disconnect:
        handleDisconnect(out, std::get<Disconnect>(packet));
        return;
    case PacketType::Auth:
        if (m_version == ProtocolVersion::V5) {
            out.push_back(AuthReceived{std::move(std::get<Auth>(packet))}); // re-authentication
            return;
        }
        break;
    default:
        break;
    }
    protocolError(out, ReasonCode::ProtocolError,
                  QStringLiteral("%1 is not sent by a client").arg(packetTypeName(type)));
}

void SessionMachine::handleConnect(Actions &out, Connect &&connect, Timestamp now)
{
    Q_UNUSED(now);
    m_version = connect.version;
    m_cleanStart = connect.cleanStart;
    const bool v5 = m_version == ProtocolVersion::V5;
    if (!v5 && connect.clientId.isEmpty()
        && (!connect.cleanStart || m_version == ProtocolVersion::V3_1)) {
        // [MQTT-3.1.3-8] zero-byte ClientId with CleanSession 0 → return code 0x02;
        // MQTT 3.1 requires 1-23 characters in every case.
        sendControl(out, Connack{false, ReasonCode::ClientIdentifierNotValid, {}});
        // ProtocolError like every refusal the machine makes by itself (the codec may
        // report the same rule as a decode error); ConnectRejected is the engine's.
        closeWith(out, CloseConnection{CloseReason::ProtocolError,
                                       ReasonCode::ClientIdentifierNotValid, false, std::nullopt,
                                       QStringLiteral("[MQTT-3.1.3-8] empty client id without clean session")});
        return;
    }
    if (v5) {
        const Properties &p = connect.properties;
        if ((p.receiveMaximum && *p.receiveMaximum == 0)
            || (p.maximumPacketSize && *p.maximumPacketSize == 0)) {
            // 3.1.2.11.3 / 3.1.2.11.4: a value of zero is a Protocol Error. (The codec
            // should refuse these already; this keeps the window math safe regardless.)
                sendControl(out, Connack{false, ReasonCode::ProtocolError, {}});
            closeWith(out, CloseConnection{CloseReason::ProtocolError, ReasonCode::ProtocolError,
                                           false, std::nullopt,
                                           QStringLiteral("Receive Maximum or Maximum Packet Size is 0")});
            return;
        }
        // A Will the server could not honour refuses the connection: Will QoS above
        // Maximum QoS → 0x9B [MQTT-3.2.2-12], Will Retain without Retain Available → 0x9A
        // [MQTT-3.2.2-13]. (3.x cannot be told; the engine caps the Will when publishing.)
        std::optional<ReasonCode> willRefusal;
        if (connect.will && connect.will->qos > m_limits->maximumQoS)
            willRefusal = ReasonCode::QoSNotSupported;
        else if (connect.will && connect.will->retain && !m_limits->retainAvailable)
            willRefusal = ReasonCode::RetainNotSupported;
        if (willRefusal) {
                sendControl(out, Connack{false, *willRefusal, {}});
            closeWith(out, CloseConnection{CloseReason::ProtocolError, *willRefusal, false, std::nullopt,
                                           reasonCodeName(*willRefusal, PacketType::Connack)
                                                   + QLatin1String(" (Will)")});
            return;
        }
        m_clientReceiveMaximum = p.receiveMaximum.value_or(65535);
        m_clientMaximumPacketSize = p.maximumPacketSize.value_or(0);
        m_connectSessionExpiry = p.sessionExpiryInterval.value_or(0);
        m_problemInformation = p.requestProblemInformation.value_or(1) != 0;
    }
    // Server Keep Alive replaces the client's value [MQTT-3.2.2-21]; 3.x clients cannot
    // be told, so they keep their own.
    m_keepAliveSeconds = (v5 && m_limits->serverKeepAlive) ? *m_limits->serverKeepAlive
                                                          : connect.keepAliveSeconds;
    if (connect.will)
        m_will = std::make_shared<const Will>(*connect.will);
    m_stage = ConnectionStage::AwaitingDecision;
    out.push_back(ConnectRequested{std::move(connect)});
}

void SessionMachine::handlePublish(Actions &out, Publish &&publish)
{
    const bool v5 = m_version == ProtocolVersion::V5;
    if (v5 && publish.properties.topicAlias) {
        const quint16 alias = *publish.properties.topicAlias;
        if (alias == 0 || alias > m_limits->topicAliasMaximum) {
            // [MQTT-3.3.2-8] alias 0, [MQTT-3.3.2-9] above our Topic Alias Maximum.
            protocolError(out, ReasonCode::TopicAliasInvalid,
                          QStringLiteral("[MQTT-3.3.2-9] topic alias %1 not in 1..%2")
                                  .arg(alias)
                                  .arg(m_limits->topicAliasMaximum));
            return;
        }
        if (publish.topic.isEmpty()) {
            const auto it = m_inboundTopicAliases.constFind(alias);
            if (it == m_inboundTopicAliases.cend()) {
                // 3.3.2.3.4: an alias with no mapping is a Protocol Error.
                protocolError(out, ReasonCode::ProtocolError,
                              QStringLiteral("topic alias %1 has no mapping").arg(alias));
                return;
            }
            publish.topic = it.value();
        } else {
            m_inboundTopicAliases.insert(alias, publish.topic); // [MQTT-3.3.2-12]
        }
        publish.properties.topicAlias.reset();
    } else if (publish.topic.isEmpty()) {
        protocolError(out, ReasonCode::ProtocolError,
                      QStringLiteral("[MQTT-3.3.2-1] empty topic name without topic alias"));
        return;
    }
    if (v5 && !publish.properties.subscriptionIdentifiers.isEmpty()) {
        protocolError(out, ReasonCode::ProtocolError,
                      QStringLiteral("[MQTT-3.3.4-6] client PUBLISH with a Subscription Identifier"));
        return;
    }
    if (publish.qos > m_limits->maximumQoS) {
        // [MQTT-3.2.2-11] above the Maximum QoS we announced: DISCONNECT 0x9B.
        protocolError(out, ReasonCode::QoSNotSupported,
                      QStringLiteral("[MQTT-3.2.2-11] QoS %1 above maximum %2")
                              .arg(quint8(publish.qos))
                              .arg(quint8(m_limits->maximumQoS)));
        return;
    }
    if (publish.retain && !m_limits->retainAvailable) {
        // [MQTT-3.2.2-14] retain while Retain Available is 0: DISCONNECT 0x9A.
        protocolError(out, ReasonCode::RetainNotSupported,
                      QStringLiteral("[MQTT-3.2.2-14] retain not available"));
        return;
    }
    if (publish.qos == QoS::AtMostOnce) {
        out.push_back(DeliverMessage{std::move(publish)});
        return;
    }
    if (!publish.packetId) {
        protocolError(out, ReasonCode::MalformedPacket, QStringLiteral("QoS > 0 without packet id"));
        return;
    }
    const quint16 id = *publish.packetId;
    if (publish.qos == QoS::ExactlyOnce && m_session.inboundAwaitingRelease.contains(id)) {
        // A duplicate before PUBREL is not delivered again [MQTT-4.3.3-10]. If its PUBREC
        // went out already, the client is missing it: answer again at once. If the
        // engine has not acknowledged yet, its PUBREC is still to come.
        if (!m_inboundUnacked.contains(id))
            sendControl(out, Pubrec{id, ReasonCode::Success, {}});
        return;
    }
    const bool known = m_inboundUnacked.contains(id);
    if (!known && v5 && inboundInUse() >= qsizetype(m_limits->receiveMaximum ? m_limits->receiveMaximum : 65535)) {
        // [MQTT-3.3.4-7] more unacknowledged QoS>0 PUBLISH than our Receive Maximum.
        protocolError(out, ReasonCode::ReceiveMaximumExceeded,
                      QStringLiteral("[MQTT-3.3.4-7] more than %1 unacknowledged QoS>0 PUBLISH")
                              .arg(m_limits->receiveMaximum));
        return;
    }
    if (publish.qos == QoS::ExactlyOnce) {
        if (known && m_inboundUnacked.value(id) == QoS::AtLeastOnce)
            --m_inboundQos1Unacked;
        m_inboundUnacked.insert(id, QoS::ExactlyOnce);
        m_session.inboundAwaitingRelease.insert(id);
    } else if (!known) {
        // QoS 1 with an id still unacknowledged is a redelivery: delivered again (at
        // least once), acknowledged once.
        m_inboundUnacked.insert(id, QoS::AtLeastOnce);
        ++m_inboundQos1Unacked;
    }
    out.push_back(DeliverMessage{std::move(publish)});
}

void SessionMachine::handlePubrel(Actions &out, const Pubrel &pubrel)
{
    const quint16 id = pubrel.packetId;
    if (!m_session.inboundAwaitingRelease.contains(id)) {
        // Unknown id: v5 answers 0x92 (3.7.2.1); 3.x completes anyway so the client can
        // discard its state (4.3.3).
        sendControl(out, Pubcomp{id,
                                 m_version == ProtocolVersion::V5 ? ReasonCode::PacketIdentifierNotFound
                                                                   : ReasonCode::Success,
                                 {}});
        return;
    }
    if (m_inboundUnacked.contains(id)) {
        // PUBREL answers PUBREC, which was not sent yet: the client broke the flow.
        protocolError(out, ReasonCode::ProtocolError,
                      QStringLiteral("PUBREL %1 before PUBREC").arg(id));
        return;
    }
    m_session.inboundAwaitingRelease.remove(id);
    sendControl(out, Pubcomp{id, ReasonCode::Success, {}}); // [MQTT-4.3.3-11]
}

void SessionMachine::handlePuback(Actions &out, const Puback &puback, Timestamp now)
{
    const qsizetype index = indexOfInflight(puback.packetId);
    // Unknown ids and PUBACK for a QoS 2 flow are ignored: nothing to answer with.
    if (index < 0 || m_session.inflight[index].stage != OutboundStage::AwaitingPuback)
        return;
    completeInflight(out, index, puback.reasonCode, now);
}

void SessionMachine::handlePubrec(Actions &out, const Pubrec &pubrec, Timestamp now)
{
    const quint16 id = pubrec.packetId;
    const qsizetype index = indexOfInflight(id);
    if (index < 0 || m_session.inflight[index].stage == OutboundStage::AwaitingPuback) {
        // v5: PUBREL with 0x92 so the client can end its flow (3.6.2.1); 3.x: ignored.
        if (m_version == ProtocolVersion::V5)
            sendControl(out, Pubrel{id, ReasonCode::PacketIdentifierNotFound, {}});
        return;
    }
    OutboundMessage &message = m_session.inflight[index];
    if (m_version == ProtocolVersion::V5 && isError(pubrec.reasonCode)
        && message.stage == OutboundStage::AwaitingPubrec) {
        // A failing PUBREC completes the flow (4.3.3) and frees the quota
        // (4.9: "PUBREC with a Reason Code of 128 or greater").
        completeInflight(out, index, pubrec.reasonCode, now);
        return;
    }
    // [MQTT-4.3.3-4] answer PUBREC with PUBREL (again, for a repeated PUBREC).
    message.stage = OutboundStage::AwaitingPubcomp;
    message.lastSentAt = now;
    sendControl(out, Pubrel{id, ReasonCode::Success, {}});
}

void SessionMachine::handlePubcomp(Actions &out, const Pubcomp &pubcomp, Timestamp now)
{
    const qsizetype index = indexOfInflight(pubcomp.packetId);
    if (index < 0 || m_session.inflight[index].stage != OutboundStage::AwaitingPubcomp)
        return;
    completeInflight(out, index, pubcomp.reasonCode, now);
}

void SessionMachine::handleSubscribe(Actions &out, Subscribe &&subscribe)
{
    const bool v5 = m_version == ProtocolVersion::V5;
    const auto refusal = [v5](ReasonCode code) {
        return v5 ? code : ReasonCode::UnspecifiedError; // 3.x: 0x80 [MQTT-3.9.3-2]
    };
    const bool subscriptionIdRefused = v5 && !m_limits->subscriptionIdentifierAvailable
            && !subscribe.properties.subscriptionIdentifiers.isEmpty();
    QList<std::optional<ReasonCode>> preset;
    preset.reserve(subscribe.subscriptions.size());
    QList<TopicSubscription> accepted;
    for (qsizetype i = 0; i < subscribe.subscriptions.size(); ++i) {
        const TopicSubscription &subscription = subscribe.subscriptions[i];
        const QString &filter = subscription.filter;
        std::optional<ReasonCode> code;
        if (subscriptionIdRefused) {
            code = ReasonCode::SubscriptionIdentifiersNotSupported; // 3.2.2.3.13
        } else if (!m_limits->sharedSubscriptionAvailable
                   && filter.startsWith(QLatin1String("$share/"))) {
            code = refusal(ReasonCode::SharedSubscriptionsNotSupported); // 3.2.2.3.14
        } else if (!m_limits->wildcardSubscriptionAvailable
                   && (filter.contains(QLatin1Char('+')) || filter.contains(QLatin1Char('#')))) {
            code = refusal(ReasonCode::WildcardSubscriptionsNotSupported); // 3.2.2.3.12
        }
        if (!code)
            accepted.append(subscription);
        preset.append(code);
    }
    if (accepted.size() == subscribe.subscriptions.size()) {
        m_pendingSubscribes.remove(subscribe.packetId);
        out.push_back(SubscribeRequested{std::move(subscribe)});
        return;
    }
    if (accepted.isEmpty()) {
        // Nothing for the engine to decide: answer now [MQTT-3.8.4-1].
        QList<ReasonCode> codes;
        codes.reserve(preset.size());
        for (const auto &code : std::as_const(preset))
            codes.append(*code);
        m_pendingSubscribes.remove(subscribe.packetId);
        sendControl(out, Suback{subscribe.packetId, codes, {}});
        return;
    }
    m_pendingSubscribes.insert(subscribe.packetId, preset);
    subscribe.subscriptions = std::move(accepted);
    out.push_back(SubscribeRequested{std::move(subscribe)});
}


void SessionMachine::handleDisconnect(Actions &out, const Disconnect &disconnect)
{
    if (m_version != ProtocolVersion::V5) {
        // [MQTT-3.14.4-3] the Will is discarded on DISCONNECT.
        m_receivedDisconnect = true;
        closeWith(out, CloseConnection{CloseReason::ClientDisconnect, std::nullopt, false,
                                       std::nullopt, {}});
        return;
    }
    const std::optional<quint32> &expiry = disconnect.properties.sessionExpiryInterval;
    if (expiry && *expiry != 0 && m_connectSessionExpiry == 0) {
        // [MQTT-3.14.2-2] not a valid DISCONNECT: treated as a protocol error, Will kept.
        protocolError(out, ReasonCode::ProtocolError,
                      QStringLiteral("[MQTT-3.14.2-2] DISCONNECT sets Session Expiry Interval %1 "
                                     "after CONNECT had 0")
                              .arg(*expiry));
        return;
    }
    m_receivedDisconnect = true;
    // Only 0x00 deletes the Will [MQTT-3.1.2-8]; 0x04 and error codes keep it.
    const bool will = disconnect.reasonCode != ReasonCode::NormalDisconnection;
    closeWith(out, CloseConnection{CloseReason::ClientDisconnect, disconnect.reasonCode, will, expiry,
                                   disconnect.properties.reasonString.value_or(QString())});
}

void SessionMachine::handleFrameError(Actions &out, const DecodeError &error, QByteArrayView frameStart)
{
    const QString detail = error.specId.isEmpty()
            ? error.detail
            : QStringLiteral("[%1] %2").arg(error.specId, error.detail);
    if (m_stage == ConnectionStage::AwaitingConnect) {
        // Before CONNECT completes the answer is a CONNACK, in the version the CONNECT
        // asked for when the level byte is readable.
        const std::optional<quint8> level = peekConnectLevel(frameStart);
        std::optional<ReasonCode> sent;
        if (level == quint8(ProtocolVersion::V5)) {
            m_version = ProtocolVersion::V5;
            sent = connackReasonFor(error.error); // 4.13.1
        } else if (error.error == ProtocolError::UnsupportedProtocolVersion && level) {
            // [MQTT-3.1.2-2] unacceptable protocol level: return code 0x01 in a 3.1.1
            // CONNACK, the one format every client version can read.
            m_version = ProtocolVersion::V3_1_1;
            sent = ReasonCode::UnsupportedProtocolVersion;
        } else if (error.error == ProtocolError::ClientIdentifierNotValid
                   && (level == quint8(ProtocolVersion::V3_1_1) || level == quint8(ProtocolVersion::V3_1))) {
            m_version = ProtocolVersion(*level);
            sent = ReasonCode::ClientIdentifierNotValid; // [MQTT-3.1.3-9] return code 0x02
        }
        if (sent)
            sendControl(out, Connack{false, *sent, {}});
        closeWith(out, CloseConnection{CloseReason::ProtocolError,
                                       sent ? sent : std::optional(disconnectReasonFor(error.error)),
                                       false, std::nullopt, detail});
        return;
    }
    if (m_stage == ConnectionStage::AwaitingDecision) {
        // Only a v5 AUTH can fail here; no DISCONNECT before CONNACK [MQTT-3.14.0-1].
        const ReasonCode code = connackReasonFor(error.error);
        sendControl(out, Connack{false, code, {}});
        closeWith(out, CloseConnection{CloseReason::ProtocolError, code, false, std::nullopt, detail});
        return;
    }
    protocolError(out, disconnectReasonFor(error.error), detail);
}

// ---- Outbound ---------------------------------------------------------------------

void SessionMachine::protocolError(Actions &out, ReasonCode code, const QString &detail)
{
    // 4.13: v5 says why with DISCONNECT, 3.x just closes [MQTT-4.8.0-1]. The connection
    // ends abnormally, so the Will is published [MQTT-3.1.2-8].
    if (m_version == ProtocolVersion::V5)
        sendControl(out, Disconnect{code, {}});
    closeWith(out, CloseConnection{CloseReason::ProtocolError, code,
                                   m_stage == ConnectionStage::Connected, std::nullopt, detail});
}

void SessionMachine::sendControl(Actions &out, Packet packet)
{
    const PacketType type = packetType(packet);
    const bool mayCarryProblemInformation = type == PacketType::Publish
            || type == PacketType::Connack || type == PacketType::Disconnect;
    if (m_version == ProtocolVersion::V5 && !m_problemInformation && !mayCarryProblemInformation)
        stripProblemInformation(packet); // [MQTT-3.1.2-29]
    QByteArray bytes = encode(packet, m_version);
    const auto tooLarge = [this](const QByteArray &b) {
        // encode() gives nothing for what cannot be encoded at all (a string above 64 KiB)
        return b.isEmpty()
                || (m_clientMaximumPacketSize > 0 && quint64(b.size()) > m_clientMaximumPacketSize);
    };
    if (tooLarge(bytes)) {
        // [MQTT-3.1.2-25]: first shed what may be shed (3.2.2.3.6 and friends), otherwise
        // discard the packet and carry on as if it had been sent.
        if (!stripProblemInformation(packet))
            return;
        bytes = encode(packet, m_version);
        if (tooLarge(bytes))
            return;
    }
    out.push_back(SendPacket{std::move(packet), std::move(bytes)});
}

void SessionMachine::closeWith(Actions &out, CloseConnection close)
{
    m_stage = ConnectionStage::Closed;
    out.push_back(std::move(close));
}

void SessionMachine::enqueue(Actions &out, QueuedMessage &&message)
{
    if (qsizetype(m_session.queued.size()) >= m_limits->maxQueuedMessages) {
        out.push_back(MessageDropped{std::move(message), DropReason::QueueFull});
        return;
    }
    m_session.queued.push_back(std::move(message));
}

bool SessionMachine::sendPublish(Actions &out, const QueuedMessage &message,
                                 std::optional<quint16> packetId, bool dup, Timestamp now)
{
    Publish publish = message.publish;
    publish.packetId = publish.qos == QoS::AtMostOnce ? std::nullopt : packetId;
    publish.dup = dup && publish.qos != QoS::AtMostOnce; // [MQTT-3.3.1-2]
    // This machine never sets up outbound aliases, so none may reach the client.
    publish.properties.topicAlias.reset();
    if (m_version == ProtocolVersion::V5 && message.expiresAt) {
        // [MQTT-3.3.2-6] the interval forwarded is what is left, in whole seconds rounded
        // up (never 0 while time remains); a resent message may be past it already.
        const qint64 leftMs = (*message.expiresAt - now).count();
        publish.properties.messageExpiryInterval = leftMs <= 0 ? 0u : quint32((leftMs + 999) / 1000);
    }
    QByteArray bytes = encode(publish, m_version);
    if (bytes.isEmpty()
        || (m_clientMaximumPacketSize > 0 && quint64(bytes.size()) > m_clientMaximumPacketSize)) {
        // [MQTT-3.1.2-25] never sent to this client. (An empty encoding means the message
        // cannot be expressed at all, e.g. a topic above 65,535 bytes: too large for
        // anyone.)
        out.push_back(MessageDropped{message, DropReason::TooLargeForClient});
        return false;
    }
    out.push_back(SendPacket{std::move(publish), std::move(bytes), message.trace, message.tag});
    return true;
}

bool SessionMachine::startFlight(Actions &out, QueuedMessage &&message, Timestamp now)
{
    const std::optional<quint16> id = allocatePacketId();
    if (!id) {
        m_session.queued.push_front(std::move(message)); // every id busy: wait for one
        return false;
    }
    if (!sendPublish(out, message, id, false, now))
        return true; // dropped; the id was never used and stays free for the next one
    m_session.nextPacketId = *id == 65535 ? 1 : *id + 1;
    OutboundMessage flight;
    flight.packetId = *id;
    flight.stage = message.publish.qos == QoS::AtLeastOnce ? OutboundStage::AwaitingPuback
                                                           : OutboundStage::AwaitingPubrec;
    flight.message = std::move(message);
    flight.firstSentAt = now;
    flight.lastSentAt = now;
    flight.sendCount = 1;
    m_session.inflight.append(std::move(flight));
    m_outboundIds.insert(*id);
    return true;
}

void SessionMachine::resendOne(Actions &out, qsizetype index, Timestamp now)
{
    OutboundMessage &message = m_session.inflight[index];
    if (message.stage == OutboundStage::AwaitingPubcomp) {
        sendControl(out, Pubrel{message.packetId, ReasonCode::Success, {}});
    } else if (!sendPublish(out, message.message, message.packetId, true, now)) {
        // Too large for the client's new Maximum Packet Size: dropped (reported by
        // sendPublish), its id released.
        m_outboundIds.remove(message.packetId);
        m_session.inflight.removeAt(index);
        return;
    }
    message.lastSentAt = now;
    ++message.sendCount;
}

void SessionMachine::resendInflight(Actions &out, Timestamp now)
{
    // [MQTT-4.4.0-1] on a resumed session, unacknowledged PUBLISH (DUP=1 [MQTT-3.3.1-1])
    // and PUBREL go out again with their original ids, in their original order
    // [MQTT-4.6.0-1]. Beyond the client's Receive Maximum [MQTT-3.3.4-9] they wait and are
    // resent as slots free up.
    const qsizetype window = outboundWindow();
    qsizetype sent = 0;
    for (qsizetype i = 0; i < m_session.inflight.size();) {
        if (sent >= window) {
            m_unsentInflight.insert(m_session.inflight[i].packetId);
            ++i;
            continue;
        }
        const qsizetype before = m_session.inflight.size();
        resendOne(out, i, now);
        if (m_session.inflight.size() == before) {
            ++sent;
            ++i;
        }
    }
}

void SessionMachine::drain(Actions &out, Timestamp now)
{
    // Held-back resends first: they are older than anything queued.
    for (qsizetype i = 0; !m_unsentInflight.isEmpty() && i < m_session.inflight.size();) {
        if (m_session.inflight.size() - m_unsentInflight.size() >= outboundWindow())
            return;
        const quint16 id = m_session.inflight[i].packetId;
        if (!m_unsentInflight.contains(id)) {
            ++i;
            continue;
        }
        m_unsentInflight.remove(id);
        const qsizetype before = m_session.inflight.size();
        resendOne(out, i, now);
        if (m_session.inflight.size() == before)
            ++i;
    }
    while (!m_session.queued.empty()) {
        QueuedMessage &front = m_session.queued.front();
        if (front.expiresAt && *front.expiresAt <= now) {
            out.push_back(MessageDropped{std::move(front), DropReason::Expired}); // [MQTT-3.3.2-5]
            m_session.queued.pop_front();
            continue;
        }
        if (front.publish.qos == QoS::AtMostOnce) {
            sendPublish(out, front, std::nullopt, false, now);
            m_session.queued.pop_front();
            continue;
        }
        if (m_session.inflight.size() >= outboundWindow())
            return;
        QueuedMessage message = std::move(front);
        m_session.queued.pop_front();
        if (!startFlight(out, std::move(message), now))
            return;
    }
}

std::optional<quint16> SessionMachine::allocatePacketId()
{
    // Next id after the last one given, skipping ids still in use [MQTT-2.2.1-3]: an id
    // comes back only after its flow completed and the counter wrapped (65535 → 1).
    // Inbound ids are the client's namespace, but skipping them too costs nothing and
    // spares clients that key their state by id alone. O(1) amortised.
    quint16 candidate = m_session.nextPacketId == 0 ? 1 : m_session.nextPacketId;
    for (int tries = 0; tries < 65535; ++tries) {
        const bool busy = m_outboundIds.contains(candidate)
                || m_session.inboundAwaitingRelease.contains(candidate)
                || m_inboundUnacked.contains(candidate);
        if (!busy)
            return candidate; // taken (nextPacketId advanced) only once actually sent
        candidate = candidate == 65535 ? 1 : candidate + 1;
    }
    return std::nullopt;
}

quint64 SessionMachine::heldBytesLimit() const
{
    return m_limits->maximumPacketSize > 0 ? m_limits->maximumPacketSize : kProtocolMaximumPacketSize;
}

qsizetype SessionMachine::outboundWindow() const
{
    // [MQTT-3.3.4-9] never more unacknowledged QoS>0 PUBLISH than the client's Receive
    // Maximum (v5; 65535 when absent), nor than our own cap.
    qsizetype window = std::max<qsizetype>(1, m_limits->maxInflightOutbound);
    if (m_version == ProtocolVersion::V5)
        window = std::min<qsizetype>(window, m_clientReceiveMaximum);
    return window;
}

qsizetype SessionMachine::inboundInUse() const
{
    // QoS 1 until PUBACK, QoS 2 until PUBCOMP (4.9).
    return m_inboundQos1Unacked + m_session.inboundAwaitingRelease.size();
}

qsizetype SessionMachine::indexOfInflight(quint16 packetId) const
{
    if (!m_outboundIds.contains(packetId))
        return -1;
    // Acks usually come in order, so the match is almost always at the front.
    for (qsizetype i = 0; i < m_session.inflight.size(); ++i) {
        if (m_session.inflight[i].packetId == packetId)
            return m_unsentInflight.contains(packetId) ? -1 : i;
    }
    return -1;
}

void SessionMachine::completeInflight(Actions &out, qsizetype index, ReasonCode code, Timestamp now)
{
    const OutboundMessage &message = m_session.inflight[index];
    out.push_back(MessageCompleted{message.packetId, message.message.publish.qos, code, message.message.trace});
    m_outboundIds.remove(message.packetId);
    m_session.inflight.removeAt(index);
    drain(out, now);
}

} // namespace hermes::mqtt
