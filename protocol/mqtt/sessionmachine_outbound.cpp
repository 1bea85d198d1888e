// SessionMachine: what the server sends — the queue, the in-flight window, packet ids,
// resends, and the client's PUBACK / PUBREC / PUBCOMP.
#include "sessionmachine.h"
#include "sessionmachine_p.h"

#include <algorithm>
#include <type_traits>

namespace hermes::mqtt {

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
