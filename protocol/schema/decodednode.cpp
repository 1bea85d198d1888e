#include "decodednode.h"

namespace hermes::schema {

QString describe(const DecodedNode &node, int indent)
{
    QString line = QString(indent * 2, QLatin1Char(' '));
    line += QStringLiteral("%1 %2 [%3+%4]").arg(node.name, node.typeName).arg(node.offset).arg(node.length);
    if (node.unknown)
        line += QStringLiteral(" unknown");
    if (!node.text.isEmpty() || node.value.isValid())
        line += QStringLiteral(" = ") + node.text;
    line += QLatin1Char('\n');
    for (const DecodedNode &child : node.children)
        line += describe(child, indent + 1);
    return line;
}

} // namespace hermes::schema
