// SessionMachine: what the client sends — PUBLISH with its QoS 1/2 acknowledgements held
// for the engine, PUBREL, SUBSCRIBE and UNSUBSCRIBE with the engine's answers.
#include "sessionmachine.h"

#include <algorithm>
#include <type_traits>

namespace hermes::mqtt {

namespace {

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

qsizetype SessionMachine::inboundInUse() const
{
    // QoS 1 until PUBACK, QoS 2 until PUBCOMP (4.9).
    return m_inboundQos1Unacked + m_session.inboundAwaitingRelease.size();
}

} // namespace hermes::mqtt
