#pragma once
/// The sessions of an upstream RabbitMQ cluster, read from its management API on hermesd's
/// event loop (docs/SCALE-OUT.md, "Session source"): paged listings of the MQTT connections
/// and of the MQTT plugin's queues, one page in flight at a time, a full refresh every few
/// seconds; kicks close a connection through the same API. Fails over between the URLs it is
/// given with jittered back-off, like the MQTT link, and never gives up. An https:// URL is
/// verified against `upstream_tls_ca` (else the system's CAs) and `upstream_tls_name`.

#include "engine/brokerconfig.h"
#include "engine/push/sessionsource.h"
#include "engine/simulator/reconnectpolicy.h"
#include "rabbitmqsessions.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QUrl>

#include <chrono>

class QNetworkAccessManager;
class QNetworkReply;

namespace hermes {

class ManagementSessionSource final : public SessionSource
{
    Q_OBJECT
public:
    struct Timing {
        /// From the end of one refresh to the start of the next.
        std::chrono::milliseconds period{std::chrono::seconds(5)};
        /// Per request: a listener that accepts and never answers costs this, then the next URL.
        /// RabbitMQ 3.10 gathers every connection for each page: at thousands of connections
        /// on a busy machine a page takes seconds.
        std::chrono::milliseconds requestTimeout{std::chrono::seconds(30)};
        /// Back-off after a failure: attempt n waits a uniform delay in
        /// [firstRetry·2ⁿ, 2·firstRetry·2ⁿ], at most maxRetry, and goes to the next URL.
        std::chrono::milliseconds firstRetry{std::chrono::seconds(1)};
        std::chrono::milliseconds maxRetry{std::chrono::seconds(30)};
        int pageSize = rabbitmq::MaxPageSize;
    };

    /// Reads `settings.management` as `settings.managementUser()`, every
    /// `settings.managementIntervalSeconds`, each request within `managementTimeoutSeconds`.
    explicit ManagementSessionSource(const UpstreamSettings &settings, QObject *parent = nullptr);
    ManagementSessionSource(const UpstreamSettings &settings, Timing timing, QObject *parent = nullptr);
    ~ManagementSessionSource() override;

    /// Starts the first refresh.
    void start();
    /// Refreshes as soon as the one running (if any) ends, not a period later.
    void refreshSoon();

    const QHash<QString, ClusterSession> &sessions() const override { return m_sessions; }
    quint64 generation() const override { return m_generation; }
    QString origin() const override;
    void kick(const QString &clientId, KickDone done) override;
    /// {"urls", "url" (in use or being tried), "user", "answering" (the last request was
    /// answered), "lastError", "lastErrorAtMs", "lastRefreshAtMs", "refreshMs", "sessions",
    /// "online", "requests" and "bytes" (of the last complete refresh), "refreshes", "failures",
    /// "periodMs"}
    QJsonObject status() const override;

    QUrl currentUrl() const { return m_urls.at(m_urlIndex); }
    QString lastError() const { return m_lastError; }
    quint64 refreshes() const { return m_refreshes; }
    quint64 failures() const { return m_failures; }

signals:
    /// A refresh read every page (sessions() is what they said).
    void refreshed();
    /// A request failed; `error` names the URL and why. Retried after a back-off.
    void failed(const QString &error);

private:
    enum class Listing : quint8 { Connections, Queues };

    void startRefresh();
    void requestPage();
    void onPage(QNetworkReply *reply);
    void finishRefresh();
    void fail(const QString &error);
    QNetworkReply *send(const QByteArray &verb, const QString &pathAndQuery);
    /// Why `reply` failed, naming the URL in use; empty when it was answered with 2xx.
    QString failureOf(QNetworkReply *reply, const QString &what, bool timedOut) const;
    /// For an https:// URL in use: reads the TLS files into m_sslConfiguration (again at each
    /// refresh, so a rotated CA is picked up). False with `error` naming the URL and the file.
    bool loadTls(QString *error);

    const QList<QUrl> m_urls;
    const QString m_user;
    QByteArray m_authorization; ///< the Basic credentials header; never logged
    const ClientTlsSettings m_tlsFiles;
    QSslConfiguration m_sslConfiguration; ///< for https:// URLs, as loadTls() read it last
    const Timing m_timing;
    QNetworkAccessManager *m_network;
    sim::ReconnectPolicy m_backoff;
    QTimer m_refreshTimer; ///< the next refresh, or the retry after a failure
    QTimer m_requestTimer; ///< the page in flight's deadline
    QPointer<QNetworkReply> m_inFlight;
    bool m_timedOut = false;
    bool m_running = false;
    bool m_refreshAgain = false;
    qsizetype m_urlIndex = 0;

    Listing m_listing = Listing::Connections;
    int m_page = 1;
    rabbitmq::SessionTable m_table;
    QElapsedTimer m_refreshClock;
    int m_requests = 0;  ///< of the refresh running
    qint64 m_bytes = 0;

    QHash<QString, ClusterSession> m_sessions;
    quint64 m_generation = 0;
    struct RefreshStats {
        qint64 atMs = 0;
        qint64 durationMs = 0;
        int requests = 0;
        qint64 bytes = 0;
    } m_lastRefresh;
    quint64 m_refreshes = 0;
    quint64 m_failures = 0;
    bool m_answering = false;
    QString m_lastError;
    qint64 m_lastErrorAtMs = 0;
    QHash<QString, QString> m_loggedErrors; ///< per URL, the failure logged last: each is logged once
};

} // namespace hermes
