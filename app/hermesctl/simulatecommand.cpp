// simulate: runs a device fleet from a scenario file against a broker.
#include "commands.h"

#include <QTextStream>

namespace hermes::cli {

int runSimulateCommand(const QStringList &)
{
    QTextStream(stderr) << "hermesctl simulate: not implemented yet\n";
    return UsageError;
}

} // namespace hermes::cli
