#include "brokeraddress.h"

namespace hermes {

QString brokerAddress(const QString &host, quint16 port, bool tls, const QString &localPath)
{
    if (!localPath.isEmpty())
        return QStringLiteral("unix:") + localPath;
    const QString hostPort = host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                                             : QStringLiteral("%1:%2").arg(host).arg(port);
    return tls ? QStringLiteral("mqtts://") + hostPort : hostPort;
}

} // namespace hermes
