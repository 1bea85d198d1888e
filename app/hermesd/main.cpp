// hermesd: the headless Hermes broker.
#include "engine/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hermesd"));
    QCoreApplication::setOrganizationName(QStringLiteral("Hermes"));
    QCoreApplication::setApplicationVersion(hermes::versionString());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Hermes headless MQTT broker"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    return 0;
}
