#pragma once
/// The HTTP API (docs/HTTP-API.md, docs/openapi.yaml): REST over the admin API's methods for
/// business back-ends, plus GET /metrics (Prometheus), /healthz and /readyz.

#include "engine/brokerconfig.h"

#include <QtHttpServer/QAbstractHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QJsonObject>
#include <QSslConfiguration>
#include <QUrlQuery>

#include <functional>
#include <optional>

namespace hermes {

class AdminApi;
class ApiKeyRing;
class Broker;
class PushService;

/// Responses by status class, for /metrics.
struct HttpCounters {
    quint64 success = 0;
    quint64 clientErrors = 0;
    quint64 serverErrors = 0;
};

/// Every /api/v1 request needs `Authorization: Bearer KEY` (ApiKeyRing); /healthz and
/// /readyz never do; /metrics does unless HttpSettings::metricsAnonymous. Each request is
/// answered by an AdminApi method, so the HTTP API and the MQTT admin API cannot disagree.
/// Errors are {"error": {"code", "message"}} with a stable code and the matching status.
/// Bodies above HttpSettings::maxBodyBytes are refused with 413 as soon as the headers
/// announce them (or the bytes exceed it), before they are buffered; a connection silent
/// for HttpSettings::idleTimeoutSeconds is closed.
/// Lives on the broker's thread.
class HttpApi : public QAbstractHttpServer
{
    Q_OBJECT
public:
    HttpApi(Broker &broker, AdminApi &admin, PushService &push, ApiKeyRing &keys, HttpSettings settings,
            QObject *parent = nullptr);

    /// Listens on settings.listener (with `tls` when it is an https listener). False with
    /// `error` ("127.0.0.1:8080: The bound address is already in use").
    bool listen(const std::optional<QSslConfiguration> &tls, QString *error);
    /// The address actually bound (port 0 resolved).
    ListenAddress address() const { return m_bound; }
    /// "http://127.0.0.1:8080" or "https://…"
    QString url() const;
    const HttpCounters &counters() const { return m_counters; }

    /// One answer: status, body and its type, and extra headers.
    struct Reply {
        int status = 200;
        QByteArray body;
        QByteArray contentType = "application/json";
        QList<std::pair<QByteArray, QByteArray>> headers;
        static Reply json(int status, const QJsonObject &object);
        static Reply error(int status, const QString &code, const QString &message);
    };

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Call {
        const QHttpServerRequest &request;
        QStringList captures; ///< the {} segments of the route, decoded
        QUrlQuery query;
    };
    using Handler = std::function<Reply(const Call &call)>;
    struct Route {
        QStringList segments; ///< "{}" matches any one segment
        QHttpServerRequest::Method method;
        Handler handler;
        bool anonymous = false;
    };

    void addRoute(QHttpServerRequest::Method method, const QString &path, Handler handler, bool anonymous = false);
    Reply dispatch(const QHttpServerRequest &request);
    bool isAuthorised(const QHttpServerRequest &request) const;
    void send(const QHttpServerRequest &request, QTcpSocket *socket, const Reply &reply);
    /// Runs an admin method and maps its answer: result → `successStatus`, error code → status.
    Reply callAdmin(const QString &method, const QJsonObject &arguments, int successStatus = 200);
    /// Slices the array `key` of a list answer by the call's limit and offset.
    Reply paginated(const Call &call, const QString &method, QJsonObject arguments, const QString &key);

    Reply createPush(const Call &call);
    Reply readiness() const;

    Broker &m_broker;
    AdminApi &m_admin;
    PushService &m_push;
    ApiKeyRing &m_keys;
    HttpSettings m_settings;
    QList<Route> m_routes;
    ListenAddress m_bound;
    HttpCounters m_counters;
};

/// Creates the API key ring (adding apikeys/* to the broker's admin API) and, when
/// config().http.listener is set, the HTTP API on it. Call after installPushServices().
/// Null with `error` when the listener cannot be opened; the key ring exists regardless.
HttpApi *installHttpApi(Broker &broker, QString *error);

} // namespace hermes
