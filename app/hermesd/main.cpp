// hermesd: the headless Hermes broker.
#include "engine/broker.h"
#include "engine/push/adminapi.h"
#include "engine/http/httpapi.h"
#include "engine/io/websockettransport.h"
#include "engine/brokeroptions.h"
#include "engine/io/epolldispatcher.h"
#include "engine/io/signalwatcher.h"
#include "engine/upstream/managementsessionsource.h"
#include "engine/upstream/upstreamlink.h"
#include "engine/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    // The broker runs on this thread: epoll instead of Qt's default dispatcher, whose cost
    // per loop turn grows with every open socket (docs/BENCHMARKS.md).
    QCoreApplication::setEventDispatcher(new hermes::EpollEventDispatcher); // Qt takes ownership
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hermesd"));
    QCoreApplication::setOrganizationName(QStringLiteral("Hermes"));
    QCoreApplication::setApplicationVersion(hermes::versionString());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Hermes headless MQTT broker"));
    parser.addHelpOption();
    parser.addVersionOption();
    hermes::addBrokerOptions(parser);
    parser.addOption({QStringLiteral("check-config"), QStringLiteral("Check the configuration, print it and exit.")});
    parser.addOption({QStringLiteral("hash-password"),
                      QStringLiteral("Read a password from standard input and print the hash for an 'account' line.")});
    parser.process(app);

    if (parser.isSet(QStringLiteral("hash-password"))) {
        // From stdin, never the command line: arguments are visible to every user (ps).
        QTextStream input(stdin);
        const QString password = input.readLine();
        if (password.isEmpty()) {
            std::fprintf(stderr, "hermesd: no password on standard input\n");
            return 2;
        }
        std::printf("%s\n", qPrintable(hermes::PasswordHash::create(password.toUtf8()).toString()));
        return 0;
    }

    auto parsed = hermes::brokerConfigFromCommandLine(parser);
    if (const auto *error = std::get_if<hermes::ConfigError>(&parsed)) {
        std::fprintf(stderr, "hermesd: %s\n", qPrintable(error->toString()));
        return 2;
    }
    hermes::BrokerConfig config = std::get<hermes::BrokerConfig>(std::move(parsed));
    if (config.dataDir.isEmpty())
        config.dataDir = hermes::defaultDataDir();
    if (parser.isSet(QStringLiteral("check-config"))) {
        QStringList listeners;
        for (const auto &listener : std::as_const(config.listeners))
            listeners.append(listener.toString());
        for (const QString &path : std::as_const(config.localSockets))
            listeners.append(QStringLiteral("unix:") + path);
        const char *anonymous = config.allowAnonymous == hermes::AnonymousAccess::Always ? "allowed"
            : config.allowAnonymous == hermes::AnonymousAccess::Never                    ? "refused"
                                                                                         : "loopback only";
        for (const auto &listener : std::as_const(config.webSocket.listeners))
            listeners.append(listener.toString());
        const QString http = config.http.listener
            ? config.http.listener->toString() + (config.http.metricsAnonymous ? QStringLiteral(", /metrics without a key") : QString())
            : QStringLiteral("off");
        std::printf("configuration OK\nlisteners: %s\nHTTP API: %s\ndata dir: %s\npersistence: %s\nlog level: %s\n"
                    "anonymous clients: %s (role %s)\naccounts: %d\nextra ACL rules: %d\ndurability: %s\nupstream: %s\n",
                    qPrintable(listeners.join(QStringLiteral(", "))), qPrintable(http), qPrintable(config.dataDir),
                    config.persistence ? "on" : "off", qPrintable(hermes::logLevelName(config.logLevel)), anonymous,
                    qPrintable(hermes::roleName(config.anonymousRole)), int(config.accounts.size()),
                    int(config.aclRules.size()),
                    config.durability == hermes::Durability::Power ? "power" : "process",
                    config.upstream.enabled() ? qPrintable(config.upstream.toString()) : "off");
        return 0;
    }
    hermes::applyLogLevel(config.logLevel);

    QString pushProblem;
    const std::optional<hermes::PushConfig> pushConfig = hermes::PushConfig::fromSettings(config.push, &pushProblem);
    if (!pushConfig) {
        std::fprintf(stderr, "hermesd: %s\n", qPrintable(pushProblem));
        return 1;
    }
    hermes::Broker broker(config);
    // Watch for SIGTERM before announcing anything: a supervisor may stop us the moment it
    // reads the listening line.
    hermes::SignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &hermes::SignalWatcher::terminationRequested, &app, [&](int signalNumber) {
        qInfo("hermesd: signal %d, shutting down", signalNumber);
        broker.stop();
        app.quit();
    });
    // SIGHUP: read the config file again and apply its accounts, ACL and anonymous
    // settings to new and connected clients; everything else needs a restart.
    signalWatcher.watchReload();
    QObject::connect(&signalWatcher, &hermes::SignalWatcher::reloadRequested, &broker, [&] {
        auto reloaded = hermes::brokerConfigFromCommandLine(parser);
        if (const auto *error = std::get_if<hermes::ConfigError>(&reloaded)) {
            qWarning("hermesd: SIGHUP: keeping the current access settings: %s", qPrintable(error->toString()));
            return;
        }
        const auto &fresh = std::get<hermes::BrokerConfig>(reloaded);
        broker.reloadAccess(hermes::AccessSettings::from(fresh));
        qInfo("hermesd: SIGHUP: reloaded %d accounts and %d ACL rules", int(fresh.accounts.size()),
              int(fresh.aclRules.size()));
    });
    if (!broker.start()) {
        std::fprintf(stderr, "hermesd: %s\n", qPrintable(broker.errorString()));
        return 1;
    }
    // Upstream mode: the push service delivers through the cluster; the link is a child of
    // the broker, so it outlives the push service it serves.
    hermes::UpstreamLink *upstream = config.upstream.enabled() ? new hermes::UpstreamLink(config.upstream, &broker) : nullptr;
    hermes::installPushServices(broker, *pushConfig, upstream);
    if (upstream) {
        auto *admin = broker.findChild<hermes::AdminApi *>();
        // The cluster's sessions, from its management API, listed beside the operators'.
        hermes::ManagementSessionSource *sessions = config.upstream.management.isEmpty()
            ? nullptr
            : new hermes::ManagementSessionSource(config.upstream, &broker);
        if (sessions) {
            admin->setSessionSource(sessions);
            sessions->start();
        }
        upstream->addAdminMethods(*admin, sessions);
        upstream->start();
    }
    QString problem;
    const hermes::HttpApi *http = hermes::installHttpApi(broker, &problem);
    QList<hermes::WebSocketListener *> webSockets;
    if (!problem.isEmpty() || !hermes::installWebSocketListeners(broker, &webSockets, &problem)) {
        std::fprintf(stderr, "hermesd: %s\n", qPrintable(problem));
        return 1;
    }
    for (const auto &address : broker.listenAddresses())
        std::printf("hermesd listening on %s\n", qPrintable(address.toString()));
    for (const QString &path : broker.localSocketPaths())
        std::printf("hermesd listening on unix:%s\n", qPrintable(path));
    if (http)
        std::printf("hermesd HTTP API on %s\n", qPrintable(http->url()));
    if (upstream)
        std::printf("hermesd upstream mode: devices on %s; this broker serves operators only\n",
                    qPrintable(config.upstream.toString()));
    for (const hermes::WebSocketListener *listener : std::as_const(webSockets))
        std::printf("hermesd WebSocket listener on %s\n", qPrintable(listener->address().toString()));
    std::fflush(stdout);

    return app.exec();
}
