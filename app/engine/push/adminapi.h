#pragma once
/// The admin API (docs/ADMIN-API.md): MQTT 5 request/response on $hermes/admin/v1/… and
/// $hermes/admin/v2/… (v1's methods plus what a live console needs), for operators only,
/// answering in JSON. hermesctl and a remote console speak nothing else.

#include "pushservice.h"
#include "reportdeltas.h"
#include "sessionsource.h"
#include "sessionstream.h"
#include "sessionwatch.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>

namespace hermes {

class AdminApi : public QObject
{
    Q_OBJECT
public:
    static constexpr QLatin1StringView TopicPrefix{"$hermes/admin/v1/"};
    static constexpr QLatin1StringView TelemetryTopic{"$hermes/admin/v1/telemetry"};
    static constexpr QLatin1StringView TopicPrefixV2{"$hermes/admin/v2/"};
    /// Every BrokerCounters field once a second, while anyone subscribes.
    static constexpr QLatin1StringView TelemetryTopicV2{"$hermes/admin/v2/telemetry"};
    /// Each push report that changed, whole, at most once a second, while anyone subscribes.
    static constexpr QLatin1StringView ReportsTopic{"$hermes/admin/v2/push/reports"};
    /// The newest API version this broker answers.
    static constexpr int Version = 2;

    AdminApi(Broker &broker, PushService &push, QObject *parent = nullptr);

    /// Starts answering requests and publishing telemetry once a second.
    void start();

    /// Requests answered, and requests dropped (no response topic, not an operator).
    quint64 requestsAnswered() const { return m_answered; }
    quint64 requestsDropped() const { return m_dropped; }

    /// A method's outcome: its result, or an error code and message.
    struct Answer {
        QJsonObject result;
        QString errorCode;
        QString errorMessage;
        bool ok() const { return errorCode.isEmpty(); }
        static Answer error(QString code, QString message) { return {{}, std::move(code), std::move(message)}; }
        static Answer from(const PushError &error) { return {{}, error.code, error.message}; }
    };
    using Method = std::function<Answer(const QJsonObject &arguments)>;
    using Reply = std::function<void(const Answer &answer)>;

    /// Runs a method for an already authorised operator (the MQTT requests and the HTTP API
    /// both end here, so a push is handled one way whatever the transport).
    /// Unknown methods answer "unknown-method". A method that waits for another server (the
    /// kick of a cluster's session) answers `{"requested": true}` here at once.
    Answer call(const QString &method, const QJsonObject &arguments);
    /// The same for one API version (1 or 2): v2 answers v1's methods and its own.
    Answer call(int version, const QString &method, const QJsonObject &arguments);
    /// The same, answering through `reply` (once): at once, or when the server waited for
    /// has answered.
    void call(int version, const QString &method, const QJsonObject &arguments, Reply reply);
    /// Adds a method (e.g. "apikeys/create") answered like the built-in ones.
    void addMethod(const QString &name, Method method) { m_methods.insert(name, std::move(method)); }

    /// Lists, streams, watches, counts and kicks `source`'s sessions (an upstream cluster's)
    /// beside the broker's own. `source` outlives the API. Set once, before consoles attach.
    void setSessionSource(SessionSource *source);

private:
    void onClientMessage(const ClientIdentity &publisher, const mqtt::Publish &publish);
    void reply(const mqtt::Publish &request, const Answer &answer);
    /// sessions/snapshot (v2): several answers to one request, pages of bounded size,
    /// published in one event-loop turn so no stream batch falls between them.
    void replySnapshot(const mqtt::Publish &request, const QJsonObject &arguments);
    void publishTelemetry();
    void publishReportChanges();

    Answer apiVersion(const QJsonObject &arguments) const;
    Answer sessionDetail(const QJsonObject &arguments) const;
    Answer watchSession(const QJsonObject &arguments);

    Answer answerNow(int version, const QString &method, const QJsonObject &arguments);
    Answer listSessions(const QJsonObject &arguments) const;
    Answer getSession(const QJsonObject &arguments) const;
    void kick(const QJsonObject &arguments, Reply reply);
    /// The broker's counters, with the source's sessions counted in (upstream mode).
    BrokerCounters counters() const;
    bool isOnline(const QString &clientId) const;
    Answer listDevices(const QJsonObject &arguments) const;
    Answer updateDevice(const QJsonObject &arguments);
    Answer removeDevice(const QJsonObject &arguments);
    Answer audience(const QJsonObject &arguments) const;
    Answer sendPush(const QJsonObject &arguments);
    Answer pushReport(const QJsonObject &arguments) const;
    Answer listPushes(const QJsonObject &arguments) const;
    Answer listRetained(const QJsonObject &arguments) const;
    Answer deleteRetained(const QJsonObject &arguments);
    Answer listAccounts(const QJsonObject &arguments) const;
    Answer listNetworks(const QJsonObject &arguments) const;
    Answer setAccount(const QJsonObject &arguments);
    Answer removeAccount(const QJsonObject &arguments);
    QJsonObject deviceJson(const DeviceRecord &device) const;

    Broker &m_broker;
    PushService &m_push;
    QHash<QString, Method> m_methods;
    QHash<QString, Method> m_methodsV2; ///< v2 only; v2 also answers m_methods
    SessionSource *m_source = nullptr;
    SessionStream m_sessionStream;
    SessionWatches m_sessionWatches;
    QTimer m_telemetryTimer;
    quint64 m_reportsTold = 0; ///< PushService::reportSerial() when the report stream last looked
    ReportDeltas m_reportDeltas;
    quint64 m_answered = 0;
    quint64 m_dropped = 0;
};

/// Creates the push service, the admin API and the keep-alive offers as children of a started `broker` and
/// starts them. Returns the push service (also found with broker.findChild<PushService *>()).
/// With `transport` the push service delivers through it (an upstream cluster) instead.
PushService &installPushServices(Broker &broker, PushConfig config = {}, PushTransport *transport = nullptr);

} // namespace hermes
