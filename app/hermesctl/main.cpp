// hermesctl: command-line client for a running hermesd (and offline protobuf tools).
#include "commands.h"

#include "engine/version.h"

#include <QCoreApplication>
#include <QTextStream>

#include <functional>

namespace {

struct Subcommand {
    const char *name;
    const char *summary;
    std::function<int(const QStringList &)> run;
};

QString usage(const QList<Subcommand> &subcommands)
{
    QString text;
    QTextStream out(&text);
    out << "Usage: hermesctl COMMAND [OPTIONS]\n"
           "Command-line client for the Hermes broker.\n\nCommands:\n";
    for (const Subcommand &command : subcommands)
        out << "  " << QString::fromLatin1(command.name).leftJustified(10) << command.summary << '\n';
    out << "\nOptions:\n  -h, --help     Displays help (COMMAND --help for a command's options).\n"
           "  -v, --version  Displays version information.\n";
    return text;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("hermesctl"));
    QCoreApplication::setOrganizationName(QStringLiteral("Hermes"));
    QCoreApplication::setApplicationVersion(hermes::versionString());

    using namespace hermes::cli;
    const QList<Subcommand> subcommands = {
        {"push", "Push a message to devices (by id, alias, tag) or a topic", runAdminCommand},
        {"report", "Show a push's delivery report", runAdminCommand},
        {"sessions", "List sessions, or show one", runAdminCommand},
        {"devices", "List, register or tag devices", runAdminCommand},
        {"kick", "Disconnect a client", runAdminCommand},
        {"retained", "List or delete retained messages", runAdminCommand},
        {"accounts", "List, add or remove the broker's stored accounts", runAdminCommand},
        {"apikeys", "Create, list or revoke HTTP API keys", runAdminCommand},
        {"networks", "Show each network's NAT idle timeout learned from the fleet", runAdminCommand},
        {"decode", "Decode a protobuf payload (file or stdin)", runDecodeCommand},
        {"encode", "Encode JSON into a protobuf payload", runEncodeCommand},
        {"simulate", "Run a simulated device fleet from a scenario file", runSimulateCommand},
        {"replay", "Publish a capture exported from the console again", runReplayCommand},
    };

    const QStringList arguments = app.arguments().mid(1);
    const QString first = arguments.value(0);
    if (first == QLatin1String("-v") || first == QLatin1String("--version")) {
        QTextStream(stdout) << "hermesctl " << hermes::versionString() << '\n';
        return Success;
    }
    if (arguments.isEmpty() || first == QLatin1String("-h") || first == QLatin1String("--help")
        || first == QLatin1String("help")) {
        QTextStream(arguments.isEmpty() ? stderr : stdout) << usage(subcommands);
        return arguments.isEmpty() ? UsageError : Success;
    }
    for (const Subcommand &command : subcommands) {
        if (first == QLatin1String(command.name))
            return command.run(arguments);
    }
    QTextStream(stderr) << "hermesctl: unknown command \"" << first << "\"\n\n" << usage(subcommands);
    return UsageError;
}
