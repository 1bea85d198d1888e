#include "protobufcompat.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/message.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/type_resolver.h>
#include <google/protobuf/util/type_resolver_util.h>
#if GOOGLE_PROTOBUF_VERSION < 4022000
#include <google/protobuf/stubs/logging.h>
#endif

namespace gp = google::protobuf;

namespace hermes::schema::compat {

namespace {

// protobuf 3.21: AddError/AddWarning with const std::string& (newer: RecordError with
// absl::string_view).
class CollectingErrorCollector final : public gp::compiler::MultiFileErrorCollector
{
public:
    explicit CollectingErrorCollector(QList<SchemaError> *sink)
        : m_sink(sink)
    {
    }

    void AddError(const std::string &filename, int line, int column, const std::string &message) override
    {
        record(filename, line, column, message, false);
    }

    void AddWarning(const std::string &filename, int line, int column, const std::string &message) override
    {
        record(filename, line, column, message, true);
    }

private:
    void record(const std::string &filename, int line, int column, const std::string &message, bool warning)
    {
        // protobuf counts from 0 and uses line -1 for "the whole file".
        const bool wholeFile = line < 0;
        m_sink->append(SchemaError{QString::fromStdString(filename), wholeFile ? 0 : line + 1,
                                   wholeFile ? 0 : column + 1, QString::fromStdString(message),
                                   warning});
    }

    QList<SchemaError> *m_sink;
};

} // namespace

std::unique_ptr<gp::compiler::MultiFileErrorCollector> makeErrorCollector(QList<SchemaError> *sink)
{
    return std::make_unique<CollectingErrorCollector>(sink);
}

bool parsePartialQuietly(gp::Message *message, const char *data, int size)
{
#if GOOGLE_PROTOBUF_VERSION < 4022000
    const gp::LogSilencer quiet;
#endif
    return message->ParsePartialFromArray(data, size);
}

namespace {

constexpr char kTypeUrlPrefix[] = "type.googleapis.com";

/// A resolver over the message's own pool, so Any can name any type the registry loaded.
std::unique_ptr<gp::util::TypeResolver> resolverFor(const gp::Message &message)
{
    return std::unique_ptr<gp::util::TypeResolver>(
            gp::util::NewTypeResolverForDescriptorPool(kTypeUrlPrefix, message.GetDescriptor()->file()->pool()));
}

std::string typeUrlOf(const gp::Message &message)
{
    return std::string(kTypeUrlPrefix) + "/" + message.GetDescriptor()->full_name();
}

} // namespace

// MessageToJsonString / JsonStringToMessage in 3.21 serialize and parse with the
// "complete" calls, which abort (CHECK) or fail on a proto2 message with a required field
// missing. Going through the binary form with the Partial calls keeps that a warning (R11).
bool messageToJson(const gp::Message &message, std::string *json, QString *error)
{
    gp::util::JsonPrintOptions options; // 3.21 names; canonical mapping = the defaults
    options.add_whitespace = false;
    options.always_print_primitive_fields = false;
    options.preserve_proto_field_names = false;
    std::string binary;
    if (!message.SerializePartialToString(&binary)) {
        *error = QStringLiteral("cannot serialize");
        return false;
    }
    const std::unique_ptr<gp::util::TypeResolver> resolver = resolverFor(message);
#if GOOGLE_PROTOBUF_VERSION < 4022000
    const gp::LogSilencer quiet; // "JsonObjectWriter was not fully closed" when it gives up
#endif
    const gp::util::Status status =
            gp::util::BinaryToJsonString(resolver.get(), typeUrlOf(message), binary, json, options);
    if (!status.ok()) {
        *error = QString::fromStdString(status.ToString());
        return false;
    }
    return true;
}

bool jsonToMessage(const std::string &json, gp::Message *message, QString *error)
{
    gp::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    std::string binary;
    const std::unique_ptr<gp::util::TypeResolver> resolver = resolverFor(*message);
    const gp::util::Status status =
            gp::util::JsonToBinaryString(resolver.get(), typeUrlOf(*message), json, &binary, options);
    if (!status.ok()) {
        *error = QString::fromStdString(status.ToString());
        return false;
    }
    if (!message->ParsePartialFromString(binary)) {
        *error = QStringLiteral("the JSON converter produced bytes that do not parse");
        return false;
    }
    return true;
}

} // namespace hermes::schema::compat
