// hermes: the Hermes console (GUI) with its embedded broker, or attached to another broker
// (--connect NAME for a connection profile, or HOST:PORT, mqtts://HOST:PORT or unix:PATH): over the admin API when
// it is a hermesd and the account an operator, else as an MQTT client.
#include "consolewindows.h"
#include "mainwindow.h"
#include "theme.h"
#include "translations.h"

#include "engine/brokeroptions.h"
#include "engine/remote/attach.h"
#include "engine/local/localengine.h"
#include "engine/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLocale>

#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

namespace {

// --help and --version must work without a display, so they are answered before a
// QApplication (which aborts when no platform plugin can start) exists.
bool wantsTextOnly(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        for (const char *flag : {"-h", "--help", "-v", "--version", "--help-all"}) {
            if (std::strcmp(argv[i], flag) == 0)
                return true;
        }
    }
    return false;
}

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Hermes push console and MQTT broker inspector"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("language"),
                      QCoreApplication::translate("main", "User interface language: zh_CN or en."),
                      QStringLiteral("code")});
    parser.addOption({QStringLiteral("connect"),
                      QCoreApplication::translate("main", "Open the connection profile NAME (File → Connect…), or attach to the broker at "
                                                          "HOST:PORT (mqtts://HOST:PORT for TLS, unix:PATH for its Unix socket) instead of embedding one: a "
                                                          "hermesd as an operator, any other broker as an MQTT client "
                                                          "($HERMES_USER and $HERMES_PASSWORD log in to an address). "
                                                          "Without it, the last used profile opens."),
                      QStringLiteral("name|address")});
    hermes::addBrokerOptions(parser);
}

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("hermes"));
    QCoreApplication::setOrganizationName(QStringLiteral("Hermes"));
    QCoreApplication::setApplicationVersion(hermes::versionString());
}

} // namespace

int main(int argc, char *argv[])
{
    if (wantsTextOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        setIdentity();
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app);
        return 0;
    }

    QApplication app(argc, argv);
    setIdentity();
    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);

    const QString language = parser.isSet(QStringLiteral("language"))
        ? parser.value(QStringLiteral("language"))
        : hermes::ui::MainWindow::languageSetting();
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);
    hermes::ui::installTranslations(locale);
    hermes::ui::applyTheme(hermes::ui::themeSetting());

    auto parsed = hermes::brokerConfigFromCommandLine(parser);
    if (const auto *error = std::get_if<hermes::ConfigError>(&parsed)) {
        std::fprintf(stderr, "hermes: %s\n", qPrintable(error->toString()));
        return 2;
    }
    hermes::BrokerConfig config = std::get<hermes::BrokerConfig>(std::move(parsed));
    hermes::applyLogLevel(config.logLevel);

    hermes::RemoteEngineOptions account;
    account.userName = qEnvironmentVariable("HERMES_USER");
    account.password = qEnvironmentVariable("HERMES_PASSWORD").toUtf8();
    // The console links no engine: it is handed how to make each one.
    hermes::EngineFactories engines = hermes::attachFactories();
    engines.embedded = [config] { return std::make_unique<hermes::LocalEngine>(config); };
    hermes::ui::ConsoleWindows consoles(std::move(engines), account, QString(hermes::DefaultLocalSocket));
    if (const std::optional<QString> error = consoles.openAtStart(parser.value(QStringLiteral("connect")))) {
        std::fprintf(stderr, "hermes: --connect: %s\n", qPrintable(*error));
        return 2;
    }
    return app.exec();
}
