// hermesctl: command-line client for a running hermesd.
#include "engine/version.h"

#include <QCommandLineParser>
#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hermesctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("Hermes"));
    QCoreApplication::setApplicationVersion(hermes::versionString());

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Command-line client for the Hermes broker"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    return 0;
}
