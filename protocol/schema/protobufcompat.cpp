#include "protobufcompat.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

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

bool messageToJson(const gp::Message &message, std::string *json, QString *error)
{
    gp::util::JsonPrintOptions options; // 3.21 names; canonical mapping = the defaults
    options.add_whitespace = false;
    options.always_print_primitive_fields = false;
    options.preserve_proto_field_names = false;
    const gp::util::Status status = gp::util::MessageToJsonString(message, json, options);
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
    const gp::util::Status status = gp::util::JsonStringToMessage(json, message, options);
    if (!status.ok()) {
        *error = QString::fromStdString(status.ToString());
        return false;
    }
    return true;
}

} // namespace hermes::schema::compat
