#include "managementsessionsource.h"

#include "engine/clienttls.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslError>


Q_LOGGING_CATEGORY(lcManagement, "hermes.upstream.management")

namespace hermes {

namespace {

QString secondsText(std::chrono::milliseconds duration)
{
    return QString::number(double(duration.count()) / 1000.0, 'g', 3);
}

} // namespace

ManagementSessionSource::ManagementSessionSource(const UpstreamSettings &settings, QObject *parent)
    : ManagementSessionSource(settings,
                              Timing{std::chrono::seconds(settings.managementIntervalSeconds),
                                     std::chrono::seconds(settings.managementTimeoutSeconds)},
                              parent)
{
}

ManagementSessionSource::ManagementSessionSource(const UpstreamSettings &settings, Timing timing, QObject *parent)
    : SessionSource(parent)
    , m_urls(settings.management)
    , m_user(settings.managementUser())
    , m_tlsFiles(settings.tlsFiles)
    , m_timing(timing)
    , m_network(new QNetworkAccessManager(this))
    // Seeded per process, so several hermesd do not retry a recovering node in step.
    , m_backoff(sim::ReconnectConfig::unending(timing.firstRetry, timing.maxRetry), QRandomGenerator::system()->generate64())
{
    Q_ASSERT(!m_urls.isEmpty());
    if (!m_user.isEmpty() || !settings.managementSecret().isEmpty())
        m_authorization = "Basic " + (m_user.toUtf8() + ':' + settings.managementSecret()).toBase64();
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ManagementSessionSource::startRefresh);
    m_requestTimer.setSingleShot(true);
    connect(&m_requestTimer, &QTimer::timeout, this, [this] {
        if (!m_inFlight)
            return;
        m_timedOut = true;
        m_inFlight->abort(); // finished() follows, and says it timed out
    });
}

ManagementSessionSource::~ManagementSessionSource()
{
    m_running = false;
    if (m_inFlight)
        m_inFlight->disconnect(this);
}

void ManagementSessionSource::start()
{
    if (std::exchange(m_running, true))
        return;
    startRefresh();
}

void ManagementSessionSource::refreshSoon()
{
    if (!m_running)
        return;
    if (m_inFlight) {
        m_refreshAgain = true;
        return;
    }
    // Waiting for the period (not backing off after a failure): go now.
    if (m_answering)
        m_refreshTimer.start(0);
}

QString ManagementSessionSource::origin() const
{
    return QStringLiteral("the management API at %1").arg(currentUrl().toString());
}

QNetworkReply *ManagementSessionSource::send(const QByteArray &verb, const QString &pathAndQuery)
{
    QUrl url = currentUrl();
    const QUrl relative(pathAndQuery, QUrl::StrictMode);
    url.setPath(url.path() + relative.path(QUrl::FullyEncoded), QUrl::StrictMode);
    url.setQuery(relative.query(QUrl::FullyEncoded), QUrl::StrictMode);
    QNetworkRequest request(url);
    if (!m_authorization.isEmpty())
        request.setRawHeader("Authorization", m_authorization);
    request.setRawHeader("Accept", "application/json");
    // Credentials go to the URL configured and nowhere else.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (verb == "DELETE")
        request.setRawHeader("X-Reason", "kicked by a Hermes operator");
    const bool https = url.scheme() == QLatin1String("https");
    if (https) {
        request.setSslConfiguration(m_sslConfiguration);
        if (!m_tlsFiles.peerName.isEmpty())
            request.setPeerVerifyName(m_tlsFiles.peerName);
    }
    QNetworkReply *reply = m_network->sendCustomRequest(request, verb);
    if (https) {
        // Not ignored: the reply fails with SslHandshakeFailedError next, and this says why.
        const QString peerName = m_tlsFiles.peerName.isEmpty() ? url.host() : m_tlsFiles.peerName;
        connect(reply, &QNetworkReply::sslErrors, reply, [reply, tls = m_tlsFiles, peerName](const QList<QSslError> &errors) {
            reply->setProperty("tlsProblem", ClientTls::verificationFailure(errors, tls, peerName));
        });
    }
    return reply;
}

bool ManagementSessionSource::loadTls(QString *error)
{
    if (currentUrl().scheme() != QLatin1String("https"))
        return true;
    QString problem;
    std::optional<QSslConfiguration> configuration = ClientTls::configuration(m_tlsFiles, &problem);
    if (!configuration) {
        *error = tr("%1: %2").arg(currentUrl().toString(), problem);
        return false;
    }
    m_sslConfiguration = std::move(*configuration);
    return true;
}

void ManagementSessionSource::startRefresh()
{
    if (!m_running || m_inFlight)
        return;
    m_refreshAgain = false;
    m_listing = Listing::Connections;
    m_page = 1;
    m_table = {};
    m_requests = 0;
    m_bytes = 0;
    m_refreshClock.start();
    if (QString problem; !loadTls(&problem)) {
        fail(problem);
        return;
    }
    requestPage();
}

void ManagementSessionSource::requestPage()
{
    const QString request = m_listing == Listing::Connections ? rabbitmq::connectionsRequest(m_page, m_timing.pageSize)
                                                              : rabbitmq::queuesRequest(m_page, m_timing.pageSize);
    m_timedOut = false;
    ++m_requests;
    QNetworkReply *reply = send("GET", request);
    m_inFlight = reply;
    m_requestTimer.start(m_timing.requestTimeout);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPage(reply); });
}

QString ManagementSessionSource::failureOf(QNetworkReply *reply, const QString &what, bool timedOut) const
{
    const QString url = currentUrl().toString();
    if (timedOut)
        return tr("%1 did not answer within %2 s").arg(url, secondsText(m_timing.requestTimeout));
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 401) {
        return m_user.isEmpty() ? tr("%1 refused anonymous access (401)").arg(url)
                                : tr("%1 refused user %2 (401)").arg(url, m_user);
    }
    if (status == 403)
        return tr("%1 refused user %2 access to %3 (403): the account needs the monitoring or administrator tag")
            .arg(url, m_user, what);
    if (status >= 300) {
        const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
        return tr("%1 answered %2 %3 to %4").arg(url, QString::number(status), reason, what);
    }
    if (const QString tls = reply->property("tlsProblem").toString(); !tls.isEmpty())
        return tr("%1: %2").arg(url, tls);
    switch (reply->error()) {
    case QNetworkReply::NoError:
        return {};
    case QNetworkReply::SslHandshakeFailedError:
        return tr("%1: %2").arg(url, ClientTls::handshakeFailure(reply->errorString()));
    case QNetworkReply::ConnectionRefusedError:
        return tr("%1 refused the connection").arg(url);
    case QNetworkReply::HostNotFoundError:
        return tr("%1: host %2 not found").arg(url, currentUrl().host());
    case QNetworkReply::RemoteHostClosedError:
        return tr("%1 closed the connection without answering").arg(url);
    default:
        return tr("%1: %2").arg(url, reply->errorString());
    }
}

void ManagementSessionSource::onPage(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_inFlight)
        return;
    m_inFlight = nullptr;
    m_requestTimer.stop();
    if (!m_running)
        return;
    const QString what = QStringLiteral("GET %1").arg(reply->request().url().path());
    if (const QString failure = failureOf(reply, what, m_timedOut); !failure.isEmpty()) {
        fail(failure);
        return;
    }
    const QByteArray body = reply->readAll();
    m_bytes += body.size();
    QString problem;
    const std::optional<rabbitmq::Page> page = rabbitmq::parsePage(body, &problem);
    if (!page) {
        fail(tr("%1: %2 is not a RabbitMQ management answer: %3").arg(currentUrl().toString(), what, problem));
        return;
    }
    m_table.notePageTotal(m_page == 1, page->totalCount);
    if (m_listing == Listing::Connections) {
        int mqtt = 0, withoutId = 0;
        for (const QJsonValue &item : page->items) {
            const QJsonObject connection = item.toObject();
            if (std::optional<ClusterSession> session = rabbitmq::sessionOfConnection(connection)) {
                ++mqtt;
                m_table.addConnection(std::move(*session));
            } else if (connection.value(QLatin1String("protocol")).toString().contains(QLatin1String("MQTT"))) {
                ++withoutId;
            }
        }
        if (withoutId > 0 && mqtt == 0) {
            fail(tr("%1 lists MQTT connections without their client IDs (neither variable_map nor "
                    "client_properties has client_id): this RabbitMQ is not one hermesd can read")
                     .arg(currentUrl().toString()));
            return;
        }
    } else {
        for (const QJsonValue &item : page->items) {
            if (std::optional<rabbitmq::SessionQueue> queue = rabbitmq::sessionQueue(item.toObject()))
                m_table.addQueue(*queue);
        }
    }
    if (!page->isLast() && page->page == m_page) {
        ++m_page;
        requestPage();
        return;
    }
    if (m_listing == Listing::Connections) {
        m_listing = Listing::Queues;
        m_page = 1;
        requestPage();
        return;
    }
    finishRefresh();
}

void ManagementSessionSource::finishRefresh()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QHash<QString, ClusterSession> sessions = m_table.take(m_sessions, now);
    ++m_refreshes;
    m_lastRefresh = {now, m_refreshClock.elapsed(), m_requests, m_bytes};
    m_backoff.reset();
    const QString url = currentUrl().toString();
    if (m_loggedErrors.remove(url) > 0 || !m_answering) {
        qCInfo(lcManagement).noquote() << QStringLiteral("upstream management: %1 answers: %2 sessions on the cluster")
                                              .arg(url, QString::number(sessions.size()));
    }
    m_answering = true;
    if (sessions != m_sessions) {
        m_sessions = std::move(sessions);
        ++m_generation;
        emit sessionsChanged();
    }
    emit refreshed();
    m_refreshTimer.start(m_refreshAgain ? std::chrono::milliseconds(0) : m_timing.period);
}

void ManagementSessionSource::fail(const QString &error)
{
    ++m_failures;
    m_answering = false;
    m_lastError = error;
    m_lastErrorAtMs = QDateTime::currentMSecsSinceEpoch();
    const QString url = currentUrl().toString();
    m_urlIndex = (m_urlIndex + 1) % m_urls.size();
    const std::chrono::milliseconds delay = m_backoff.nextDelay().value_or(m_timing.maxRetry);
    // Once per change: a URL that keeps failing the same way is not logged again at every retry.
    if (m_loggedErrors.value(url) != error) {
        m_loggedErrors.insert(url, error);
        qCWarning(lcManagement).noquote() << QStringLiteral("upstream management: %1; trying %2 in %3 ms (the sessions "
                                                            "listed stay as last read)")
                                                 .arg(error, currentUrl().toString(), QString::number(delay.count()));
    }
    emit failed(error);
    m_refreshTimer.start(delay);
}

void ManagementSessionSource::kick(const QString &clientId, KickDone done)
{
    const auto found = m_sessions.constFind(clientId);
    if (found == m_sessions.cend() || !found->info.online || found->connection.isEmpty()) {
        done(true, tr("client \"%1\" is not connected to the cluster (as %2 listed it last)").arg(clientId, origin()));
        return;
    }
    const QString connection = found->connection;
    if (QString problem; !loadTls(&problem)) {
        done(false, problem);
        return;
    }
    QNetworkReply *reply = send("DELETE", rabbitmq::closeConnectionRequest(connection));
    auto *deadline = new QTimer(reply);
    deadline->setSingleShot(true);
    connect(deadline, &QTimer::timeout, reply, [reply] {
        reply->setProperty("timedOut", true);
        reply->abort();
    });
    deadline->start(m_timing.requestTimeout);
    connect(reply, &QNetworkReply::finished, this, [this, reply, clientId, connection, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 404) {
            done(true, tr("client \"%1\" is no longer connected to the cluster").arg(clientId));
            return;
        }
        const QString failure = failureOf(reply, QStringLiteral("DELETE /api/connections/…"), reply->property("timedOut").toBool());
        if (!failure.isEmpty()) {
            qCWarning(lcManagement).noquote() << QStringLiteral("kicking %1 (%2) failed: %3").arg(clientId, connection, failure);
            done(false, failure);
            return;
        }
        qCInfo(lcManagement).noquote() << QStringLiteral("kicked %1: closed its connection %2 on the cluster").arg(clientId, connection);
        done(false, QString());
        refreshSoon(); // the stream says it ended within a request or two, not a period later
    });
}

QJsonObject ManagementSessionSource::status() const
{
    QJsonArray urls;
    for (const QUrl &url : m_urls)
        urls.append(url.toString());
    const Totals counts = totals();
    QJsonObject json{{QStringLiteral("urls"), urls},
                     {QStringLiteral("url"), currentUrl().toString()},
                     {QStringLiteral("user"), m_user},
                     {QStringLiteral("answering"), m_answering},
                     {QStringLiteral("lastError"), m_lastError},
                     {QStringLiteral("sessions"), double(counts.sessions)},
                     {QStringLiteral("online"), double(counts.online)},
                     {QStringLiteral("requests"), m_lastRefresh.requests},
                     {QStringLiteral("bytes"), double(m_lastRefresh.bytes)},
                     {QStringLiteral("refreshMs"), double(m_lastRefresh.durationMs)},
                     {QStringLiteral("refreshes"), double(m_refreshes)},
                     {QStringLiteral("failures"), double(m_failures)},
                     {QStringLiteral("periodMs"), double(m_timing.period.count())}};
    if (m_lastErrorAtMs > 0)
        json.insert(QStringLiteral("lastErrorAtMs"), double(m_lastErrorAtMs));
    if (m_lastRefresh.atMs > 0)
        json.insert(QStringLiteral("lastRefreshAtMs"), double(m_lastRefresh.atMs));
    return json;
}

} // namespace hermes
