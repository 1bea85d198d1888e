// libFuzzer target for the admin API's request parsing (app/engine/push): the payload of a
// request on $hermes/admin/v1/… comes from the network. Any input gives arguments or a
// bad-request error without a crash; arguments are then read as push/send and as a push
// target, the parsers that take the most from a request. Invariants:
//   - an error always has a code and a message;
//   - arguments written back as JSON parse to the same arguments;
//   - a push request that parses writes back (toJson) to one that parses to the same target.
#include "push/adminrequest.h"
#include "push/pushtypes.h"

#include <QJsonDocument>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace hermes;

namespace {

[[noreturn]] void fail(const char *what)
{
    std::fprintf(stderr, "fuzz_adminrequest: invariant broken: %s\n", what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView payload(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = parseAdminArguments(payload);
    if (const auto *error = std::get_if<AdminRequestError>(&parsed)) {
        if (error->code.isEmpty() || error->message.isEmpty())
            fail("error without code or message");
        return 0;
    }
    const QJsonObject &arguments = std::get<QJsonObject>(parsed);
    const QByteArray written = QJsonDocument(arguments).toJson(QJsonDocument::Compact);
    const auto again = parseAdminArguments(written);
    if (!std::holds_alternative<QJsonObject>(again) || std::get<QJsonObject>(again) != arguments)
        fail("arguments do not survive being written back");

    QString problem;
    (void)PushTarget::fromJson(arguments.value(QLatin1String("target")).toObject(), &problem);
    const std::optional<PushRequest> request = PushRequest::fromJson(arguments, &problem);
    if (!request)
        return 0;
    (void)request->target.describe();
    QString secondProblem;
    const std::optional<PushRequest> back = PushRequest::fromJson(request->toJson(), &secondProblem);
    if (!back) {
        std::fprintf(stderr, "%s\n", qPrintable(secondProblem));
        fail("a parsed push request does not parse back from its own JSON");
    }
    if (!(back->target == request->target) || back->payload != request->payload || back->qos != request->qos)
        fail("a push request changes when written back");
    return 0;
}
