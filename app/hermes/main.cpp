// hermes: the Hermes console (GUI) with its embedded broker.
#include "mainwindow.h"
#include "theme.h"
#include "translations.h"

#include "engine/brokeroptions.h"
#include "engine/localengine.h"
#include "engine/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLocale>

#include <cstdio>
#include <cstring>

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

    hermes::LocalEngine engine(config);
    hermes::ui::MainWindow window(engine);
    window.show();
    engine.start();
    return app.exec();
}
