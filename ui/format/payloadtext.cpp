#include "payloadtext.h"

#include <algorithm>

namespace hermes::ui {

QString payloadPreview(const QByteArray &payload, qsizetype maxChars)
{
    const QByteArray head = payload.left(maxChars * 4);
    const QString text = QString::fromUtf8(head);
    const bool printable = !text.contains(QChar::ReplacementCharacter)
        && std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.isPrint() || c == QLatin1Char('\n') || c == QLatin1Char('\t'); });
    if (printable)
        return text.left(maxChars).replace(QLatin1Char('\n'), QLatin1Char(' '));
    return QString::fromLatin1(payload.left(maxChars / 3).toHex(' '));
}

QString hexDump(const QByteArray &payload, qsizetype maxBytes)
{
    QString out;
    const qsizetype size = std::min(payload.size(), maxBytes);
    for (qsizetype offset = 0; offset < size; offset += 16) {
        const QByteArray line = payload.mid(offset, std::min<qsizetype>(16, size - offset));
        QString ascii;
        for (const char c : line)
            ascii += (c >= 0x20 && c < 0x7f) ? QLatin1Char(c) : QLatin1Char('.');
        out += QStringLiteral("%1  %2  %3\n")
                   .arg(offset, 8, 16, QLatin1Char('0'))
                   .arg(QString::fromLatin1(line.toHex(' ')), -47)
                   .arg(ascii);
    }
    if (payload.size() > maxBytes)
        out += QStringLiteral("… (%1 more bytes)\n").arg(payload.size() - maxBytes);
    return out;
}

} // namespace hermes::ui
