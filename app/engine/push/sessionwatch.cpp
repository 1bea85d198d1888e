#include "sessionwatch.h"

#include "../broker.h"
#include "sessionjson.h"
#include "sessionsource.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QUrl>

namespace hermes {

SessionWatch::SessionWatch(QString clientId, QObject *parent)
    : QObject(parent)
    , m_clientId(std::move(clientId))
{
}

std::optional<SessionWatch::Change> SessionWatch::now(const Broker &broker, const SessionSource *source) const
{
    std::optional<SessionDetail> detail = broker.sessionDetail(m_clientId);
    if (!detail && source) {
        const auto found = source->sessions().constFind(m_clientId);
        if (found == source->sessions().cend())
            return std::nullopt;
        SessionDetail row;
        row.info = found->info;
        QJsonObject json = sessionDetailJson(row); // with its "node"
        return Change{std::move(row), std::move(json)};
    }
    if (!detail)
        return std::nullopt;
    QJsonObject json = sessionDetailJson(*detail);
    return Change{std::move(*detail), std::move(json)};
}

std::optional<SessionWatch::Change> SessionWatch::changed(const Broker &broker, const SessionSource *source)
{
    std::optional<Change> change = now(broker, source);
    // The JSON form is what a remote console receives and carries only absolute times, so
    // comparing it is exactly "would the console see something new".
    if (!change || change->json == m_last)
        return std::nullopt;
    m_last = change->json;
    return change;
}

SessionWatches::SessionWatches(Broker &broker, QObject *parent)
    : SessionWatches(broker, Limits{}, parent)
{
}

SessionWatches::SessionWatches(Broker &broker, Limits limits, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
    , m_limits(limits)
{
    m_timer.setInterval(m_limits.interval);
    connect(&m_timer, &QTimer::timeout, this, &SessionWatches::tick);
}

SessionWatches::~SessionWatches() = default;

QString SessionWatches::topicFor(const QString &clientId)
{
    return TopicPrefix + QString::fromLatin1(QUrl::toPercentEncoding(clientId));
}

std::variant<SessionWatches::Started, SessionWatches::Refusal> SessionWatches::watch(const QString &clientId)
{
    const QString topic = topicFor(clientId);
    auto found = m_watches.find(topic);
    std::optional<SessionWatch::Change> now;
    if (found == m_watches.end()) {
        if (int(m_watches.size()) >= m_limits.maxWatches)
            return Refusal::TooManyWatches;
        auto watch = std::make_unique<SessionWatch>(clientId);
        now = watch->changed(m_broker, m_source); // the first change: what the answer carries
        if (!now)
            return Refusal::NoSuchSession;
        found = m_watches.emplace(topic, Watched{std::move(watch), QDateTime::currentMSecsSinceEpoch()}).first;
    } else {
        // Joining a watch leaves what its subscribers were last sent as it is.
        now = found->second.watch->now(m_broker, m_source);
        if (!now)
            return Refusal::NoSuchSession;
    }
    // Without subscribers, the grace period counts from now: the console subscribes right
    // after this answer.
    if (found->second.unsubscribedSinceMs != 0)
        found->second.unsubscribedSinceMs = QDateTime::currentMSecsSinceEpoch();
    if (!m_timer.isActive())
        m_timer.start();
    return Started{topic, std::move(now->json)};
}

void SessionWatches::tick()
{
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_watches.begin(); it != m_watches.end();) {
        auto &[topic, watched] = *it;
        if (!m_broker.hasSubscribers(topic)) {
            if (watched.unsubscribedSinceMs == 0)
                watched.unsubscribedSinceMs = nowMs;
            if (nowMs - watched.unsubscribedSinceMs >= m_limits.unsubscribedFor.count())
                it = m_watches.erase(it);
            else
                ++it;
            continue;
        }
        watched.unsubscribedSinceMs = 0;
        if (std::optional<SessionWatch::Change> change = watched.watch->changed(m_broker, m_source)) {
            mqtt::Publish message;
            message.topic = topic;
            message.payload = QJsonDocument(change->json).toJson(QJsonDocument::Compact);
            message.properties.contentType = QStringLiteral("application/json");
            m_broker.publish(std::move(message));
        }
        ++it;
    }
    if (m_watches.empty())
        m_timer.stop();
}

} // namespace hermes
