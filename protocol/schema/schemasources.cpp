// What a registry was loaded from, so it can be rebuilt when a file changes. The UI owns the
// QFileSystemWatcher; this is the sans-I/O part.
#include "schemaregistry.h"
#include "schemaregistry_p.h"

#include <QFileInfo>
#include <QSet>

namespace hermes::schema {

QList<SchemaSource> SchemaRegistry::sources() const
{
    return m_impl->m_sources;
}

QString SchemaRegistry::wellKnownTypesRoot() const
{
    return m_impl->m_wellKnownTypesRoot;
}

QStringList SchemaRegistry::watchedPaths() const
{
    QSet<QString> paths;
    const QString wktRoot = m_impl->m_wellKnownTypesRoot.isEmpty()
            ? QString()
            : QFileInfo(QDir(m_impl->m_wellKnownTypesRoot).filePath(QStringLiteral("google/protobuf"))).absoluteFilePath();
    auto addDiskFile = [&](const std::string &virtualName) {
        std::string disk;
        if (!m_impl->m_sourceTree.VirtualFileToDiskFile(virtualName, &disk))
            return; // from a descriptor set: nothing on disk
        const QString path = QFileInfo(QString::fromStdString(disk)).absoluteFilePath();
        if (wktRoot.isEmpty() || !path.startsWith(wktRoot + QLatin1Char('/')))
            paths.insert(path);
    };

    // The files the pool built, and everything they import.
    QSet<const gp::FileDescriptor *> seen;
    QList<const gp::FileDescriptor *> pending;
    for (const QString &name : std::as_const(m_impl->m_files))
        pending.append(m_impl->m_pool.FindFileByName(name.toStdString()));
    while (!pending.isEmpty()) {
        const gp::FileDescriptor *file = pending.takeLast();
        if (!file || seen.contains(file))
            continue;
        seen.insert(file);
        addDiskFile(file->name());
        for (int i = 0; i < file->dependency_count(); ++i)
            pending.append(file->dependency(i));
    }

    // What the sources name, loaded or not: a file that failed must be watched to be fixed.
    for (const SchemaSource &source : std::as_const(m_impl->m_sources)) {
        switch (source.kind) {
        case SchemaSource::Kind::ImportPath:
            break; // only the files read from it matter
        case SchemaSource::Kind::ProtoFile: {
            const QFileInfo info(source.path);
            if (info.isRelative())
                addDiskFile(source.path.toStdString()); // an import name, if a root has it
            if (info.isFile())
                paths.insert(info.absoluteFilePath());
            break;
        }
        case SchemaSource::Kind::ProtoDirectory:
        case SchemaSource::Kind::DescriptorSet:
            if (QFileInfo::exists(source.path))
                paths.insert(QFileInfo(source.path).absoluteFilePath());
            break;
        }
    }
    QStringList sorted(paths.cbegin(), paths.cend());
    sorted.sort();
    return sorted;
}

QList<SchemaError> SchemaRegistry::loadSources(const QList<SchemaSource> &sources)
{
    QList<SchemaError> errors;
    for (const SchemaSource &source : sources) {
        switch (source.kind) {
        case SchemaSource::Kind::ImportPath:
            addImportPath(source.path);
            break;
        case SchemaSource::Kind::ProtoFile:
            errors += loadProtoFile(source.path);
            break;
        case SchemaSource::Kind::ProtoDirectory:
            errors += loadProtoDirectory(source.path);
            break;
        case SchemaSource::Kind::DescriptorSet:
            errors += loadDescriptorSet(source.path);
            break;
        }
    }
    return errors;
}

std::unique_ptr<SchemaRegistry> SchemaRegistry::reload(QList<SchemaError> *errors) const
{
    auto fresh = std::make_unique<SchemaRegistry>(m_impl->m_wellKnownTypesRoot);
    const QList<SchemaError> found = fresh->loadSources(m_impl->m_sources);
    if (errors)
        *errors = found;
    return fresh;
}

} // namespace hermes::schema
