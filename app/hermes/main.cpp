// hermes: the Hermes console (GUI) with its embedded broker.
#include "mainwindow.h"
#include "engine/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

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

    const QLocale locale = parser.isSet(QStringLiteral("language"))
        ? QLocale(parser.value(QStringLiteral("language")))
        : QLocale::system();
    QTranslator appTranslator;
    QTranslator qtTranslator;
    if (appTranslator.load(locale, QStringLiteral("hermes"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&appTranslator);
    if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&qtTranslator);

    hermes::ui::MainWindow window;
    window.show();
    return app.exec();
}
