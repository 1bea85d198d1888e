#pragma once
/// The devices the push service can address: seen on connect or registered by an operator,
/// with aliases and tags, kept in memory and written through to the store.

#include "devicerecord.h"

#include "push/tagexpression.h"

#include <QMap>

#include <functional>
#include <optional>

namespace hermes {

/// What to change on a device; unset fields stay as they are.
struct DeviceUpdate {
    std::optional<QString> alias;
    std::optional<QStringList> tags; ///< replaces all tags
    QStringList addTags;
    QStringList removeTags;
};

class DeviceRegistry
{
public:
    /// Called with every device that changed (`removed` when it was deleted), so the
    /// owner can persist it.
    using ChangeHandler = std::function<void(const DeviceRecord &device, bool removed)>;

    explicit DeviceRegistry(ChangeHandler onChange = {});

    /// Replaces the contents (from the store at start-up); reports nothing.
    void restore(const QList<DeviceRecord> &devices);

    const DeviceRecord *find(const QString &id) const;
    /// Every device, sorted by id.
    QList<DeviceRecord> all() const { return m_devices.values(); }
    QStringList ids() const { return m_devices.keys(); }
    qsizetype size() const { return m_devices.size(); }

    /// A device connected or disconnected at `atMs`; unknown devices are added. Not
    /// reported to the change handler: a reconnect storm must not cost a write per
    /// device, so the owner persists these in batches.
    const DeviceRecord &seen(const QString &id, qint64 atMs);
    /// Checks an update: tags must be valid tag names (TagExpression::isValidTag), an alias
    /// at most 128 characters. Returns the problem, or an empty string.
    static QString validate(const DeviceUpdate &update);
    /// Applies a valid update; `byOperator` marks the device registered.
    const DeviceRecord &update(const QString &id, const DeviceUpdate &update, bool byOperator);
    bool remove(const QString &id);

    /// Ids of the devices with this alias, sorted.
    QStringList withAlias(const QString &alias) const;
    /// Ids of the devices whose tags satisfy `expression`, sorted.
    QStringList matching(const push::TagExpression &expression) const;

private:
    void changed(const DeviceRecord &device, bool removed = false);

    QMap<QString, DeviceRecord> m_devices;
    ChangeHandler m_onChange;
};

} // namespace hermes
