// The admin API subcommands: push, sessions, devices, report, kick, retained.
#include "commands.h"

#include <QTextStream>

namespace hermes::cli {

int runAdminCommand(const QStringList &arguments)
{
    QTextStream(stderr) << "hermesctl " << arguments.value(0) << ": not implemented yet\n";
    return UsageError;
}

} // namespace hermes::cli
