#pragma once
/// The admin API's client side without blocking (docs/ADMIN-API.md): requests over an
/// MqttClient with Response Topic and Correlation Data, answers routed to a callback by
/// their correlation, a deadline per request. A console keeps many requests in flight on
/// one connection and its event loop never waits for one.

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace hermes {

class MqttClient;

/// One answer: the method's result, or why there is none. `code` is the API's error code
/// ("not-found"), or "timeout", "refused" (the broker refused the request's PUBLISH:
/// `message` says why), "malformed" or "disconnected" for failures on the way.
struct AdminAnswer {
    bool ok = false;
    QJsonObject result;
    QString code;
    QString message;
    quint8 refusal = 0; ///< the PUBACK's reason code when `code` is "refused"
};

class AdminChannel : public QObject
{
    Q_OBJECT
public:
    static constexpr QLatin1StringView Root{"$hermes/admin/"};

    /// Uses `client` (which outlives this) and expects answers on `replyTopic`; the owner
    /// subscribes to it (replyTopicFor()) and feeds received messages to onMessage().
    AdminChannel(MqttClient &client, QString replyTopic, QObject *parent = nullptr);
    ~AdminChannel() override;

    /// "$hermes/admin/v2/replies/CLIENT-ID".
    static QString replyTopicFor(int version, const QString &clientId);

    /// Called once per answer; return true when no more answers are expected (a paged
    /// method answers several times to one request).
    using Handler = std::function<bool(const AdminAnswer &answer)>;
    /// Sends `method` of API `version`; `handler` runs for each answer, or once with an
    /// error when the deadline passes first. The request is QoS 1, so a broker that refuses
    /// it (not an operator) says so at once.
    void request(int version, const QString &method, const QJsonObject &arguments, Handler handler);
    /// The same for a method that answers once.
    void call(int version, const QString &method, const QJsonObject &arguments,
              std::function<void(const AdminAnswer &answer)> done);

    /// Returns true when `publish` was an answer for this channel (consumed).
    bool onMessage(const QString &topic, const QByteArray &payload, const QByteArray &correlation);
    /// The broker answered the request's PUBLISH (PUBACK).
    void onPublished(quint16 packetId, quint8 reasonCode, const QString &reasonName);
    /// Every request waiting fails with "disconnected" (the connection went).
    void failAll(const QString &why);

    void setTimeout(std::chrono::milliseconds timeout) { m_timeout = timeout; }
    int pending() const { return int(m_pending.size()); }

private:
    struct Pending {
        QString method;
        Handler handler;
        qint64 deadlineMs = 0;
        int packetId = -1;
    };
    void expire();
    /// Runs the handler; forgets the request when it is done.
    void answer(const QByteArray &correlation, const AdminAnswer &answer);

    MqttClient &m_client;
    const QString m_replyTopic;
    std::chrono::milliseconds m_timeout{10000};
    QHash<QByteArray, Pending> m_pending; ///< by correlation data
    QTimer *const m_expiry = new QTimer(this); ///< a child: it moves with the channel's thread
    quint64 m_requests = 0;
};

} // namespace hermes
