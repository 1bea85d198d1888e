// decode and encode: protobuf payloads for scripts and bug reports, offline: no broker
// involved. Payloads come from a file or stdin, the way protoc --decode reads them.
//
// Exit codes: 0 success; 1 (RequestFailed) the data is bad: the payload does not decode as
// the type, is not protobuf wire format, or the JSON does not encode; 2 (UsageError) the
// command line, a schema (.proto with errors, unknown type) or an input file is bad.
#include "commands.h"

#include "schema/payloadinterpreter.h"
#include "schema/schemaregistry.h"
#include "schema/topicbindings.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace hermes::cli {

namespace {

using schema::DecodedNode;

/// stdout as a byte sink: binary for encode, UTF-8 text for decode, one writer either way.
class Output
{
public:
    Output() { m_file.open(stdout, QIODevice::WriteOnly); }
    ~Output() { m_file.flush(); }
    void writeBytes(QByteArrayView bytes) { m_file.write(bytes.data(), bytes.size()); }
    void writeText(const QString &text) { writeBytes(text.toUtf8()); }

private:
    QFile m_file;
};

void addSchemaOptions(QCommandLineParser &parser)
{
    parser.addOption({{QStringLiteral("proto")},
                      QStringLiteral("A .proto file or a folder of them (repeatable). A relative name is looked up in the import paths first."),
                      QStringLiteral("PATH")});
    parser.addOption({{QStringLiteral("I"), QStringLiteral("proto_path")},
                      QStringLiteral("Import path for .proto files (repeatable; earlier wins, like protoc -I)."),
                      QStringLiteral("DIR")});
    parser.addOption({{QStringLiteral("descriptor-set")},
                      QStringLiteral("A FileDescriptorSet from protoc -o, with or without --include_imports (repeatable)."),
                      QStringLiteral("FILE")});
    parser.addOption({{QStringLiteral("type")}, QStringLiteral("Full message type name, e.g. pkg.Message."),
                      QStringLiteral("NAME")});
    parser.addHelpOption();
}

/// Parses `arguments` (arguments[0] is the subcommand). Returns an exit code to stop with,
/// or -1 to go on.
int parse(QCommandLineParser &parser, const QStringList &arguments, QTextStream &err)
{
    // QCommandLineParser names the program by its path; say what to type instead.
    QString help = parser.helpText();
    help = QStringLiteral("Usage: hermesctl %1 [options] [FILE]").arg(arguments.value(0)) + help.mid(help.indexOf(QLatin1Char('\n')));
    if (!parser.parse(arguments)) {
        err << "hermesctl " << arguments.value(0) << ": " << parser.errorText() << "\n\n" << help;
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << help;
        return Success;
    }
    if (parser.positionalArguments().size() > 1) {
        err << "hermesctl " << arguments.value(0) << ": one input file at most (or none: stdin)\n";
        return UsageError;
    }
    return -1;
}

/// Loads every schema the options name. Prints problems as file:line:column: message; a
/// warning alone does not fail.
bool loadSchemas(schema::SchemaRegistry &registry, const QCommandLineParser &parser, QTextStream &err)
{
    for (const QString &dir : parser.values(QStringLiteral("I")))
        registry.addImportPath(dir);
    QList<schema::SchemaError> problems;
    for (const QString &path : parser.values(QStringLiteral("proto"))) {
        problems += QFileInfo(path).isDir() ? registry.loadProtoDirectory(path) : registry.loadProtoFile(path);
    }
    for (const QString &path : parser.values(QStringLiteral("descriptor-set")))
        problems += registry.loadDescriptorSet(path);
    bool ok = true;
    for (const schema::SchemaError &problem : std::as_const(problems)) {
        if (problem.warning) {
            err << (problem.line > 0 ? QStringLiteral("%1:%2:%3: warning: %4").arg(problem.file).arg(problem.line).arg(problem.column).arg(problem.message)
                                     : QStringLiteral("%1: warning: %2").arg(problem.file, problem.message))
                << '\n';
        } else {
            err << problem.toString() << '\n';
            ok = false;
        }
    }
    return ok;
}

/// The type named by --type, or a message listing close names.
bool checkType(const schema::SchemaRegistry &registry, const QString &command, const QString &type, QTextStream &err)
{
    if (type.isEmpty()) {
        err << command << ": --type NAME is required (or --raw)\n";
        return false;
    }
    if (registry.describe(type))
        return true;
    err << command << ": unknown message type \"" << type << '"';
    const QStringList close = registry.similarTypes(type);
    if (!close.isEmpty())
        err << "; did you mean: " << close.join(QStringLiteral(", "));
    else if (registry.messageTypes().isEmpty())
        err << " (no schema loaded: use --proto or --descriptor-set)";
    err << '\n';
    return false;
}

/// The whole input: the file, or stdin when none is named (or "-").
std::optional<QByteArray> readInput(const QCommandLineParser &parser, const QString &command, QTextStream &err)
{
    const QString path = parser.positionalArguments().value(0);
    QFile file;
    const bool ok = path.isEmpty() || path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                                 : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!ok) {
        err << command << ": cannot read " << (path.isEmpty() ? QStringLiteral("stdin") : path) << ": " << file.errorString() << '\n';
        return std::nullopt;
    }
    return file.readAll();
}

/// protobuf's CEscape: the escaping protoc --decode_raw uses for strings.
QByteArray cEscape(QByteArrayView bytes)
{
    QByteArray out;
    out.reserve(bytes.size());
    for (const char c : bytes) {
        const auto u = quint8(c);
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\'': out += "\\'"; break;
        case '\\': out += "\\\\"; break;
        default:
            if (u < 0x20 || u >= 0x7f) {
                out += '\\';
                out += char('0' + (u >> 6));
                out += char('0' + ((u >> 3) & 7));
                out += char('0' + (u & 7));
            } else {
                out += c;
            }
        }
    }
    return out;
}

// protoc prints unknown fields (which is all --decode_raw has) with a recursion budget of 10
// (text_format.cc): deeper length-delimited values are printed as strings.
constexpr int kProtocRawBudget = 10;

/// The raw tree in exactly protoc --decode_raw's text. A length-delimited value is a nested
/// message when it is non-empty and parses as one, a string otherwise (protoc's rule, which
/// differs from decodeRaw's printable-text-first guess, so it is decided here again).
void printProtocRaw(QByteArray &out, QByteArrayView payload, const QList<DecodedNode> &fields, int indent, int budget)
{
    const QByteArray pad(indent * 2, ' ');
    for (const DecodedNode &field : fields) {
        out += pad + QByteArray::number(field.number);
        switch (field.kind) {
        case DecodedNode::Kind::Varint:
            out += ": " + QByteArray::number(field.value.toULongLong()) + '\n';
            break;
        case DecodedNode::Kind::Fixed32:
            out += ": 0x" + QByteArray::number(field.value.toULongLong(), 16).rightJustified(8, '0') + '\n';
            break;
        case DecodedNode::Kind::Fixed64:
            out += ": 0x" + QByteArray::number(field.value.toULongLong(), 16).rightJustified(16, '0') + '\n';
            break;
        case DecodedNode::Kind::Group:
            out += " {\n";
            printProtocRaw(out, payload, field.children, indent + 1, budget - 1);
            out += pad + "}\n";
            break;
        default: {
            const QByteArrayView value = payload.sliced(field.valueOffset, field.offset + field.length - field.valueOffset);
            if (!value.isEmpty() && budget > 0) {
                const schema::RawDecodeResult nested = schema::decodeRaw(value, budget);
                if (nested.ok()) {
                    out += " {\n";
                    printProtocRaw(out, value, nested.root.children, indent + 1, budget - 1);
                    out += pad + "}\n";
                    break;
                }
            }
            out += ": \"" + cEscape(value) + "\"\n";
        }
        }
    }
}

void printWarnings(const QStringList &warnings, const QString &command, QTextStream &err)
{
    for (const QString &warning : warnings)
        err << command << ": warning: " << warning << '\n';
}

int decodeRaw(const QCommandLineParser &parser, const QByteArray &payload, QTextStream &err)
{
    const schema::RawDecodeResult raw = schema::decodeRaw(payload);
    Output out;
    if (parser.isSet(QStringLiteral("tree")))
        out.writeText(schema::describe(raw.root));
    if (!raw.ok()) {
        err << "hermesctl decode: not protobuf wire format: " << raw.error->message << " at offset " << raw.error->offset << '\n';
        return RequestFailed;
    }
    if (!parser.isSet(QStringLiteral("tree"))) {
        QByteArray text;
        printProtocRaw(text, payload, raw.root.children, 0, kProtocRawBudget);
        out.writeBytes(text);
    }
    return Success;
}

QJsonValue jsonOrNull(const QString &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8());
    if (document.isObject())
        return document.object();
    if (document.isArray())
        return document.array();
    return QJsonValue::Null;
}

/// --topic / --content-type: the console's reading (payloadinterpreter.h).
int decodeInterpreted(const QCommandLineParser &parser, const schema::SchemaRegistry &registry,
                      const QByteArray &payload, QTextStream &err)
{
    schema::TopicBindings bindings;
    for (const QString &binding : parser.values(QStringLiteral("bind"))) {
        QString why;
        if (!bindings.bind(binding.section(QLatin1Char('='), 0, 0), binding.section(QLatin1Char('='), 1), &why)) {
            err << "hermesctl decode: --bind " << binding << ": " << why << " (expected FILTER=TYPE)\n";
            return UsageError;
        }
    }
    const schema::InterpretedPayload result = schema::interpretPayload(
            registry, bindings, parser.value(QStringLiteral("topic")), payload, parser.value(QStringLiteral("content-type")));
    for (const QString &note : result.notes)
        err << "hermesctl decode: note: " << note << '\n';
    printWarnings(result.decoded.warnings, QStringLiteral("hermesctl decode"), err);
    Output out;
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonObject object{{QStringLiteral("interpretation"), schema::interpretationName(result.interpretation)}};
        if (!result.messageType.isEmpty())
            object.insert(QStringLiteral("messageType"), result.messageType);
        if (!result.boundFilter.isEmpty())
            object.insert(QStringLiteral("boundFilter"), result.boundFilter);
        if (result.interpretation == schema::Interpretation::Text)
            object.insert(QStringLiteral("text"), result.text);
        else if (!result.decoded.rawFallback)
            object.insert(QStringLiteral("message"), jsonOrNull(result.decoded.json));
        if (result.inner) {
            QJsonObject inner{{QStringLiteral("interpretation"), schema::interpretationName(result.inner->interpretation)},
                              {QStringLiteral("contentType"), result.inner->contentType.mediaType}};
            if (!result.inner->contentType.messageType.isEmpty())
                inner.insert(QStringLiteral("messageType"), result.inner->contentType.messageType);
            if (result.inner->interpretation == schema::Interpretation::Text)
                inner.insert(QStringLiteral("text"), result.inner->text);
            if (!result.inner->decoded.json.isEmpty())
                inner.insert(QStringLiteral("message"), jsonOrNull(result.inner->decoded.json));
            object.insert(QStringLiteral("payload"), inner);
        }
        out.writeBytes(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
        return Success;
    }
    QString header = QStringLiteral("# %1").arg(schema::interpretationName(result.interpretation));
    if (!result.messageType.isEmpty())
        header += QLatin1Char(' ') + result.messageType;
    if (result.inner) {
        header += QStringLiteral(", payload %1").arg(schema::interpretationName(result.inner->interpretation));
        if (!result.inner->contentType.mediaType.isEmpty())
            header += QLatin1Char(' ') + result.inner->contentType.mediaType;
    }
    out.writeText(header + QLatin1Char('\n') + schema::describe(result.decoded.root));
    if (result.inner && result.inner->interpretation == schema::Interpretation::Text)
        out.writeText(QStringLiteral("# payload text\n%1\n").arg(result.inner->text));
    return Success;
}

} // namespace

int runDecodeCommand(const QStringList &arguments)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "Decodes a protobuf payload from FILE or stdin.\n"
            "  hermesctl decode --proto x.proto --type pkg.Msg [--json|--tree] [FILE]\n"
            "  hermesctl decode --raw [--tree] [FILE]         (like protoc --decode_raw)\n"
            "  hermesctl decode --topic T [--content-type CT] [--bind FILTER=TYPE]... [FILE]\n"
            "                                                 (as the console reads it: envelopes too)\n"
            "Exit codes: 0 decoded, 1 the payload does not decode, 2 bad command line, schema or file."));
    addSchemaOptions(parser);
    parser.addOptions({
            {{QStringLiteral("json")}, QStringLiteral("Print canonical proto3 JSON (the default with --type).")},
            {{QStringLiteral("tree")}, QStringLiteral("Print the field tree with byte ranges [offset+length].")},
            {{QStringLiteral("raw")}, QStringLiteral("No schema: the wire format field by field, in protoc --decode_raw's text.")},
            {{QStringLiteral("topic")}, QStringLiteral("Read the payload as published on TOPIC (envelopes, bindings)."), QStringLiteral("TOPIC")},
            {{QStringLiteral("content-type")}, QStringLiteral("The MQTT 5 content type it was published with."), QStringLiteral("CT")},
            {{QStringLiteral("bind")}, QStringLiteral("Bind a topic filter to a type for --topic (repeatable)."), QStringLiteral("FILTER=TYPE")},
    });
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("Payload file; stdin when absent or \"-\"."));
    if (const int code = parse(parser, arguments, err); code >= 0)
        return code;
    const bool interpret = parser.isSet(QStringLiteral("topic")) || parser.isSet(QStringLiteral("content-type"));
    if (parser.isSet(QStringLiteral("json")) && parser.isSet(QStringLiteral("tree"))) {
        err << "hermesctl decode: --json and --tree exclude each other\n";
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("raw")) && (parser.isSet(QStringLiteral("type")) || interpret)) {
        err << "hermesctl decode: --raw takes no --type, --topic or --content-type\n";
        return UsageError;
    }

    schema::SchemaRegistry registry;
    if (!parser.isSet(QStringLiteral("raw")) && !loadSchemas(registry, parser, err))
        return UsageError;
    const QString type = parser.value(QStringLiteral("type"));
    if (!parser.isSet(QStringLiteral("raw")) && !interpret && !checkType(registry, QStringLiteral("hermesctl decode"), type, err))
        return UsageError;
    const std::optional<QByteArray> payload = readInput(parser, QStringLiteral("hermesctl decode"), err);
    if (!payload)
        return UsageError;
    if (parser.isSet(QStringLiteral("raw")))
        return decodeRaw(parser, *payload, err);
    if (interpret)
        return decodeInterpreted(parser, registry, *payload, err);

    const schema::DecodeResult decoded = registry.decode(type, *payload);
    Output out;
    if (parser.isSet(QStringLiteral("tree")))
        out.writeText(schema::describe(decoded.root)); // the raw tree when typed decoding failed
    if (!decoded.ok()) {
        err << "hermesctl decode: " << decoded.error;
        if (decoded.rawError)
            err << " (" << decoded.rawError->message << " at offset " << decoded.rawError->offset << ')';
        err << "\nhermesctl decode: hint: --raw shows the wire format field by field\n";
        return RequestFailed;
    }
    printWarnings(decoded.warnings, QStringLiteral("hermesctl decode"), err);
    if (!parser.isSet(QStringLiteral("tree")))
        out.writeText(decoded.json + QLatin1Char('\n'));
    return Success;
}

int runEncodeCommand(const QStringList &arguments)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "Encodes canonical proto3 JSON from FILE or stdin into protobuf bytes on stdout.\n"
            "  hermesctl encode --proto x.proto --type pkg.Msg [FILE] > out.bin\n"
            "Exit codes: 0 encoded, 1 the JSON does not encode, 2 bad command line, schema or file."));
    addSchemaOptions(parser);
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")}, QStringLiteral("Write the bytes to FILE instead of stdout."),
                      QStringLiteral("FILE")});
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("JSON file; stdin when absent or \"-\"."));
    if (const int code = parse(parser, arguments, err); code >= 0)
        return code;
    schema::SchemaRegistry registry;
    if (!loadSchemas(registry, parser, err))
        return UsageError;
    const QString type = parser.value(QStringLiteral("type"));
    if (!checkType(registry, QStringLiteral("hermesctl encode"), type, err))
        return UsageError;
    const std::optional<QByteArray> json = readInput(parser, QStringLiteral("hermesctl encode"), err);
    if (!json)
        return UsageError;
    const schema::EncodeResult encoded = registry.encodeJson(type, QString::fromUtf8(*json));
    if (!encoded.ok()) {
        err << "hermesctl encode: " << encoded.error << '\n';
        return RequestFailed;
    }
    printWarnings(encoded.warnings, QStringLiteral("hermesctl encode"), err);
    if (parser.isSet(QStringLiteral("output"))) {
        QFile file(parser.value(QStringLiteral("output")));
        if (!file.open(QIODevice::WriteOnly) || file.write(encoded.bytes) != encoded.bytes.size()) {
            err << "hermesctl encode: cannot write " << file.fileName() << ": " << file.errorString() << '\n';
            return UsageError;
        }
        return Success;
    }
    Output out;
    out.writeBytes(encoded.bytes);
    return Success;
}

} // namespace hermes::cli
