// The admin API subcommands (docs/ADMIN-API.md): which file answers which command. Each
// parses its options, opens one AdminClient, makes one or a few calls and prints a table,
// or the result object verbatim with --json.
#include "adminshared.h"

#include <QTextStream>

namespace hermes::cli {

using namespace admin;

int runAdminCommand(const QStringList &arguments)
{
    const QString command = arguments.value(0);
    if (command == QLatin1String("push"))
        return runPush(arguments);
    if (command == QLatin1String("report"))
        return runReport(arguments);
    if (command == QLatin1String("sessions"))
        return runSessions(arguments);
    if (command == QLatin1String("devices"))
        return runDevices(arguments);
    if (command == QLatin1String("kick"))
        return runKick(arguments);
    if (command == QLatin1String("retained"))
        return runRetained(arguments);
    if (command == QLatin1String("accounts"))
        return runAccounts(arguments);
    if (command == QLatin1String("apikeys"))
        return runApiKeys(arguments);
    if (command == QLatin1String("networks"))
        return runNetworks(arguments);
    QTextStream(stderr) << "hermesctl: unknown admin command \"" << command << "\"\n";
    return UsageError;
}

} // namespace hermes::cli
