#include "schemalibrary.h"

#include "schema/sparkplug.h"

#include "mqtt/topic.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QSettings>

namespace hermes::ui {

namespace {

QString kindKey(SchemaSource::Kind kind)
{
    switch (kind) {
    case SchemaSource::Kind::ProtoFile: return QStringLiteral("proto");
    case SchemaSource::Kind::ProtoDirectory: return QStringLiteral("folder");
    case SchemaSource::Kind::DescriptorSet: return QStringLiteral("descriptorset");
    }
    return QStringLiteral("proto");
}

std::optional<SchemaSource::Kind> kindFromKey(const QString &key)
{
    for (const auto kind : {SchemaSource::Kind::ProtoFile, SchemaSource::Kind::ProtoDirectory,
                            SchemaSource::Kind::DescriptorSet}) {
        if (kindKey(kind) == key)
            return kind;
    }
    return std::nullopt;
}

} // namespace

SchemaLibrary::SchemaLibrary(const QString &settingsGroup, QObject *parent)
    : QObject(parent)
    , m_settingsGroup(settingsGroup)
    , m_registry(std::make_shared<schema::SchemaRegistry>())
{
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(300);
    connect(&m_reloadTimer, &QTimer::timeout, this, &SchemaLibrary::reload);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, &m_reloadTimer, qOverload<>(&QTimer::start));
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, &m_reloadTimer, qOverload<>(&QTimer::start));
    rebuildTopicBindings();
}

SchemaLibrary::~SchemaLibrary() = default;

void SchemaLibrary::restore()
{
    if (m_settingsGroup.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(m_settingsGroup);
    QList<SchemaSource> sources;
    const int sourceCount = settings.beginReadArray(QStringLiteral("sources"));
    for (int i = 0; i < sourceCount; ++i) {
        settings.setArrayIndex(i);
        const auto kind = kindFromKey(settings.value(QStringLiteral("kind")).toString());
        const QString path = settings.value(QStringLiteral("path")).toString();
        if (kind && !path.isEmpty())
            sources.append(SchemaSource{*kind, path});
    }
    settings.endArray();
    QList<SchemaBinding> bindings;
    const int bindingCount = settings.beginReadArray(QStringLiteral("bindings"));
    for (int i = 0; i < bindingCount; ++i) {
        settings.setArrayIndex(i);
        bindings.append(SchemaBinding{settings.value(QStringLiteral("filter")).toString(),
                                      settings.value(QStringLiteral("type")).toString()});
    }
    settings.endArray();
    settings.endGroup();
    m_sources = sources;
    m_bindings = bindings;
    rebuildTopicBindings();
    emit bindingsChanged();
    reload();
}

void SchemaLibrary::save() const
{
    if (m_settingsGroup.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(m_settingsGroup);
    settings.remove(QString()); // the whole group: arrays may have shrunk
    settings.beginWriteArray(QStringLiteral("sources"), int(m_sources.size()));
    for (int i = 0; i < m_sources.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("kind"), kindKey(m_sources.at(i).kind));
        settings.setValue(QStringLiteral("path"), m_sources.at(i).path);
    }
    settings.endArray();
    settings.beginWriteArray(QStringLiteral("bindings"), int(m_bindings.size()));
    for (int i = 0; i < m_bindings.size(); ++i) {
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("filter"), m_bindings.at(i).topicFilter);
        settings.setValue(QStringLiteral("type"), m_bindings.at(i).typeName);
    }
    settings.endArray();
    settings.endGroup();
}

bool SchemaLibrary::addSource(const SchemaSource &source)
{
    SchemaSource absolute = source;
    absolute.path = QFileInfo(source.path).absoluteFilePath();
    if (m_sources.contains(absolute))
        return false;
    m_sources.append(absolute);
    save();
    reload();
    return true;
}

void SchemaLibrary::removeSource(int index)
{
    if (index < 0 || index >= m_sources.size())
        return;
    m_sources.removeAt(index);
    save();
    reload();
}

void SchemaLibrary::setBindings(const QList<SchemaBinding> &bindings)
{
    if (bindings == m_bindings)
        return;
    m_bindings = bindings;
    rebuildTopicBindings();
    save();
    emit bindingsChanged();
}

QString SchemaLibrary::typeForTopic(const QString &topic) const
{
    if (!mqtt::isValidTopicName(topic))
        return {};
    const std::optional<schema::TopicBinding> binding = m_topicBindings.resolve(topic);
    return binding ? binding->messageType : QString();
}

void SchemaLibrary::rebuildTopicBindings()
{
    m_topicBindings.clear();
    // Built in: Sparkplug B payloads under its namespace, unless the operator bound that
    // filter to something else (more specific user filters win by themselves).
    m_topicBindings.bind(QString(schema::sparkplug::TopicFilter), QString(schema::sparkplug::PayloadType));
    for (const SchemaBinding &binding : std::as_const(m_bindings)) {
        if (!binding.typeName.isEmpty())
            m_topicBindings.bind(binding.topicFilter, binding.typeName); // refuses invalid filters
    }
}

void SchemaLibrary::reload()
{
    m_reloadTimer.stop();
    auto registry = std::make_shared<schema::SchemaRegistry>();
    QList<schema::SchemaError> errors;
    for (const SchemaSource &source : std::as_const(m_sources)) {
        switch (source.kind) {
        case SchemaSource::Kind::ProtoFile:
            errors += registry->loadProtoFile(source.path);
            break;
        case SchemaSource::Kind::ProtoDirectory:
            errors += registry->loadProtoDirectory(source.path);
            break;
        case SchemaSource::Kind::DescriptorSet:
            errors += registry->loadDescriptorSet(source.path);
            break;
        }
    }
    m_errors = errors;
    m_types = registry->messageTypes();
    m_registry = std::move(registry);
    ++m_generation;
    rewatch();
    emit changed();
}

QStringList SchemaLibrary::watchedPaths() const
{
    return m_watcher.files() + m_watcher.directories();
}

void SchemaLibrary::rewatch()
{
    // Editors often replace a file (write a new one, rename it over): the watcher then
    // forgets it, so every reload watches the current set afresh.
    const QStringList old = watchedPaths();
    if (!old.isEmpty())
        m_watcher.removePaths(old);
    QStringList paths;
    for (const SchemaSource &source : std::as_const(m_sources)) {
        const QFileInfo info(source.path);
        if (source.kind == SchemaSource::Kind::ProtoDirectory && info.isDir()) {
            paths.append(info.absoluteFilePath());
            QDirIterator it(info.absoluteFilePath(), {QStringLiteral("*.proto")},
                            QDir::Files | QDir::AllDirs | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
            while (it.hasNext())
                paths.append(it.next());
        } else if (info.exists()) {
            paths.append(info.absoluteFilePath());
            // The folder too: a file that is deleted and written again comes back.
            paths.append(info.absolutePath());
        }
    }
    paths.removeDuplicates();
    if (!paths.isEmpty())
        m_watcher.addPaths(paths);
}

} // namespace hermes::ui
