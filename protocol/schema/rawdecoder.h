#pragma once
/// Schema-less protobuf wire decoding, like `protoc --decode_raw`: bytes in, a DecodedNode
/// tree out, with exact byte ranges. Pure Qt6::Core; never throws and never crashes.

#include "decodednode.h"

#include <QByteArrayView>

#include <optional>

namespace hermes::schema {

/// Protobuf wire types (encoding.md "Message Structure").
enum class WireType : quint8 {
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    StartGroup = 3,
    EndGroup = 4,
    Fixed32 = 5,
};

/// Where and why the wire format broke.
struct RawDecodeError {
    qsizetype offset = 0; ///< payload offset of the first byte that could not be decoded
    QString message;
    bool operator==(const RawDecodeError &) const = default;
};

/// The tree decoded so far (the root is a Message covering the whole payload) and, when
/// the payload is truncated or malformed, the error. Fields before the error are kept.
struct RawDecodeResult {
    DecodedNode root;
    std::optional<RawDecodeError> error;
    bool ok() const { return !error.has_value(); }
};

/// Nesting limit for messages and groups (protobuf's own parser stops at 100).
inline constexpr int kMaxRawDepth = 64;

/// Decodes `bytes` field by field. Length-delimited values become a nested Message when
/// they are not printable text and parse completely as fields, a String when they are
/// printable UTF-8, and Bytes otherwise. Cost: O(size × depth).
RawDecodeResult decodeRaw(QByteArrayView bytes, int maxDepth = kMaxRawDepth);

/// Decodes the single field whose tag starts at `pos` in `payload` (not beyond `end`) into
/// `field`, guessing as decodeRaw() does, and advances `pos` past it. `depth` counts the
/// enclosing messages. An end-group tag is an error here. Used for unknown fields.
std::optional<RawDecodeError> decodeRawField(QByteArrayView payload, qsizetype &pos, qsizetype end,
                                             int depth, int maxDepth, DecodedNode &field);

/// Reads a base-128 varint of at most 10 bytes at `pos` (not beyond `end`), advancing `pos`.
/// Returns nothing when truncated or longer than 10 bytes.
std::optional<quint64> readVarint(QByteArrayView payload, qsizetype &pos, qsizetype end);

/// Reads a field tag at `pos`: returns (field number, wire type) or an error for field
/// number 0, numbers above 2^29-1, wire types 6 and 7, or truncation.
struct Tag {
    int number = 0;
    WireType wireType = WireType::Varint;
};
std::optional<Tag> readTag(QByteArrayView payload, qsizetype &pos, qsizetype end, QString *why);

/// True for non-empty valid UTF-8 without control characters other than tab, CR and LF.
bool isPrintableUtf8(QByteArrayView bytes);

/// Bytes as shown to a person: printable ASCII kept, others as \xNN, cut after 64 bytes.
QString escapedBytes(QByteArrayView bytes);

} // namespace hermes::schema
