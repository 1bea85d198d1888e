#include "clientmachine.h"

#include "topic.h"

#include <algorithm>
#include <utility>

namespace hermes::mqtt {

using namespace client;

namespace {

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

constexpr quint16 MaxPacketId = 65535;

Duration seconds(quint16 s)
{
    return std::chrono::duration_cast<Duration>(std::chrono::seconds(s));
}

/// The reason code a refused request maps to when it surfaces as a PublishCompleted.
SubmitError submitErrorFor(ReasonCode reason)
{
    switch (reason) {
    case ReasonCode::QoSNotSupported:
        return SubmitError::QoSNotSupported;
    case ReasonCode::RetainNotSupported:
        return SubmitError::RetainNotSupported;
    case ReasonCode::PacketTooLarge:
        return SubmitError::PacketTooLarge;
    default:
        return SubmitError::InvalidTopic;
    }
}

} // namespace

QString client::closeReasonName(CloseReason reason)
{
    switch (reason) {
    case CloseReason::ClientDisconnect:
        return QStringLiteral("client disconnect");
    case CloseReason::ServerDisconnect:
        return QStringLiteral("server disconnect");
    case CloseReason::ConnectRefused:
        return QStringLiteral("connect refused");
    case CloseReason::ConnectTimeout:
        return QStringLiteral("connect timeout");
    case CloseReason::PingTimeout:
        return QStringLiteral("ping timeout");
    case CloseReason::ProtocolError:
        return QStringLiteral("protocol error");
    case CloseReason::SocketError:
        return QStringLiteral("socket error");
    case CloseReason::PeerClosed:
        return QStringLiteral("peer closed");
    case CloseReason::TlsFailed:
        return QStringLiteral("TLS failed");
    }
    return QStringLiteral("unknown");
}

ClientMachine::ClientMachine(Connect connect, ClientConfig config, SessionState session)
    : m_connect(std::move(connect))
    , m_config(config)
    , m_session(std::move(session))
{
    if (m_session.nextPacketId == 0)
        m_session.nextPacketId = 1;
    for (const OutboundMessage &message : std::as_const(m_session.inflight))
        m_usedPacketIds.insert(message.publish.packetId.value_or(0));
    for (const Publish &publish : m_session.queued) {
        if (publish.packetId)
            m_usedPacketIds.insert(*publish.packetId);
    }
    m_usedPacketIds.remove(0);
}

Actions ClientMachine::start(Timestamp now)
{
    Actions actions;
    if (m_stage != ConnectionStage::Idle)
        return actions;
    if (m_connect.cleanStart) {
        // [MQTT-3.1.2-4] Clean Start: the client discards its session state too. The local
        // queue was never sent, so it is not session state and stays.
        discardInflight(actions);
        m_session.inboundAwaitingRelease.clear();
    }
    m_stage = ConnectionStage::Connecting;
    m_startedAt = now;
    send(actions, m_connect, now);
    actions.push_back(ArmTimer{TimerKind::ConnackTimeout, m_config.connackTimeout});
    return actions;
}

Actions ClientMachine::onBytes(QByteArrayView bytes, Timestamp now)
{
    Actions actions;
    if (m_stage == ConnectionStage::Idle || m_stage == ConnectionStage::Closed)
        return actions;
    m_lastReceivedAt = now;

    // Frames are decoded straight from the caller's bytes when nothing is pending, so the
    // common case (whole packets per read) copies only what the packets keep.
    const bool buffered = !m_buffer.isEmpty();
    if (buffered)
        m_buffer.append(bytes.data(), bytes.size());
    const QByteArrayView data = buffered ? QByteArrayView(m_buffer) : bytes;
    const quint32 maxSize = inboundMaximumPacketSize();

    qsizetype offset = 0;
    while (m_stage != ConnectionStage::Closed && offset < data.size()) {
        FrameResult frameResult = takeFrame(data.sliced(offset), maxSize);
        if (std::holds_alternative<NeedMore>(frameResult))
            break;
        if (const auto *error = std::get_if<DecodeError>(&frameResult)) {
            protocolError(actions, disconnectReasonFor(error->error), error->detail, now);
            break;
        }
        const Frame &frame = std::get<Frame>(frameResult);
        DecodeResult decoded = decodePacket(frame, version());
        offset += frame.totalSize;
        if (const auto *error = std::get_if<DecodeError>(&decoded)) {
            QString detail = error->detail;
            if (!error->specId.isEmpty())
                detail += QStringLiteral(" [%1]").arg(error->specId);
            protocolError(actions, disconnectReasonFor(error->error), detail, now);
            break;
        }
        Packet &packet = std::get<Packet>(decoded);
        if (m_config.reportPackets)
            actions.push_back(PacketReceived{packet, frame.totalSize});
        handlePacket(actions, std::move(packet), now);
    }

    if (m_stage == ConnectionStage::Closed) {
        m_buffer.clear();
    } else if (buffered) {
        m_buffer.remove(0, offset);
    } else if (offset < data.size()) {
        m_buffer = data.sliced(offset).toByteArray();
    }
    return actions;
}

void ClientMachine::handlePacket(Actions &actions, Packet packet, Timestamp now)
{
    if (m_stage == ConnectionStage::Connecting) {
        // [MQTT-3.2.0-1] The server sends CONNACK before anything else (AUTH aside, v5).
        if (auto *connack = std::get_if<Connack>(&packet)) {
            handleConnack(actions, *connack, now);
        } else if (auto *auth = std::get_if<Auth>(&packet); auth && version() == ProtocolVersion::V5) {
            actions.push_back(AuthReceived{std::move(*auth)});
        } else {
            protocolError(actions, ReasonCode::ProtocolError,
                          QStringLiteral("%1 before CONNACK [MQTT-3.2.0-1]")
                                  .arg(packetTypeName(packetType(packet))),
                          now);
        }
        return;
    }

    const auto unexpected = [&](const QString &what) {
        protocolError(actions, ReasonCode::ProtocolError, what, now);
    };
    std::visit(Overloaded{
                       [&](Publish &p) { handlePublish(actions, std::move(p), now); },
                       [&](const Puback &p) { handlePuback(actions, p); },
                       [&](const Pubrec &p) { handlePubrec(actions, p, now); },
                       [&](const Pubrel &p) { handlePubrel(actions, p, now); },
                       [&](const Pubcomp &p) { handlePubcomp(actions, p); },
                       [&](Suback &p) {
                           if (!m_pendingSubscribes.remove(p.packetId))
                               return; // not ours (late after a resend, or bogus): ignore
                           releasePacketId(p.packetId);
                           actions.push_back(Subscribed{p.packetId, std::move(p.reasonCodes)});
                       },
                       [&](Unsuback &p) {
                           if (!m_pendingUnsubscribes.remove(p.packetId))
                               return;
                           releasePacketId(p.packetId);
                           actions.push_back(Unsubscribed{p.packetId, std::move(p.reasonCodes)});
                       },
                       [&](const Pingresp &) { handlePingresp(actions, now); },
                       [&](const Disconnect &d) {
                           if (version() != ProtocolVersion::V5) {
                               unexpected(QStringLiteral("DISCONNECT from a 3.x server"));
                               return;
                           }
                           QString detail = reasonCodeName(d.reasonCode, PacketType::Disconnect);
                           if (d.properties.reasonString)
                               detail += QStringLiteral(": ") + *d.properties.reasonString;
                           if (d.properties.serverReference)
                               detail += QStringLiteral(" (server reference %1)")
                                                 .arg(*d.properties.serverReference);
                           close(actions, CloseReason::ServerDisconnect, d.reasonCode, detail);
                       },
                       [&](Auth &a) {
                           if (version() != ProtocolVersion::V5) {
                               unexpected(QStringLiteral("AUTH on a 3.x connection"));
                               return;
                           }
                           actions.push_back(AuthReceived{std::move(a)});
                       },
                       [&](const Connack &) { unexpected(QStringLiteral("second CONNACK")); },
                       [&](const auto &other) {
                           // CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ only go client → server.
                           unexpected(QStringLiteral("server sent %1")
                                              .arg(packetTypeName(packetType(Packet(other)))));
                       },
               },
               packet);
}

void ClientMachine::handleConnack(Actions &actions, const Connack &connack, Timestamp now)
{
    m_connack = connack;
    if (connack.reasonCode != ReasonCode::Success) {
        QString detail = reasonCodeName(connack.reasonCode, PacketType::Connack);
        if (connack.properties.reasonString)
            detail += QStringLiteral(": ") + *connack.properties.reasonString;
        actions.push_back(ConnectionRefused{connack.reasonCode, connack});
        close(actions, CloseReason::ConnectRefused, connack.reasonCode, detail);
        return;
    }
    // MQTT 3.1 has no Session Present flag: with clean session off the session is assumed
    // to be there, which is what 3.1 servers do.
    const bool sessionPresent = version() == ProtocolVersion::V3_1 ? !m_connect.cleanStart
                                                                    : connack.sessionPresent;
    if (m_connect.cleanStart && sessionPresent) {
        protocolError(actions, ReasonCode::ProtocolError,
                      QStringLiteral("Session Present after Clean Start [MQTT-3.2.2-4]"), now);
        return;
    }

    m_stage = ConnectionStage::Connected;
    actions.push_back(CancelTimer{TimerKind::ConnackTimeout});

    const Properties &p = connack.properties;
    m_server.receiveMaximum = std::max<quint16>(1, p.receiveMaximum.value_or(65535));
    m_server.maximumPacketSize = p.maximumPacketSize.value_or(0);
    m_server.maximumQoS = p.maximumQoS ? QoS(std::min<quint8>(*p.maximumQoS, 2)) : QoS::ExactlyOnce;
    m_server.retainAvailable = p.retainAvailable.value_or(1) != 0;
    m_server.topicAliasMaximum = p.topicAliasMaximum.value_or(0);
    m_server.wildcardSubscriptionAvailable = p.wildcardSubscriptionAvailable.value_or(1) != 0;
    m_server.subscriptionIdentifierAvailable = p.subscriptionIdentifierAvailable.value_or(1) != 0;
    m_server.sharedSubscriptionAvailable = p.sharedSubscriptionAvailable.value_or(1) != 0;
    // [MQTT-3.2.2-21] The client uses the Server Keep Alive instead of its own.
    m_keepAliveSeconds = p.serverKeepAlive.value_or(m_connect.keepAliveSeconds);

    if (!sessionPresent) {
        // [MQTT-3.2.2-5] No session on the server: the client discards its own.
        discardInflight(actions);
        m_session.inboundAwaitingRelease.clear();
    } else {
        // [MQTT-4.4.0-1] Resend unacknowledged PUBLISH (with DUP [MQTT-3.3.1-1]) and PUBREL
        // with their original packet identifiers, in the order first sent.
        for (OutboundMessage &message : m_session.inflight) {
            if (message.stage == OutboundStage::AwaitingPubcomp) {
                send(actions, Pubrel{*message.publish.packetId, ReasonCode::Success, {}}, now);
            } else {
                message.publish.dup = true;
                ++message.sendCount;
                send(actions, message.publish, now);
            }
        }
    }
    for (Packet &request : m_waitingRequests)
        send(actions, std::move(request), now);
    m_waitingRequests.clear();
    drainQueue(actions, now);
    armPing(actions, now);
    actions.push_back(Connected{connack});
}

void ClientMachine::handlePublish(Actions &actions, Publish publish, Timestamp now)
{
    if (version() == ProtocolVersion::V5) {
        if (const std::optional<quint16> alias = publish.properties.topicAlias) {
            // [MQTT-3.3.2-10] [MQTT-3.3.2-11] Aliases run from 1 to the maximum the client
            // announced in CONNECT (absent = 0: none accepted).
            const quint16 maximum = m_connect.properties.topicAliasMaximum.value_or(0);
            if (*alias == 0 || *alias > maximum) {
                protocolError(actions, ReasonCode::TopicAliasInvalid,
                              QStringLiteral("topic alias %1 outside 1..%2 [MQTT-3.3.2-11]")
                                      .arg(*alias)
                                      .arg(maximum),
                              now);
                return;
            }
            if (publish.topic.isEmpty()) {
                const auto it = m_inboundTopicAliases.constFind(*alias);
                if (it == m_inboundTopicAliases.constEnd()) {
                    protocolError(actions, ReasonCode::ProtocolError,
                                  QStringLiteral("topic alias %1 used before it was set").arg(*alias),
                                  now);
                    return;
                }
                publish.topic = *it;
            } else {
                m_inboundTopicAliases.insert(*alias, publish.topic);
            }
        } else if (publish.topic.isEmpty()) {
            protocolError(actions, ReasonCode::ProtocolError,
                          QStringLiteral("PUBLISH without topic name or topic alias"), now);
            return;
        }
    }

    switch (publish.qos) {
    case QoS::AtMostOnce:
        actions.push_back(MessageReceived{std::move(publish)});
        return;
    case QoS::AtLeastOnce: {
        const quint16 id = publish.packetId.value_or(0);
        actions.push_back(MessageReceived{std::move(publish)});
        send(actions, Puback{id, ReasonCode::Success, {}}, now);
        return;
    }
    case QoS::ExactlyOnce: {
        const quint16 id = publish.packetId.value_or(0);
        if (m_session.inboundAwaitingRelease.contains(id)) {
            // [MQTT-4.3.3-10] A resend before PUBREL: acknowledge again, deliver once.
            send(actions, Pubrec{id, ReasonCode::Success, {}}, now);
            return;
        }
        const std::optional<quint16> receiveMaximum = m_connect.properties.receiveMaximum;
        if (version() == ProtocolVersion::V5 && receiveMaximum
            && m_session.inboundAwaitingRelease.size() >= *receiveMaximum) {
            // [MQTT-3.3.4-9] The server must not exceed the client's Receive Maximum.
            protocolError(actions, ReasonCode::ReceiveMaximumExceeded,
                          QStringLiteral("more than %1 QoS 2 messages awaiting PUBREL [MQTT-3.3.4-9]")
                                  .arg(*receiveMaximum),
                          now);
            return;
        }
        m_session.inboundAwaitingRelease.insert(id);
        actions.push_back(MessageReceived{std::move(publish)});
        send(actions, Pubrec{id, ReasonCode::Success, {}}, now);
        return;
    }
    }
}

void ClientMachine::handlePuback(Actions &actions, const Puback &puback)
{
    const qsizetype index = findInflight(puback.packetId);
    // An acknowledgement for an id not awaiting it is ignored: it may be a late answer to a
    // message the session already dropped.
    if (index < 0 || m_session.inflight.at(index).stage != OutboundStage::AwaitingPuback)
        return;
    completeOutbound(actions, index, puback.reasonCode, m_lastReceivedAt);
}

void ClientMachine::handlePubrec(Actions &actions, const Pubrec &pubrec, Timestamp now)
{
    const qsizetype index = findInflight(pubrec.packetId);
    if (index < 0) {
        // Unknown id: answer so the server can finish its flow (4.3.3).
        const ReasonCode code = version() == ProtocolVersion::V5
                ? ReasonCode::PacketIdentifierNotFound
                : ReasonCode::Success;
        send(actions, Pubrel{pubrec.packetId, code, {}}, now);
        return;
    }
    OutboundMessage &message = m_session.inflight[index];
    switch (message.stage) {
    case OutboundStage::AwaitingPuback:
        return; // a QoS 1 message: not a PUBREC's business
    case OutboundStage::AwaitingPubrec:
        if (isError(pubrec.reasonCode)) {
            // 4.3.3: a PUBREC with a failure code ends the flow; no PUBREL.
            completeOutbound(actions, index, pubrec.reasonCode, now);
            return;
        }
        message.stage = OutboundStage::AwaitingPubcomp;
        send(actions, Pubrel{pubrec.packetId, ReasonCode::Success, {}}, now);
        return;
    case OutboundStage::AwaitingPubcomp:
        send(actions, Pubrel{pubrec.packetId, ReasonCode::Success, {}}, now);
        return;
    }
}

void ClientMachine::handlePubrel(Actions &actions, const Pubrel &pubrel, Timestamp now)
{
    const bool known = m_session.inboundAwaitingRelease.remove(pubrel.packetId);
    const ReasonCode code = known || version() != ProtocolVersion::V5
            ? ReasonCode::Success
            : ReasonCode::PacketIdentifierNotFound;
    send(actions, Pubcomp{pubrel.packetId, code, {}}, now);
}

void ClientMachine::handlePubcomp(Actions &actions, const Pubcomp &pubcomp)
{
    const qsizetype index = findInflight(pubcomp.packetId);
    if (index < 0 || m_session.inflight.at(index).stage != OutboundStage::AwaitingPubcomp)
        return;
    completeOutbound(actions, index, pubcomp.reasonCode, m_lastReceivedAt);
}

void ClientMachine::handlePingresp(Actions &actions, Timestamp now)
{
    if (!m_pingSentAt)
        return; // unsolicited: nothing to measure
    const Duration rtt = now - *m_pingSentAt;
    m_pingSentAt.reset();
    actions.push_back(CancelTimer{TimerKind::PingResponseTimeout});
    actions.push_back(PongReceived{rtt});
}

Actions ClientMachine::onTimerFired(TimerKind kind, Timestamp now)
{
    Actions actions;
    switch (kind) {
    case TimerKind::ConnackTimeout: {
        if (m_stage != ConnectionStage::Connecting)
            break;
        const Duration waited = now - m_startedAt;
        if (waited < m_config.connackTimeout) {
            actions.push_back(ArmTimer{kind, m_config.connackTimeout - waited});
            break;
        }
        close(actions, CloseReason::ConnectTimeout, std::nullopt,
              QStringLiteral("no CONNACK within %1 ms").arg(m_config.connackTimeout.count()));
        break;
    }
    case TimerKind::Ping: {
        if (m_stage != ConnectionStage::Connected || !m_config.autoPing || m_keepAliveSeconds == 0)
            break;
        const Duration keepAlive = seconds(m_keepAliveSeconds);
        const Duration silent = now - m_lastSentAt;
        if (silent < keepAlive) {
            // Something was sent since the timer was armed: wait for the rest of T only.
            actions.push_back(ArmTimer{kind, keepAlive - silent});
            break;
        }
        // [MQTT-3.1.2-23] (3.1.1) / [MQTT-3.1.2-20] (5.0): nothing sent for T, so PINGREQ.
        if (!m_pingSentAt) {
            send(actions, Pingreq{}, now);
            m_pingSentAt = now;
            actions.push_back(ArmTimer{TimerKind::PingResponseTimeout, m_config.pingResponseTimeout});
        }
        actions.push_back(ArmTimer{kind, keepAlive});
        break;
    }
    case TimerKind::PingResponseTimeout: {
        if (m_stage != ConnectionStage::Connected || !m_pingSentAt)
            break;
        const Duration waited = now - *m_pingSentAt;
        if (waited < m_config.pingResponseTimeout) {
            actions.push_back(ArmTimer{kind, m_config.pingResponseTimeout - waited});
            break;
        }
        close(actions, CloseReason::PingTimeout, std::nullopt,
              QStringLiteral("no PINGRESP within %1 ms").arg(m_config.pingResponseTimeout.count()));
        break;
    }
    }
    return actions;
}

Submission ClientMachine::publish(Publish publish, Timestamp now)
{
    Submission submission;
    if (m_stage == ConnectionStage::Closed) {
        submission.error = SubmitError::Closed;
        return submission;
    }
    const bool aliasOnly = version() == ProtocolVersion::V5 && publish.topic.isEmpty()
            && publish.properties.topicAlias.has_value();
    if (!aliasOnly && !isValidTopicName(publish.topic)) {
        submission.error = SubmitError::InvalidTopic;
        return submission;
    }
    if (m_stage == ConnectionStage::Connected) {
        if (const std::optional<ReasonCode> refusal = refusalFor(publish)) {
            submission.error = submitErrorFor(*refusal);
            return submission;
        }
    }
    const bool sendNow = m_stage == ConnectionStage::Connected && m_session.queued.empty()
            && (publish.qos == QoS::AtMostOnce || m_session.inflight.size() < sendQuota());
    if (!sendNow && qsizetype(m_session.queued.size()) >= m_config.maximumQueued) {
        submission.error = SubmitError::QueueFull;
        return submission;
    }

    publish.dup = false;
    publish.packetId.reset();
    if (publish.qos != QoS::AtMostOnce) {
        const quint16 id = allocatePacketId();
        if (id == 0) {
            submission.error = SubmitError::NoPacketIdentifier;
            return submission;
        }
        publish.packetId = id;
        submission.packetId = id;
    }

    if (!sendNow) {
        m_session.queued.push_back(std::move(publish));
        return submission;
    }
    if (!sendPublish(submission.actions, std::move(publish), now)) {
        releasePacketId(submission.packetId);
        submission.packetId = 0;
        submission.error = SubmitError::PacketTooLarge;
    }
    return submission;
}

Submission ClientMachine::subscribe(const QList<TopicSubscription> &subscriptions,
                                    const Properties &properties, Timestamp now)
{
    Submission submission;
    if (m_stage == ConnectionStage::Closed) {
        submission.error = SubmitError::Closed;
        return submission;
    }
    // [MQTT-3.8.3-2] At least one filter, each valid (4.7).
    const bool valid = !subscriptions.isEmpty()
            && std::all_of(subscriptions.cbegin(), subscriptions.cend(),
                           [](const TopicSubscription &s) { return isValidTopicFilter(s.filter); });
    if (!valid) {
        submission.error = SubmitError::InvalidTopic;
        return submission;
    }
    const quint16 id = allocatePacketId();
    if (id == 0) {
        submission.error = SubmitError::NoPacketIdentifier;
        return submission;
    }
    submission.packetId = id;
    m_pendingSubscribes.insert(id, subscriptions.size());
    Subscribe packet{id, subscriptions, properties};
    if (m_stage == ConnectionStage::Connected)
        send(submission.actions, std::move(packet), now);
    else
        m_waitingRequests.push_back(std::move(packet));
    return submission;
}

Submission ClientMachine::unsubscribe(const QStringList &filters, const Properties &properties,
                                      Timestamp now)
{
    Submission submission;
    if (m_stage == ConnectionStage::Closed) {
        submission.error = SubmitError::Closed;
        return submission;
    }
    // [MQTT-3.10.3-2] At least one filter.
    const bool valid = !filters.isEmpty()
            && std::all_of(filters.cbegin(), filters.cend(),
                           [](const QString &f) { return isValidTopicFilter(f); });
    if (!valid) {
        submission.error = SubmitError::InvalidTopic;
        return submission;
    }
    const quint16 id = allocatePacketId();
    if (id == 0) {
        submission.error = SubmitError::NoPacketIdentifier;
        return submission;
    }
    submission.packetId = id;
    m_pendingUnsubscribes.insert(id, filters.size());
    Unsubscribe packet{id, filters, properties};
    if (m_stage == ConnectionStage::Connected)
        send(submission.actions, std::move(packet), now);
    else
        m_waitingRequests.push_back(std::move(packet));
    return submission;
}

Actions ClientMachine::ping(Timestamp now)
{
    Actions actions;
    if (m_stage != ConnectionStage::Connected || m_pingSentAt)
        return actions;
    send(actions, Pingreq{}, now);
    m_pingSentAt = now;
    actions.push_back(ArmTimer{TimerKind::PingResponseTimeout, m_config.pingResponseTimeout});
    return actions;
}

Actions ClientMachine::setAutoPing(bool enabled, Timestamp now)
{
    Actions actions;
    m_config.autoPing = enabled;
    if (m_stage != ConnectionStage::Connected)
        return actions;
    if (enabled)
        armPing(actions, now);
    else
        actions.push_back(CancelTimer{TimerKind::Ping});
    return actions;
}

Actions ClientMachine::disconnect(ReasonCode reason, const Properties &properties, Timestamp now)
{
    Actions actions;
    if (m_stage == ConnectionStage::Closed)
        return actions;
    if (m_stage != ConnectionStage::Idle)
        send(actions, Disconnect{reason, properties}, now);
    close(actions, CloseReason::ClientDisconnect, reason, {});
    return actions;
}

Actions ClientMachine::socketClosed(CloseReason why, const QString &detail, Timestamp)
{
    Actions actions;
    if (m_stage != ConnectionStage::Closed)
        close(actions, why, std::nullopt, detail);
    return actions;
}

Actions ClientMachine::sendAuth(const Auth &auth, Timestamp now)
{
    Actions actions;
    if (m_stage == ConnectionStage::Idle || m_stage == ConnectionStage::Closed
        || version() != ProtocolVersion::V5)
        return actions;
    send(actions, auth, now);
    return actions;
}

SessionState ClientMachine::takeSession()
{
    m_usedPacketIds.clear();
    return std::exchange(m_session, SessionState{});
}

// ---- helpers ----------------------------------------------------------------------

void ClientMachine::send(Actions &actions, Packet packet, Timestamp now)
{
    QByteArray bytes = encode(packet, version());
    actions.push_back(SendPacket{std::move(packet), std::move(bytes)});
    m_lastSentAt = now;
}

void ClientMachine::protocolError(Actions &actions, ReasonCode reason, const QString &detail,
                                  Timestamp now)
{
    // Only MQTT 5 can tell the server why; 3.x just closes.
    if (version() == ProtocolVersion::V5)
        send(actions, Disconnect{reason, {}}, now);
    close(actions, CloseReason::ProtocolError, reason, detail);
}

void ClientMachine::close(Actions &actions, CloseReason reason,
                          std::optional<ReasonCode> reasonCode, const QString &detail)
{
    m_stage = ConnectionStage::Closed;
    m_pingSentAt.reset();
    m_buffer.clear();
    // Requests not answered die with the connection; their ids are free again.
    for (auto it = m_pendingSubscribes.cbegin(); it != m_pendingSubscribes.cend(); ++it)
        releasePacketId(it.key());
    for (auto it = m_pendingUnsubscribes.cbegin(); it != m_pendingUnsubscribes.cend(); ++it)
        releasePacketId(it.key());
    m_pendingSubscribes.clear();
    m_pendingUnsubscribes.clear();
    m_waitingRequests.clear();
    // [MQTT-3.3.2-7] Topic alias mappings do not outlive the network connection.
    m_inboundTopicAliases.clear();
    actions.push_back(Closed{reason, reasonCode, detail});
}

void ClientMachine::armPing(Actions &actions, Timestamp now)
{
    if (m_stage != ConnectionStage::Connected || !m_config.autoPing || m_keepAliveSeconds == 0)
        return;
    const Duration keepAlive = seconds(m_keepAliveSeconds);
    const Duration silent = now - m_lastSentAt;
    actions.push_back(ArmTimer{TimerKind::Ping, std::max(Duration::zero(), keepAlive - silent)});
}

void ClientMachine::drainQueue(Actions &actions, Timestamp now)
{
    // FIFO: a QoS 0 message behind a QoS 1/2 one waiting for quota waits too, so the
    // server sees the client's order.
    while (m_stage == ConnectionStage::Connected && !m_session.queued.empty()) {
        const Publish &front = m_session.queued.front();
        if (front.qos != QoS::AtMostOnce && m_session.inflight.size() >= sendQuota())
            return;
        Publish publish = std::move(m_session.queued.front());
        m_session.queued.pop_front();
        std::optional<ReasonCode> refusal = refusalFor(publish);
        if (!refusal && !sendPublish(actions, publish, now))
            refusal = ReasonCode::PacketTooLarge;
        if (refusal && publish.packetId) {
            releasePacketId(*publish.packetId);
            actions.push_back(PublishCompleted{*publish.packetId, publish.qos, *refusal, false});
        }
    }
}

bool ClientMachine::sendPublish(Actions &actions, Publish publish, Timestamp now)
{
    QByteArray bytes = encode(publish, version());
    // [MQTT-3.2.2-15] Nothing above the server's Maximum Packet Size. An empty encoding
    // means a field above what the protocol can carry at all.
    if (bytes.isEmpty()
        || (m_server.maximumPacketSize != 0 && quint64(bytes.size()) > m_server.maximumPacketSize))
        return false;
    if (publish.qos != QoS::AtMostOnce) {
        const OutboundStage stage = publish.qos == QoS::AtLeastOnce ? OutboundStage::AwaitingPuback
                                                                    : OutboundStage::AwaitingPubrec;
        m_session.inflight.append(OutboundMessage{publish, stage, now, 1});
    }
    actions.push_back(SendPacket{std::move(publish), std::move(bytes)});
    m_lastSentAt = now;
    return true;
}

void ClientMachine::completeOutbound(Actions &actions, qsizetype index, ReasonCode reasonCode,
                                     Timestamp now)
{
    const OutboundMessage message = m_session.inflight.takeAt(index);
    const quint16 id = message.publish.packetId.value_or(0);
    releasePacketId(id);
    actions.push_back(PublishCompleted{id, message.publish.qos, reasonCode, false});
    // [MQTT-4.9.0-3] PUBACK / PUBCOMP / failed PUBREC give the quota back.
    drainQueue(actions, now);
}

void ClientMachine::discardInflight(Actions &actions)
{
    for (const OutboundMessage &message : std::as_const(m_session.inflight)) {
        const quint16 id = message.publish.packetId.value_or(0);
        releasePacketId(id);
        actions.push_back(PublishCompleted{id, message.publish.qos, ReasonCode::UnspecifiedError, true});
    }
    m_session.inflight.clear();
}

std::optional<ReasonCode> ClientMachine::refusalFor(const Publish &publish) const
{
    // [MQTT-3.2.2-11] Not above the server's Maximum QoS.
    if (quint8(publish.qos) > quint8(m_server.maximumQoS))
        return ReasonCode::QoSNotSupported;
    // [MQTT-3.2.2-14] No retained message when the server has no retain.
    if (publish.retain && !m_server.retainAvailable)
        return ReasonCode::RetainNotSupported;
    return std::nullopt;
}

qsizetype ClientMachine::findInflight(quint16 packetId) const
{
    // Acknowledgements mostly come in order, so the match is usually at the front.
    const auto &inflight = m_session.inflight;
    for (qsizetype i = 0; i < inflight.size(); ++i) {
        if (inflight.at(i).publish.packetId == packetId)
            return i;
    }
    return -1;
}

quint16 ClientMachine::allocatePacketId()
{
    // [MQTT-2.2.1-3] A new packet needs an id not in use by any unacknowledged
    // PUBLISH, SUBSCRIBE or UNSUBSCRIBE. Round-robin, so ids are not reused at once.
    for (int tries = 0; tries < MaxPacketId; ++tries) {
        const quint16 id = m_session.nextPacketId;
        m_session.nextPacketId = id >= MaxPacketId ? 1 : quint16(id + 1);
        if (!m_usedPacketIds.contains(id)) {
            m_usedPacketIds.insert(id);
            return id;
        }
    }
    return 0;
}

void ClientMachine::releasePacketId(quint16 packetId)
{
    m_usedPacketIds.remove(packetId);
}

qsizetype ClientMachine::sendQuota() const
{
    // [MQTT-4.9.0-2] No more QoS>0 PUBLISH than the server's Receive Maximum in flight.
    return std::max<qsizetype>(1, std::min<qsizetype>(m_server.receiveMaximum, m_config.maximumInflight));
}

quint32 ClientMachine::inboundMaximumPacketSize() const
{
    if (version() == ProtocolVersion::V5 && m_connect.properties.maximumPacketSize)
        return *m_connect.properties.maximumPacketSize;
    return m_config.maximumPacketSize;
}

} // namespace hermes::mqtt
