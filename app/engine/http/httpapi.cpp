#include "httpapi.h"

#include "apikeyring.h"
#include "prometheusexporter.h"

#include "engine/broker.h"
#include "engine/push/adminapi.h"
#include "engine/push/pushservice.h"

#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTimer>

Q_LOGGING_CATEGORY(lcHttp, "hermes.http")

namespace hermes {

using Method = QHttpServerRequest::Method;

namespace {

constexpr QLatin1StringView ApiPrefix{"/api/v1"};
/// Room for the request line and headers on top of the body limit.
constexpr qint64 HeaderAllowance = 64 * 1024;
/// How much of a refused body is read and dropped so that the client sees the 413 instead
/// of a reset; beyond it the connection is cut.
constexpr qint64 MaxDiscardedBytes = 64 * 1024 * 1024;

QByteArray errorBody(const QString &code, const QString &message)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code},
                                                                            {QStringLiteral("message"), message}}}})
        .toJson(QJsonDocument::Compact);
}

/// The status an admin API error code maps to.
int statusFor(const QString &code)
{
    if (code == QLatin1String("bad-request"))
        return 400;
    if (code == QLatin1String("not-found"))
        return 404;
    if (code == QLatin1String("forbidden"))
        return 403;
    if (code == QLatin1String("unavailable"))
        return 503;
    return 500;
}

QByteArray methodName(Method method)
{
    switch (method) {
    case Method::Get: return "GET";
    case Method::Put: return "PUT";
    case Method::Delete: return "DELETE";
    case Method::Post: return "POST";
    case Method::Head: return "HEAD";
    case Method::Options: return "OPTIONS";
    case Method::Patch: return "PATCH";
    default: return "OTHER";
    }
}

QStringList pathSegments(const QString &path)
{
    return path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
}

/// Watches one connection before QAbstractHttpServer sees its bytes:
/// - a request whose headers announce a body above the limit, or whose bytes exceed it, gets
///   413 at once and the rest of its body is read and dropped;
/// - a connection that sends nothing for HttpSettings::idleTimeoutSeconds is closed, so idle
///   or trickling clients cannot hold sockets open for ever.
/// requestAnswered() when a request was answered.
class ConnectionGuard : public QObject
{
public:
    ConnectionGuard(QTcpSocket *socket, const HttpSettings &settings)
        : QObject(socket), m_socket(socket), m_maxBodyBytes(settings.maxBodyBytes)
    {
        // Answers are small and written in pieces: Nagle would hold the last one back.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        // Connected before the HTTP server's own handler (the socket is not handed to it
        // yet), so this runs first on every readyRead.
        connect(socket, &QTcpSocket::readyRead, this, &ConnectionGuard::onReadyRead);
        m_idle.setSingleShot(true);
        m_idle.setInterval(std::chrono::seconds(settings.idleTimeoutSeconds));
        connect(&m_idle, &QTimer::timeout, this, [this] {
            qCDebug(lcHttp) << "closing an idle connection from" << m_socket->peerAddress().toString();
            m_socket->disconnectFromHost();
        });
        m_idle.start();
    }
    void requestAnswered()
    {
        m_received = 0;
        m_idle.start();
    }

private:
    void onReadyRead()
    {
        m_idle.start();
        if (m_refused) {
            m_discarded += m_socket->readAll().size();
            if (m_discarded > MaxDiscardedBytes)
                m_socket->abort();
            return;
        }
        const QByteArray pending = m_socket->peek(m_socket->bytesAvailable());
        m_received += pending.size();
        if (m_received > m_maxBodyBytes + HeaderAllowance || announcedLength(pending) > m_maxBodyBytes)
            refuse();
    }

    /// The Content-Length of a request whose headers start in `bytes`; -1 when none is seen.
    static qint64 announcedLength(const QByteArray &bytes)
    {
        const qsizetype end = bytes.indexOf("\r\n\r\n");
        const QByteArray head = (end < 0 ? bytes : bytes.left(end)).toLower();
        const qsizetype at = head.indexOf("\r\ncontent-length:");
        if (at < 0)
            return -1;
        const qsizetype valueStart = at + qsizetype(sizeof "\r\ncontent-length:") - 1;
        const qsizetype lineEnd = head.indexOf("\r\n", valueStart);
        bool ok = false;
        const qint64 length = head.mid(valueStart, lineEnd < 0 ? -1 : lineEnd - valueStart).trimmed().toLongLong(&ok);
        return ok ? length : -1;
    }

    void refuse()
    {
        m_refused = true;
        m_discarded = m_socket->readAll().size();
        const QByteArray body = errorBody(QStringLiteral("payload-too-large"),
                                          QStringLiteral("the request is larger than %1 bytes").arg(m_maxBodyBytes));
        m_socket->write("HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        m_socket->flush();
        // Closed once the client has had time to read the answer; the body it still sends
        // is dropped meanwhile.
        m_idle.stop();
        QTimer::singleShot(std::chrono::seconds(5), m_socket, [socket = m_socket] { socket->disconnectFromHost(); });
        qCInfo(lcHttp) << "refused a request larger than" << m_maxBodyBytes << "bytes from" << m_socket->peerAddress().toString();
    }

    QTcpSocket *m_socket;
    qint64 m_maxBodyBytes;
    QTimer m_idle;
    qint64 m_received = 0;
    qint64 m_discarded = 0;
    bool m_refused = false;
};

class GuardedTcpServer : public QTcpServer
{
public:
    GuardedTcpServer(const HttpSettings &settings, QObject *parent) : QTcpServer(parent), m_settings(settings) {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        new ConnectionGuard(socket, m_settings);
        addPendingConnection(socket);
    }

private:
    const HttpSettings &m_settings;
};

} // namespace

HttpApi::Reply HttpApi::Reply::json(int status, const QJsonObject &object)
{
    return Reply{status, QJsonDocument(object).toJson(QJsonDocument::Compact), "application/json", {}};
}

HttpApi::Reply HttpApi::Reply::error(int status, const QString &code, const QString &message)
{
    return Reply{status, errorBody(code, message), "application/json", {}};
}

HttpApi::HttpApi(Broker &broker, AdminApi &admin, PushService &push, ApiKeyRing &keys, HttpSettings settings,
                 QObject *parent)
    : QAbstractHttpServer(parent)
    , m_broker(broker)
    , m_admin(admin)
    , m_push(push)
    , m_keys(keys)
    , m_settings(std::move(settings))
{
    addRoute(Method::Get, QStringLiteral("/healthz"), [](const Call &) {
        return Reply::json(200, {{QStringLiteral("status"), QStringLiteral("ok")}});
    }, true);
    addRoute(Method::Get, QStringLiteral("/readyz"), [this](const Call &) { return readiness(); }, true);
    addRoute(Method::Get, QStringLiteral("/metrics"), [this](const Call &) {
        return Reply{200, prometheusText(m_broker, m_push, m_counters), "text/plain; version=0.0.4; charset=utf-8", {}};
    }, m_settings.metricsAnonymous);

    addRoute(Method::Post, ApiPrefix + QStringLiteral("/pushes"), [this](const Call &call) { return createPush(call); });
    addRoute(Method::Get, ApiPrefix + QStringLiteral("/pushes"), [this](const Call &call) {
        bool ok = true;
        const int limit = call.query.hasQueryItem(QStringLiteral("limit")) ? call.query.queryItemValue(QStringLiteral("limit")).toInt(&ok) : 50;
        if (!ok || limit < 1 || limit > 1000)
            return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("limit must be a number from 1 to 1000"));
        return callAdmin(QStringLiteral("push/list"), {{QStringLiteral("limit"), limit}});
    });
    addRoute(Method::Get, ApiPrefix + QStringLiteral("/pushes/{}"), [this](const Call &call) {
        const bool targets = call.query.queryItemValue(QStringLiteral("targets")) != QLatin1String("false");
        return callAdmin(QStringLiteral("push/report"),
                         {{QStringLiteral("pushId"), call.captures.at(0)}, {QStringLiteral("targets"), targets}});
    });
    addRoute(Method::Get, ApiPrefix + QStringLiteral("/devices"), [this](const Call &call) {
        QJsonObject arguments;
        for (const char *name : {"tag", "alias"}) {
            if (const QString value = call.query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded); !value.isEmpty())
                arguments.insert(QLatin1String(name), value);
        }
        if (const QString online = call.query.queryItemValue(QStringLiteral("online")); !online.isEmpty()) {
            if (online != QLatin1String("true") && online != QLatin1String("false"))
                return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("online must be true or false"));
            arguments.insert(QStringLiteral("online"), online == QLatin1String("true"));
        }
        return paginated(call, QStringLiteral("devices/list"), arguments, QStringLiteral("devices"));
    });
    addRoute(Method::Put, ApiPrefix + QStringLiteral("/devices/{}"), [this](const Call &call) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(call.request.body(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isObject())
            return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("the body must be a JSON object"));
        QJsonObject arguments = document.object();
        for (const char *list : {"tags", "addTags", "removeTags"}) {
            if (arguments.contains(QLatin1String(list)) && !arguments.value(QLatin1String(list)).isArray())
                return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("%1 must be an array of strings").arg(QLatin1String(list)));
        }
        if (arguments.contains(QLatin1String("alias")) && !arguments.value(QLatin1String("alias")).isString())
            return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("alias must be a string"));
        arguments.insert(QStringLiteral("id"), call.captures.at(0));
        return callAdmin(QStringLiteral("devices/update"), arguments);
    });
    addRoute(Method::Get, ApiPrefix + QStringLiteral("/sessions"), [this](const Call &call) {
        QJsonObject arguments;
        for (const char *name : {"filter", "state"}) {
            if (const QString value = call.query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded); !value.isEmpty())
                arguments.insert(QLatin1String(name), value);
        }
        return paginated(call, QStringLiteral("sessions/list"), arguments, QStringLiteral("sessions"));
    });
    addRoute(Method::Get, ApiPrefix + QStringLiteral("/sessions/{}"), [this](const Call &call) {
        return callAdmin(QStringLiteral("sessions/get"), {{QStringLiteral("clientId"), call.captures.at(0)}});
    });
    addRoute(Method::Delete, ApiPrefix + QStringLiteral("/sessions/{}"), [this](const Call &call) {
        return callAdmin(QStringLiteral("sessions/kick"), {{QStringLiteral("clientId"), call.captures.at(0)}});
    });
    addRoute(Method::Get, ApiPrefix + QStringLiteral("/networks"), [this](const Call &) {
        return callAdmin(QStringLiteral("networks/list"), {});
    });
}

void HttpApi::addRoute(Method method, const QString &path, Handler handler, bool anonymous)
{
    m_routes.append(Route{pathSegments(path), method, std::move(handler), anonymous});
}

bool HttpApi::listen(const std::optional<QSslConfiguration> &tls, QString *error)
{
    const ListenAddress address = m_settings.listener.value_or(ListenAddress{});
    QTcpServer *server = nullptr;
    if (address.tls) {
        auto *sslServer = new QSslServer(this);
        sslServer->setSslConfiguration(tls.value_or(QSslConfiguration()));
        sslServer->setHandshakeTimeout(10000);
        connect(sslServer, &QSslServer::startedEncryptionHandshake, this,
                [this](QSslSocket *socket) { new ConnectionGuard(socket, m_settings); });
        server = sslServer;
    } else {
        server = new GuardedTcpServer(m_settings, this);
    }
    if (!server->listen(address.host, address.port)) {
        *error = QStringLiteral("HTTP API on %1: %2").arg(address.toString(), server->errorString());
        delete server;
        return false;
    }
    m_bound = ListenAddress{server->serverAddress(), server->serverPort(), address.tls};
    bind(server);
    qCInfo(lcHttp) << "HTTP API listening on" << m_bound.toString();
    return true;
}

QString HttpApi::url() const
{
    ListenAddress plain = m_bound;
    plain.tls = false;
    return (m_bound.tls ? QStringLiteral("https://") : QStringLiteral("http://")) + plain.toString();
}

bool HttpApi::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    for (QObject *child : socket->children()) {
        if (auto *guard = dynamic_cast<ConnectionGuard *>(child))
            guard->requestAnswered();
    }
    const Reply reply = dispatch(request);
    qCDebug(lcHttp).noquote() << methodName(request.method()) << request.url().path() << reply.status;
    send(request, socket, reply);
    return true;
}

void HttpApi::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    send(request, socket, Reply::error(404, QStringLiteral("not-found"), QStringLiteral("no such endpoint")));
}

HttpApi::Reply HttpApi::dispatch(const QHttpServerRequest &request)
{
    const QStringList segments = pathSegments(request.url().path(QUrl::FullyEncoded));
    QByteArrayList allowed;
    for (const Route &route : std::as_const(m_routes)) {
        if (route.segments.size() != segments.size())
            continue;
        Call call{request, {}, request.query()};
        bool matches = true;
        for (qsizetype i = 0; i < segments.size() && matches; ++i) {
            if (route.segments.at(i) == QLatin1String("{}"))
                call.captures.append(QUrl::fromPercentEncoding(segments.at(i).toUtf8()));
            else
                matches = route.segments.at(i) == segments.at(i);
        }
        if (!matches)
            continue;
        if (route.method != request.method()) {
            allowed.append(methodName(route.method));
            continue;
        }
        if (!route.anonymous && !isAuthorised(request)) {
            Reply reply = Reply::error(401, QStringLiteral("unauthorized"),
                                       QStringLiteral("send a valid API key as Authorization: Bearer KEY"));
            reply.headers.emplaceBack("WWW-Authenticate", "Bearer realm=\"hermes\"");
            return reply;
        }
        return route.handler(call);
    }
    if (allowed.isEmpty())
        return Reply::error(404, QStringLiteral("not-found"), QStringLiteral("no such endpoint"));
    Reply reply = Reply::error(405, QStringLiteral("method-not-allowed"),
                               QStringLiteral("use %1").arg(QString::fromLatin1(allowed.join(", "))));
    reply.headers.emplaceBack("Allow", allowed.join(", "));
    return reply;
}

bool HttpApi::isAuthorised(const QHttpServerRequest &request) const
{
    const auto headers = request.headers();
    for (const auto &[name, value] : headers) {
        if (name.compare("authorization", Qt::CaseInsensitive) != 0)
            continue;
        const QByteArray trimmed = value.trimmed();
        if (trimmed.left(7).compare("bearer ", Qt::CaseInsensitive) != 0)
            return false;
        return m_keys.verify(QByteArrayView(trimmed).sliced(7).trimmed()).has_value();
    }
    return false;
}

void HttpApi::send(const QHttpServerRequest &request, QTcpSocket *socket, const Reply &reply)
{
    ++(reply.status < 400 ? m_counters.success : reply.status < 500 ? m_counters.clientErrors : m_counters.serverErrors);
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply.status));
    responder.writeHeader("Content-Type", reply.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(reply.body.size()));
    responder.writeHeader("Cache-Control", "no-store");
    for (const auto &[name, value] : reply.headers)
        responder.writeHeader(name, value);
    responder.writeBody(reply.body);
}

HttpApi::Reply HttpApi::callAdmin(const QString &method, const QJsonObject &arguments, int successStatus)
{
    const AdminApi::Answer answer = m_admin.call(method, arguments);
    if (!answer.ok())
        return Reply::error(statusFor(answer.errorCode), answer.errorCode, answer.errorMessage);
    return Reply::json(successStatus, answer.result);
}

HttpApi::Reply HttpApi::paginated(const Call &call, const QString &method, QJsonObject arguments, const QString &key)
{
    bool limitOk = true;
    bool offsetOk = true;
    const int limit = call.query.hasQueryItem(QStringLiteral("limit")) ? call.query.queryItemValue(QStringLiteral("limit")).toInt(&limitOk) : 100;
    const int offset = call.query.hasQueryItem(QStringLiteral("offset")) ? call.query.queryItemValue(QStringLiteral("offset")).toInt(&offsetOk) : 0;
    if (!limitOk || limit < 1 || limit > 1000)
        return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("limit must be a number from 1 to 1000"));
    if (!offsetOk || offset < 0)
        return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("offset must be a number from 0"));
    const AdminApi::Answer answer = m_admin.call(method, arguments);
    if (!answer.ok())
        return Reply::error(statusFor(answer.errorCode), answer.errorCode, answer.errorMessage);
    const QJsonArray all = answer.result.value(key).toArray();
    QJsonArray page;
    for (qsizetype i = offset; i < all.size() && page.size() < limit; ++i)
        page.append(all.at(i));
    QJsonObject json{{key, page},
                     {QStringLiteral("total"), int(all.size())},
                     {QStringLiteral("offset"), offset},
                     {QStringLiteral("limit"), limit}};
    if (offset + page.size() < all.size())
        json.insert(QStringLiteral("nextOffset"), int(offset + page.size()));
    return Reply::json(200, json);
}

HttpApi::Reply HttpApi::createPush(const Call &call)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(call.request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return Reply::error(400, QStringLiteral("bad-request"),
                            QStringLiteral("the body is not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset));
    if (!document.isObject())
        return Reply::error(400, QStringLiteral("bad-request"), QStringLiteral("the body must be a JSON object"));
    Reply reply = callAdmin(QStringLiteral("push/send"), document.object(), 201);
    if (reply.status == 201) {
        const QString pushId = QJsonDocument::fromJson(reply.body).object().value(QLatin1String("pushId")).toString();
        reply.headers.emplaceBack("Location", QString(ApiPrefix + QStringLiteral("/pushes/") + QString::fromLatin1(QUrl::toPercentEncoding(pushId))).toUtf8());
    }
    return reply;
}

HttpApi::Reply HttpApi::readiness() const
{
    const bool listening = m_broker.isRunning() && !m_broker.listenAddresses().isEmpty();
    const Store *store = m_broker.store();
    // The store is writable when its last commit succeeded (a failing one keeps its error
    // until a retry goes through).
    const bool storeWritable = !store || store->errorString().isEmpty();
    const bool ready = listening && storeWritable;
    QJsonObject checks{{QStringLiteral("listeners"), listening},
                       {QStringLiteral("store"), store ? (storeWritable ? QStringLiteral("writable") : store->errorString())
                                                       : QStringLiteral("off")}};
    return Reply::json(ready ? 200 : 503, {{QStringLiteral("status"), ready ? QStringLiteral("ready") : QStringLiteral("not-ready")},
                                           {QStringLiteral("checks"), checks}});
}

HttpApi *installHttpApi(Broker &broker, QString *error)
{
    auto *admin = broker.findChild<AdminApi *>();
    auto *push = broker.findChild<PushService *>();
    Q_ASSERT(admin && push); // installPushServices() first
    auto *keys = new ApiKeyRing(broker, &broker);
    keys->addAdminMethods(*admin);
    const HttpSettings &settings = broker.config().http;
    if (!settings.listener)
        return nullptr;
    std::optional<QSslConfiguration> tls;
    if (settings.listener->tls) {
        tls = broker.tlsConfiguration();
        if (!tls) {
            *error = QStringLiteral("HTTP API: %1").arg(broker.errorString());
            return nullptr;
        }
    }
    auto *api = new HttpApi(broker, *admin, *push, *keys, settings, &broker);
    if (!api->listen(tls, error)) {
        delete api;
        return nullptr;
    }
    return api;
}

} // namespace hermes
