#include "attachoptions.h"

#include <algorithm>

namespace hermes {

QString RemoteEngineOptions::address() const
{
    return brokerAddress(host, port, tls.has_value(), localPath);
}

std::optional<RemoteEngineOptions> parseAttachAddress(const QString &address)
{
    RemoteEngineOptions options;
    QString text = address;
    if (text.startsWith(QLatin1String("mqtts://"))) {
        text = text.mid(8);
        options.tls = ClientTlsSettings{};
        options.port = 8883;
    } else if (text.startsWith(QLatin1String("mqtt://"))) {
        text = text.mid(7);
    } else if (text.startsWith(QLatin1String("unix:"))) {
        options.localPath = text.mid(5);
        if (options.localPath.isEmpty())
            return std::nullopt;
        return options;
    }
    QString hostPart = text;
    QString portPart;
    if (text.startsWith(QLatin1Char('['))) {
        const qsizetype close = text.indexOf(QLatin1Char(']'));
        if (close < 0)
            return std::nullopt;
        hostPart = text.mid(1, close - 1);
        const QString rest = text.mid(close + 1);
        if (!rest.isEmpty()) {
            if (!rest.startsWith(QLatin1Char(':')))
                return std::nullopt;
            portPart = rest.mid(1);
        }
    } else if (text.count(QLatin1Char(':')) == 1) {
        hostPart = text.section(QLatin1Char(':'), 0, 0);
        portPart = text.section(QLatin1Char(':'), 1);
    }
    if (std::any_of(hostPart.cbegin(), hostPart.cend(), [](QChar c) { return c.isSpace() || c == QLatin1Char('/'); }))
        return std::nullopt;
    if (!hostPart.isEmpty())
        options.host = hostPart;
    if (!portPart.isEmpty()) {
        bool ok = false;
        const uint value = portPart.toUInt(&ok);
        if (!ok || value == 0 || value > 65535)
            return std::nullopt;
        options.port = quint16(value);
    }
    return options;
}

} // namespace hermes
