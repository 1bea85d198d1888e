// decode and encode: protobuf payloads for scripts and bug reports.
#include "commands.h"

#include <QTextStream>

namespace hermes::cli {

int runDecodeCommand(const QStringList &)
{
    QTextStream(stderr) << "hermesctl decode: not implemented yet\n";
    return UsageError;
}

int runEncodeCommand(const QStringList &)
{
    QTextStream(stderr) << "hermesctl encode: not implemented yet\n";
    return UsageError;
}

} // namespace hermes::cli
