#pragma once
/// The console's protobuf schemas: the sources an operator loaded, the topic bindings, and
/// the one SchemaRegistry built from them that the payload inspector and the message form
/// share. Reloads (a fresh registry from the same sources) when a loaded file changes.

#include "schema/schemaerror.h"
#include "schema/schemaregistry.h"
#include "schema/topicbindings.h"

#include <QFileSystemWatcher>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace hermes::ui {

/// One thing the operator loaded.
struct SchemaSource {
    enum class Kind : quint8 {
        ProtoFile,      ///< one .proto file (its folder becomes an import root)
        ProtoDirectory, ///< every .proto below a folder (the folder is an import root)
        DescriptorSet,  ///< a FileDescriptorSet written by protoc -o
    };
    Kind kind = Kind::ProtoFile;
    QString path;
    bool operator==(const SchemaSource &) const = default;
};

/// A topic filter bound to a message type; the most specific matching filter wins.
struct SchemaBinding {
    QString topicFilter;
    QString typeName;
    bool operator==(const SchemaBinding &) const = default;
};

/// Owns the shared registry. Consumers keep the pointer returned by registry() only until
/// changed() (a reload replaces the registry; the old one lives while someone holds it).
class SchemaLibrary : public QObject
{
    Q_OBJECT
public:
    /// Persists sources and bindings under `settingsGroup` of the default QSettings; an empty
    /// group keeps everything in memory (tests, previews). Call restore() to load them.
    explicit SchemaLibrary(const QString &settingsGroup = QStringLiteral("schemas"), QObject *parent = nullptr);
    ~SchemaLibrary() override;

    /// Loads sources and bindings from the settings and reloads.
    void restore();

    /// The registry built from sources(); never null.
    std::shared_ptr<const schema::SchemaRegistry> registry() const { return m_registry; }

    QList<SchemaSource> sources() const { return m_sources; }
    /// Adds a source (made absolute; ignored when already present) and reloads. Errors
    /// are in errors() afterwards. Returns false when it was already there.
    bool addSource(const SchemaSource &source);
    void removeSource(int index);

    /// Errors and warnings of the last (re)load, in source order.
    QList<schema::SchemaError> errors() const { return m_errors; }
    /// Loaded message types (registry()->messageTypes()), cached.
    QStringList messageTypes() const { return m_types; }
    /// How many times the registry was rebuilt (tests wait for a reload with it).
    int generation() const { return m_generation; }

    QList<SchemaBinding> bindings() const { return m_bindings; }
    void setBindings(const QList<SchemaBinding> &bindings);
    /// The type bound to `topic` by the most specific matching filter, or an empty string.
    QString typeForTopic(const QString &topic) const;
    /// The usable bindings (valid filter and a type) as schema::TopicBindings, for
    /// schema::interpretPayload(). A later row with the same filter replaces an earlier one.
    /// Always holds the built-in Sparkplug B binding (spBv1.0/# → its Payload) unless a row
    /// binds that filter to another type.
    const schema::TopicBindings &topicBindings() const { return m_topicBindings; }

    /// Delay between a file change and the reload (editors write in several steps).
    void setReloadDelay(int milliseconds) { m_reloadTimer.setInterval(milliseconds); }
    /// Paths the watcher follows (files and folders), for tests and diagnostics.
    QStringList watchedPaths() const;

public slots:
    /// Builds a fresh registry from sources() and emits changed().
    void reload();

signals:
    /// The registry, its types or its errors changed (after every reload).
    void changed();
    /// The bindings changed.
    void bindingsChanged();

private:
    void save() const;
    void rebuildTopicBindings();
    void rewatch();

    QString m_settingsGroup;
    QList<SchemaSource> m_sources;
    QList<SchemaBinding> m_bindings;
    schema::TopicBindings m_topicBindings;
    QList<schema::SchemaError> m_errors;
    QStringList m_types;
    std::shared_ptr<const schema::SchemaRegistry> m_registry;
    int m_generation = 0;
    QFileSystemWatcher m_watcher;
    QTimer m_reloadTimer;
};

} // namespace hermes::ui
