#pragma once
/// The admin API v2 session stream (docs/ADMIN-API.md): while anyone subscribes to
/// `$hermes/admin/v2/sessions/events`, the broker compares its sessions with what it last
/// told the subscribers, at most once per interval, and publishes what changed (connected,
/// disconnected, changed, seen = only heard from, removed) in bounded, numbered batches.
/// A console takes a snapshot (sessions/snapshot) of exactly what the batches so far
/// describe, then applies the batches after its number: it never lists 10,000 sessions
/// again to learn that three changed.

#include "engine/api/telemetry.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QTimer>

#include <chrono>

namespace hermes {

class Broker;
class Session;
class SessionSource;

class SessionStream : public QObject
{
    Q_OBJECT
public:
    static constexpr QLatin1StringView EventsTopic{"$hermes/admin/v2/sessions/events"};

    struct Limits {
        std::chrono::milliseconds interval{500}; ///< at most one batch per interval
        int maxBatchEntries = 1000;              ///< rows and ids per batch; the rest waits
    };

    explicit SessionStream(Broker &broker, QObject *parent = nullptr);
    SessionStream(Broker &broker, Limits limits, QObject *parent = nullptr);

    /// Watches for subscribers from now on.
    void start();
    bool isRunning() const { return m_timer.isActive(); }
    /// Streams `source`'s sessions too (an upstream cluster's, beside the broker's own
    /// operators), compared only when its generation moved: a refresh of the cluster's
    /// 10,000 sessions costs one comparison per session, nothing between refreshes. A
    /// client ID the broker holds itself is the broker's. Set once, before anyone subscribes.
    void setSource(const SessionSource *source) { m_source = source; }

    /// What the batches up to sequence number `sequence` describe, sorted by client ID.
    struct Snapshot {
        quint64 sequence = 0;
        QList<SessionInfo> sessions; ///< the source's with their node
    };
    /// Starts the comparison if it was idle (so a snapshot never waits for a subscriber).
    Snapshot snapshot();

    quint64 batchesPublished() const { return m_sequence; }

private:
    void onClientSubscribed();
    void tick();
    /// Takes every session as already told, without publishing (the stream starts).
    void takeBaseline();
    void publishChanges();
    /// Compares the source's sessions with what was told, within `budget` entries; false when
    /// the budget ran out before every change was told.
    bool compareSource(int &budget, QJsonArray &connected, QJsonArray &disconnected, QJsonArray &changed);

    /// The numbers a session row is made of, read without building the row: a session
    /// whose fingerprint did not move costs one hash lookup and one comparison per interval.
    struct Fingerprint {
        bool online = false;
        quint16 keepAliveSeconds = 0;
        int inflight = 0, inflightHighWater = 0, queued = 0, queuedHighWater = 0, subscriptions = 0;
        quint32 expirySeconds = 0;
        qint64 connectedSinceMs = 0, offlineSinceMs = 0, lastInboundMs = 0;
        quint64 messagesIn = 0, messagesOut = 0, messagesDropped = 0;
        bool operator==(const Fingerprint &) const = default;
    };
    static Fingerprint fingerprintOf(const Session &session);

    Broker &m_broker;
    const Limits m_limits;
    QTimer m_timer;
    struct Told {
        SessionInfo info;
        Fingerprint print;
        quint64 scan = 0; ///< the last comparison that found the session
        bool fromSource = false;
    };
    QHash<QString, Told> m_told; ///< what the batches so far say; empty while idle
    const SessionSource *m_source = nullptr;
    quint64 m_sourceGenerationTold = 0; ///< the source's generation the batches so far describe
    bool m_baseline = false;
    quint64 m_scan = 0;
    quint64 m_sequence = 0; ///< of the last batch; never reset, so consoles can detect gaps
};

} // namespace hermes
