// SessionMachine: CONNECT, and the engine's answer to it (CONNACK, resumed session).
#include "sessionmachine.h"
#include "sessionmachine_p.h"

#include <algorithm>
#include <type_traits>

namespace hermes::mqtt {

namespace {

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

} // namespace

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

} // namespace hermes::mqtt
