#pragma once
/// One session watched for a console's Session detail: the detail is built at most once per
/// tick of its owner and handed on only when it differs from what was handed last — a
/// heartbeat, a packet in the trace, an in-flight message acknowledged — so the console
/// neither polls nor receives the same detail twice.

#include "engine/api/telemetry.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>
#include <variant>

namespace hermes {

class Broker;
class SessionSource;

class SessionWatch : public QObject
{
    Q_OBJECT
public:
    explicit SessionWatch(QString clientId, QObject *parent = nullptr);

    const QString &clientId() const { return m_clientId; }

    struct Change {
        SessionDetail detail;
        QJsonObject json; ///< the detail as the admin API sends it (docs/ADMIN-API.md)
    };
    /// The session's detail if it changed since the last call that returned one (the first
    /// call returns it); nullopt when unchanged or when the session is gone. A session the
    /// broker does not hold is looked up in `source` (an upstream cluster's), whose detail
    /// is its row and node: its management API has nothing more.
    std::optional<Change> changed(const Broker &broker, const SessionSource *source = nullptr);
    /// The detail now, changed or not (what changed() compares with stays as it was).
    std::optional<Change> now(const Broker &broker, const SessionSource *source = nullptr) const;

private:
    QString m_clientId;
    QJsonObject m_last; ///< what was handed on last
};

/// The admin API's session watches (docs/ADMIN-API.md, `sessions/watch`): each watched
/// session has a topic; while anyone subscribes to it, the broker publishes the session's
/// detail there whenever it changes, at most once per interval. A watch nobody subscribes
/// to ends after a grace period, so a console that went away costs nothing for long.
class SessionWatches : public QObject
{
    Q_OBJECT
public:
    static constexpr QLatin1StringView TopicPrefix{"$hermes/admin/v2/sessions/watch/"};

    struct Limits {
        std::chrono::milliseconds interval{250};
        int maxWatches = 64;                           ///< sessions watched at once, all consoles
        std::chrono::milliseconds unsubscribedFor{10000}; ///< then the watch ends
    };

    explicit SessionWatches(Broker &broker, QObject *parent = nullptr);
    SessionWatches(Broker &broker, Limits limits, QObject *parent = nullptr);
    ~SessionWatches() override;

    /// "$hermes/admin/v2/sessions/watch/" and the client ID percent-encoded (any client ID
    /// becomes one valid topic level).
    static QString topicFor(const QString &clientId);
    /// Watches the sessions of `source` too (see SessionWatch::changed()).
    void setSource(const SessionSource *source) { m_source = source; }

    struct Started {
        QString topic;
        QJsonObject detail; ///< the detail now; the topic carries the next change
    };
    enum class Refusal : quint8 { NoSuchSession, TooManyWatches };
    /// Starts watching `clientId`, or joins the watch another console started.
    std::variant<Started, Refusal> watch(const QString &clientId);
    int size() const { return int(m_watches.size()); }

private:
    void tick();

    struct Watched {
        std::unique_ptr<SessionWatch> watch;
        qint64 unsubscribedSinceMs = 0; ///< 0 while someone subscribes
    };
    Broker &m_broker;
    const SessionSource *m_source = nullptr;
    const Limits m_limits;
    std::unordered_map<QString, Watched> m_watches; ///< by topic
    QTimer m_timer;
};

} // namespace hermes
