#pragma once
/// SchemaRegistry's private state, shared by the .cpp files of protocol/schema that need the
/// descriptor pool. Never included from a public header (STYLE.md R11).

#include "schemaregistry.h"

#include "protobufcompat.h"
#include "push/envelope.h"
#include "schema/sparkplug.h"

#include <QDir>
#include <QHash>
#include <QMutex>

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>

namespace hermes::schema {

namespace gp = google::protobuf;

// Declaration order is destruction order reversed: the factory (and every message it made)
// goes first, the source tree last (STYLE.md R11, protoc's EncodeOrDecode). This is
// compiler::Importer taken apart so that descriptor sets can join the same pool: the pool
// asks the set database first and the .proto files on disk second.
/// A field's name and type as the tree shows them, built once per registry.
struct FieldNames {
    QString name;
    QString typeName;
};

struct SchemaRegistry::Impl {
    explicit Impl(const QString &wellKnownTypesRoot)
        : m_wellKnownTypesRoot(wellKnownTypesRoot)
    {
        m_sourceDatabase.RecordErrorsTo(m_errorCollector.get());
        if (!wellKnownTypesRoot.isEmpty()) {
            // Only google/protobuf/... so a system header never shadows a user's file.
            m_sourceTree.MapPath("google/protobuf",
                                 QDir(wellKnownTypesRoot).filePath(QStringLiteral("google/protobuf")).toStdString());
        }
    }

    QList<SchemaError> takeErrors() { return std::exchange(m_errors, {}); }

    QList<SchemaError> loadVirtual(const std::string &name)
    {
        const gp::FileDescriptor *file = m_pool.FindFileByName(name);
        QList<SchemaError> errors = takeErrors();
        if (file) {
            if (!m_files.contains(QString::fromStdString(name)))
                m_files.append(QString::fromStdString(name));
        } else if (std::none_of(errors.cbegin(), errors.cend(),
                                [](const SchemaError &e) { return !e.warning; })) {
            // The pool remembers files that failed and does not report them twice.
            errors.append(SchemaError{QString::fromStdString(name), 0, 0,
                                      QStringLiteral("could not be loaded (see earlier errors)")});
        }
        return errors;
    }

    /// A loaded message type, or one compiled into Hermes (hermes.push.v1: the envelope and
    /// receipt are always known, without loading push/envelope.proto).
    const gp::Descriptor *findType(const QString &name) const
    {
        const std::string full = name.toStdString();
        if (const gp::Descriptor *type = m_pool.FindMessageTypeByName(full))
            return type;
        if (name.startsWith(QLatin1String("hermes.push.v1.")) || name.startsWith(QLatin1String("org.eclipse.tahu.protobuf.")))
            return gp::DescriptorPool::generated_pool()->FindMessageTypeByName(full);
        return nullptr;
    }

    /// The empty message of `type`, from the factory of the pool it came from.
    const gp::Message *prototype(const gp::Descriptor *type) const
    {
        if (type->file()->pool() == &m_pool)
            return m_factory.GetPrototype(type);
        return gp::MessageFactory::generated_factory()->GetPrototype(type);
    }

    /// Records a public load call; calls made from inside another one are not recorded
    /// (loadProtoDirectory() adds an import path and loads files itself).
    class Recorder
    {
    public:
        Recorder(Impl &impl, SchemaSource::Kind kind, const QString &path)
            : m_impl(impl)
        {
            if (m_impl.m_loadDepth++ == 0)
                m_impl.m_sources.append(SchemaSource{kind, path});
        }
        ~Recorder() { --m_impl.m_loadDepth; }
        Recorder(const Recorder &) = delete;
        Recorder &operator=(const Recorder &) = delete;

    private:
        Impl &m_impl;
    };

    /// The names of `field`, made by `make` the first time. Thread-safe.
    template<typename Make>
    FieldNames fieldNames(const gp::FieldDescriptor *field, Make make) const
    {
        const QMutexLocker lock(&m_fieldNamesLock);
        auto it = m_fieldNames.constFind(field);
        if (it == m_fieldNames.cend())
            it = m_fieldNames.insert(field, make(field));
        return *it;
    }

    mutable QMutex m_fieldNamesLock;
    mutable QHash<const gp::FieldDescriptor *, FieldNames> m_fieldNames;
    bool m_fastJson = true;
    QString m_wellKnownTypesRoot;
    QList<SchemaSource> m_sources;
    int m_loadDepth = 0;
    gp::compiler::DiskSourceTree m_sourceTree;
    QList<SchemaError> m_errors;
    std::unique_ptr<gp::compiler::MultiFileErrorCollector> m_errorCollector =
            compat::makeErrorCollector(&m_errors);
    gp::compiler::SourceTreeDescriptorDatabase m_sourceDatabase{&m_sourceTree};
    gp::SimpleDescriptorDatabase m_setDatabase;
    gp::MergedDescriptorDatabase m_database{&m_setDatabase, &m_sourceDatabase};
    gp::DescriptorPool m_pool{&m_database, m_sourceDatabase.GetValidationErrorCollector()};
    // GetPrototype() is not const but is thread-safe; decoding is logically const.
    mutable gp::DynamicMessageFactory m_factory{&m_pool};
    QStringList m_files;
    QStringList m_roots;
    // hermes_protocol is a static library: referencing push/envelope.cpp links it, and with
    // it the generated hermes.push.v1 descriptors findType() looks up, into every program
    // that uses the registry.
    push::EnvelopeResult (*m_keepEnvelopeLinked)(QByteArrayView) = &push::PushEnvelope::fromBytes;
    // The same for the compiled-in Sparkplug B payload (org.eclipse.tahu.protobuf).
    std::optional<sparkplug::Payload> (*m_keepSparkplugLinked)(QByteArrayView) = &sparkplug::decodePayload;
};

/// Canonical JSON of a typed tree of `type` (decoded from `payload`), identical to protobuf's converter, or false
/// when the tree has something only the converter handles (fastjson.cpp).
bool writeFastJson(const gp::Descriptor *type, const DecodedNode &root, QByteArrayView payload, std::string &out);

} // namespace hermes::schema
