// libFuzzer target for the schema-less protobuf decoder (STYLE.md R15).
//
// Any input must decode without a crash; on top of that every node's byte range must lie
// inside its parent's value, and a successful decode must cover the payload exactly with
// its top-level fields. A violation aborts so libFuzzer keeps the input.
#include "schema/rawdecoder.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace hermes::schema;

namespace {

[[noreturn]] void fail(const char *what, const DecodedNode &node)
{
    std::fprintf(stderr, "fuzz_rawdecoder: %s: field %s [%lld+%lld]\n", what, qPrintable(node.name),
                 static_cast<long long>(node.offset), static_cast<long long>(node.length));
    std::abort();
}

void check(const DecodedNode &node, qsizetype begin, qsizetype end, bool complete)
{
    if (node.offset < begin || node.length < 0 || node.offset + node.length > end)
        fail("range outside the parent", node);
    if (node.valueOffset < node.offset || node.valueOffset > node.offset + node.length)
        fail("value offset outside the field", node);
    qsizetype cursor = node.valueOffset;
    for (const DecodedNode &child : node.children) {
        if (complete && node.kind == DecodedNode::Kind::Message && child.offset != cursor)
            fail("gap between fields", child);
        check(child, node.valueOffset, node.offset + node.length, complete);
        cursor = child.offset + child.length;
    }
    if (complete && node.kind == DecodedNode::Kind::Message && cursor != node.offset + node.length)
        fail("fields do not cover the message", node);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(data, qsizetype(size));
    const RawDecodeResult result = decodeRaw(bytes);
    if (result.error && (result.error->offset < 0 || result.error->offset > bytes.size()))
        fail("error offset outside the payload", result.root);
    check(result.root, 0, bytes.size(), result.ok());
    (void)describe(result.root);
    return 0;
}
