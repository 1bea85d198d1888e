#include "decodedtext.h"

namespace hermes::ui {

using schema::DecodedNode;
using Kind = DecodedNode::Kind;

QString indentJson(const QString &compact, int indent)
{
    QString out;
    out.reserve(compact.size() * 2);
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    const auto newline = [&] {
        out += QLatin1Char('\n');
        out += QString(depth * indent, QLatin1Char(' '));
    };
    for (qsizetype i = 0; i < compact.size(); ++i) {
        const QChar c = compact.at(i);
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == QLatin1Char('\\'))
                escaped = true;
            else if (c == QLatin1Char('"'))
                inString = false;
            continue;
        }
        switch (c.unicode()) {
        case '"':
            inString = true;
            out += c;
            break;
        case '{':
        case '[': {
            // Keep empty containers on one line: {} and [].
            qsizetype next = i + 1;
            while (next < compact.size() && compact.at(next).isSpace())
                ++next;
            const QChar close = c == QLatin1Char('{') ? QLatin1Char('}') : QLatin1Char(']');
            if (next < compact.size() && compact.at(next) == close) {
                out += c;
                out += close;
                i = next;
                break;
            }
            out += c;
            ++depth;
            newline();
            break;
        }
        case '}':
        case ']':
            depth = qMax(0, depth - 1);
            newline();
            out += c;
            break;
        case ',':
            out += c;
            newline();
            break;
        case ':':
            out += QLatin1String(": ");
            break;
        case ' ':
        case '\t':
        case '\n':
        case '\r':
            break;
        default:
            out += c;
        }
    }
    return out;
}

namespace {

QString quoted(const QString &text)
{
    QString out = text;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1String("\\\""));
    out.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    out.replace(QLatin1Char('\r'), QLatin1String("\\r"));
    out.replace(QLatin1Char('\t'), QLatin1String("\\t"));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

void formatRawNode(const DecodedNode &node, int depth, QString &out)
{
    const QString pad(depth * 2, QLatin1Char(' '));
    for (const DecodedNode &child : node.children) {
        const QString label = child.number > 0 ? QString::number(child.number) : child.name;
        switch (child.kind) {
        case Kind::Message:
        case Kind::Group:
        case Kind::Packed:
            out += pad + label + QLatin1String(" {\n");
            formatRawNode(child, depth + 1, out);
            out += pad + QLatin1String("}\n");
            break;
        case Kind::Fixed64:
            out += pad + label + QStringLiteral(": 0x%1\n").arg(child.value.toULongLong(), 16, 16, QLatin1Char('0'));
            break;
        case Kind::Fixed32:
            out += pad + label + QStringLiteral(": 0x%1\n").arg(child.value.toULongLong(), 8, 16, QLatin1Char('0'));
            break;
        case Kind::String:
            out += pad + label + QLatin1String(": ") + quoted(child.value.toString()) + QLatin1Char('\n');
            break;
        case Kind::Bytes:
            out += pad + label + QLatin1String(": \"") + child.text + QLatin1String("\"\n");
            break;
        default:
            out += pad + label + QLatin1String(": ") + child.text + QLatin1Char('\n');
        }
    }
}

} // namespace

QString formatRawTree(const DecodedNode &root)
{
    QString out;
    formatRawNode(root, 0, out);
    return out;
}

} // namespace hermes::ui
