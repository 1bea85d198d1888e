#pragma once
/// Run-time protobuf schemas: .proto files (with import paths) and FileDescriptorSets in,
/// message types, decoded trees, canonical JSON and encoded bytes out. Sans-I/O apart from
/// reading the schema files it is asked to load.

#include "decodednode.h"
#include "messageshape.h"
#include "rawdecoder.h"
#include "schemaerror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace hermes::schema {

/// A decoded payload. When typed decoding is impossible (unknown type, bytes that do not
/// parse as it) `rawFallback` is set, `error` says why, and `root` comes from decodeRaw().
struct DecodeResult {
    DecodedNode root;
    QString json;                         ///< canonical proto3 JSON; empty on raw fallback
    QString error;                        ///< why typed decoding failed
    QStringList warnings;                 ///< e.g. missing required fields (not a failure)
    bool rawFallback = false;
    std::optional<RawDecodeError> rawError; ///< the wire format itself is broken here
    bool ok() const { return !rawFallback; }
};

/// Encoded bytes, or the reason the JSON was refused.
struct EncodeResult {
    QByteArray bytes;
    QString error;
    QStringList warnings; ///< e.g. missing required fields: bytes are still produced
    bool ok() const { return error.isEmpty(); }
};

/// One call that put schemas into a registry. A registry keeps them in order so that a file
/// watcher can build a fresh registry from the same sources when a file changes (reload()):
/// a descriptor pool cannot forget or replace a file it has built.
struct SchemaSource {
    enum class Kind : quint8 {
        ImportPath,     ///< addImportPath()
        ProtoFile,      ///< loadProtoFile()
        ProtoDirectory, ///< loadProtoDirectory()
        DescriptorSet,  ///< loadDescriptorSet()
    };
    Kind kind = Kind::ProtoFile;
    QString path; ///< as given to the call (import paths: absolute)
    bool operator==(const SchemaSource &) const = default;
};

/// Holds descriptors and the message factory. Nothing it returns refers to protobuf
/// objects, so results outlive it safely (STYLE.md R11).
class SchemaRegistry
{
public:
    /// `wellKnownTypesRoot` holds google/protobuf/*.proto (Debian: /usr/include); it is
    /// consulted only for imports under "google/protobuf/".
    explicit SchemaRegistry(const QString &wellKnownTypesRoot = QStringLiteral("/usr/include"));
    ~SchemaRegistry();
    SchemaRegistry(const SchemaRegistry &) = delete;
    SchemaRegistry &operator=(const SchemaRegistry &) = delete;

    /// Makes `directory` a root for import statements (like protoc -I). Earlier roots win.
    void addImportPath(const QString &directory);

    /// Loads one .proto file: a path on disk (its folder becomes an import root when no
    /// root contains it) or a name relative to an import root. Returns errors and warnings.
    QList<SchemaError> loadProtoFile(const QString &path);

    /// Adds `directory` as an import root and loads every .proto below it.
    QList<SchemaError> loadProtoDirectory(const QString &directory);

    /// Loads a FileDescriptorSet (protoc -o, with or without --include_imports; imports
    /// missing from the set are looked up in the import roots).
    QList<SchemaError> loadDescriptorSet(const QString &path);

    /// Full names of the message types in the loaded files (nested ones too, map entries
    /// not), sorted.
    QStringList messageTypes() const;

    /// Names of the loaded files, as imports spell them.
    QStringList files() const;

    /// Every load call so far, in order, failed ones included (a broken file that gets
    /// fixed loads on the next reload()).
    QList<SchemaSource> sources() const;

    /// The folder given to the constructor for google/protobuf/*.proto.
    QString wellKnownTypesRoot() const;

    /// What a watcher should watch, absolute and sorted: every .proto file read from disk
    /// (imports included, the well-known types not), every .proto file and descriptor set
    /// named by a source (even when it failed to load), and every loaded directory (for
    /// files that appear or disappear).
    QStringList watchedPaths() const;

    /// Replays `sources` in order (into a fresh registry, normally). Returns all errors.
    QList<SchemaError> loadSources(const QList<SchemaSource> &sources);

    /// A fresh registry with the same well-known-types root and sources, read again from
    /// disk; this one is unchanged. The errors of the new load go to `errors`.
    std::unique_ptr<SchemaRegistry> reload(QList<SchemaError> *errors = nullptr) const;

    /// The fields of `typeName` as plain values, for generating a form; nothing for an
    /// unknown type. Message-typed fields name their type; describe that on demand.
    std::optional<MessageShape> describe(const QString &typeName) const;

    /// Up to `limit` loaded type names close to `typeName` (same last component, containing
    /// it, or a small edit distance), best first: "did you mean" lists.
    QStringList similarTypes(const QString &typeName, int limit = 5) const;

    /// Decodes `bytes` as `typeName`; never fails outright and never crashes on any input.
    /// Besides the loaded types, the hermes.push.v1 types (Envelope, Receipt) are always
    /// known (here, in encodeJson() and in describe()); they are not in messageTypes().
    DecodeResult decode(const QString &typeName, QByteArrayView bytes) const;

    /// decode() writes common proto3 JSON itself, much faster than protobuf's converter and
    /// byte for byte the same; false makes it use the converter always (for tests that
    /// compare the two, and for benchmarks).
    void setFastJsonEnabled(bool enabled);

    /// Encodes canonical proto3 JSON text as `typeName`.
    EncodeResult encodeJson(const QString &typeName, const QString &json) const;

    /// Opaque; defined in schemaregistry_p.h for the schema sources only.
    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
};

} // namespace hermes::schema
