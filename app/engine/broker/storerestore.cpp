#include "storerestore.h"

#include "sessionregistry.h"

#include "engine/store/retainedstore.h"
#include "engine/store/store.h"

namespace hermes {

using namespace mqtt;

void restoreFromStore(Store &store, SessionRegistry &sessions, SubscriptionTree &subscriptions,
                      RetainedStore &retained, Timestamp at, qint64 wallMs)
{
    const auto monotonic = [&](std::optional<qint64> stored) -> std::optional<Timestamp> {
        if (!stored)
            return std::nullopt;
        return at + std::chrono::milliseconds(*stored - wallMs);
    };
    for (const StoredRetained &message : store.loadRetained())
        retained.apply(message.publish, monotonic(message.expiresAtMs), message.storedAtMs);

    for (const StoredSession &stored : store.loadSessions()) {
        Session &session = sessions.create(stored.clientId);
        session.expirySeconds = stored.expirySeconds;
        session.version = stored.version;
        session.cleanStart = false;
        const qint64 offlineSince = stored.disconnectedAtMs > 0 ? stored.disconnectedAtMs : wallMs;
        if (stored.expirySeconds != Session::NeverExpires) {
            const qint64 remainingMs = qint64(stored.expirySeconds) * 1000 - (wallMs - offlineSince);
            session.expiresAt = at + std::chrono::milliseconds(std::max<qint64>(0, remainingMs));
        }
        for (const SubscriptionRecord &record : stored.subscriptions)
            subscriptions.subscribe(session.id, record.filter, record.options, record.subscriptionIdentifier);
        session.offlineState = std::make_unique<SessionState>();
        SessionState &state = *session.offlineState;
        for (const StoredSession::Message &message : stored.messages) {
            QueuedMessage queued{message.publish, monotonic(message.expiresAtMs), message.tag};
            if (message.packetId) {
                queued.publish.packetId = message.packetId;
                OutboundMessage inflight;
                inflight.packetId = *message.packetId;
                inflight.message = std::move(queued);
                inflight.stage = message.stage;
                inflight.sendCount = 1;
                state.inflight.append(std::move(inflight));
            } else {
                state.queued.push_back(std::move(queued));
            }
        }
        for (const quint16 packetId : stored.inboundAwaitingRelease)
            state.inboundAwaitingRelease.insert(packetId);
        state.nextPacketId = stored.nextPacketId;
        session.activity.offlineSinceMs = offlineSince;
        session.activity.subscriptions = int(stored.subscriptions.size());
        session.refreshBacklog();
    }
}

} // namespace hermes
