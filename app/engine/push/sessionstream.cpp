#include "sessionstream.h"

#include "../broker.h"
#include "sessionjson.h"
#include "sessionsource.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>

namespace hermes {

SessionStream::SessionStream(Broker &broker, QObject *parent)
    : SessionStream(broker, Limits{}, parent)
{
}

SessionStream::SessionStream(Broker &broker, Limits limits, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_limits(limits)
{
    m_timer.setInterval(m_limits.interval);
    connect(&m_timer, &QTimer::timeout, this, &SessionStream::tick);
}

void SessionStream::start()
{
    connect(&m_broker, &Broker::clientSubscribed, this, &SessionStream::onClientSubscribed);
}

void SessionStream::onClientSubscribed()
{
    if (!m_timer.isActive() && m_broker.hasSubscribers(QString(EventsTopic))) {
        takeBaseline();
        m_timer.start();
    }
}

void SessionStream::tick()
{
    if (!m_broker.hasSubscribers(QString(EventsTopic))) {
        // Nobody listens: nothing is compared, kept or published until someone does.
        m_timer.stop();
        m_told.clear();
        m_told.squeeze();
        m_baseline = false;
        return;
    }
    publishChanges();
}

SessionStream::Fingerprint SessionStream::fingerprintOf(const Session &session)
{
    const SessionActivity &a = session.activity;
    return {session.connection != nullptr, a.keepAliveSeconds, a.inflight, a.inflightHighWater, a.queued,
            a.queuedHighWater, a.subscriptions, session.expirySeconds, a.connectedSinceMs, a.offlineSinceMs,
            a.lastInboundMs, a.messagesIn, a.messagesOut, a.messagesDropped};
}

void SessionStream::takeBaseline()
{
    if (m_baseline)
        return;
    m_baseline = true;
    ++m_scan;
    m_told.clear();
    m_told.reserve(qsizetype(m_broker.sessionRegistry().size()));
    for (const auto &[id, session] : m_broker.sessionRegistry().all())
        m_told.insert(session->clientId, Told{session->info(), fingerprintOf(*session), m_scan, false});
    if (m_source) {
        for (const ClusterSession &session : m_source->sessions()) {
            if (!m_told.contains(session.info.clientId))
                m_told.insert(session.info.clientId, Told{session.info, {}, m_scan, true});
        }
        m_sourceGenerationTold = m_source->generation();
    }
}

SessionStream::Snapshot SessionStream::snapshot()
{
    takeBaseline();
    if (!m_timer.isActive())
        m_timer.start(); // the next tick ends it again if nobody subscribes
    Snapshot snapshot;
    snapshot.sequence = m_sequence;
    snapshot.sessions.reserve(m_told.size());
    for (const Told &told : std::as_const(m_told))
        snapshot.sessions.append(told.info);
    std::sort(snapshot.sessions.begin(), snapshot.sessions.end(),
              [](const SessionInfo &a, const SessionInfo &b) { return a.clientId < b.clientId; });
    return snapshot;
}

bool SessionStream::compareSource(int &budget, QJsonArray &connected, QJsonArray &disconnected, QJsonArray &changed)
{
    bool complete = true;
    for (const ClusterSession &session : m_source->sessions()) {
        const SessionInfo &info = session.info;
        if (m_broker.sessionRegistry().find(info.clientId))
            continue; // the broker's own session of that name was compared above
        const auto found = m_told.find(info.clientId);
        if (found == m_told.end()) {
            if (budget == 0) {
                complete = false;
                continue;
            }
            --budget;
            (info.online ? connected : changed).append(sessionRowJson(info));
            m_told.insert(info.clientId, Told{info, {}, m_scan, true});
            continue;
        }
        Told &told = *found;
        told.scan = m_scan;
        if (sameSessionRow(told.info, info))
            continue;
        if (budget == 0) {
            complete = false;
            continue;
        }
        --budget;
        if (info.online && (!told.info.online || told.info.connectedSinceMs != info.connectedSinceMs))
            connected.append(sessionRowJson(info));
        else if (!info.online && told.info.online)
            disconnected.append(sessionRowJson(info));
        else
            changed.append(sessionRowJson(info));
        told.info = info;
    }
    return complete;
}

void SessionStream::publishChanges()
{
    ++m_scan;
    int budget = m_limits.maxBatchEntries;
    QJsonArray connected, disconnected, changed, removed;
    QJsonObject seen;
    for (const auto &[key, session] : m_broker.sessionRegistry().all()) {
        const auto found = m_told.find(session->clientId);
        if (found == m_told.end()) {
            if (budget == 0)
                continue; // told in a later batch
            --budget;
            SessionInfo info = session->info();
            (info.online ? connected : changed).append(sessionRowJson(info));
            m_told.insert(session->clientId, Told{std::move(info), fingerprintOf(*session), m_scan, false});
            continue;
        }
        Told &told = *found;
        told.scan = m_scan;
        if (told.fromSource) {
            // The cluster had a session by this name before the broker did: the broker's wins.
            told.fromSource = false;
            told.print = {};
        }
        const Fingerprint print = fingerprintOf(*session);
        if (print == told.print || budget == 0)
            continue; // unchanged (most sessions, most of the time), or told in a later batch
        SessionInfo info = session->info();
        const bool sameExceptSeen = sameSessionRow(told.info, info);
        told.print = print;
        if (sameExceptSeen && told.info.lastInboundMs == info.lastInboundMs)
            continue;
        --budget;
        if (sameExceptSeen)
            seen.insert(info.clientId, double(info.lastInboundMs));
        else if (info.online && (!told.info.online || told.info.connectedSinceMs != info.connectedSinceMs))
            connected.append(sessionRowJson(info));
        else if (!info.online && told.info.online)
            disconnected.append(sessionRowJson(info));
        else
            changed.append(sessionRowJson(info));
        told.info = std::move(info);
    }
    // The source's sessions are compared only after a refresh of the source changed them.
    const bool sourceCompared = m_source && m_source->generation() != m_sourceGenerationTold;
    if (sourceCompared && compareSource(budget, connected, disconnected, changed))
        m_sourceGenerationTold = m_source->generation();
    for (auto it = m_told.begin(); it != m_told.end() && budget > 0;) {
        if (it->scan == m_scan || (it->fromSource && !sourceCompared)) {
            ++it;
            continue;
        }
        --budget;
        removed.append(it.key());
        it = m_told.erase(it);
    }
    if (budget == m_limits.maxBatchEntries)
        return; // nothing changed: nothing is sent

    QJsonObject batch{{QStringLiteral("seq"), double(++m_sequence)},
                      {QStringLiteral("atMs"), double(QDateTime::currentMSecsSinceEpoch())}};
    const auto insertNonEmpty = [&batch](const char *key, const auto &list) {
        if (!list.isEmpty())
            batch.insert(QLatin1String(key), list);
    };
    insertNonEmpty("connected", connected);
    insertNonEmpty("disconnected", disconnected);
    insertNonEmpty("changed", changed);
    insertNonEmpty("seen", seen);
    insertNonEmpty("removed", removed);
    mqtt::Publish message;
    message.topic = QString(EventsTopic);
    message.payload = QJsonDocument(batch).toJson(QJsonDocument::Compact);
    message.properties.contentType = QStringLiteral("application/json");
    m_broker.publish(std::move(message));
}

} // namespace hermes
