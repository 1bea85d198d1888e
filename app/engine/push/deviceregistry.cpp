#include "deviceregistry.h"

#include <algorithm>

namespace hermes {

namespace {

constexpr qsizetype MaxAliasLength = 128;

QStringList normalised(QStringList tags)
{
    tags.sort();
    tags.removeDuplicates();
    return tags;
}

} // namespace

DeviceRegistry::DeviceRegistry(ChangeHandler onChange) : m_onChange(std::move(onChange)) {}

void DeviceRegistry::restore(const QList<DeviceRecord> &devices)
{
    m_devices.clear();
    for (const DeviceRecord &device : devices)
        m_devices.insert(device.id, device);
}

const DeviceRecord *DeviceRegistry::find(const QString &id) const
{
    const auto it = m_devices.constFind(id);
    return it == m_devices.cend() ? nullptr : &*it;
}

const DeviceRecord &DeviceRegistry::seen(const QString &id, qint64 atMs)
{
    DeviceRecord &device = m_devices[id];
    device.id = id;
    if (!device.firstSeenMs)
        device.firstSeenMs = atMs;
    device.lastSeenMs = atMs;
    return device;
}

QString DeviceRegistry::validate(const DeviceUpdate &update)
{
    if (update.alias && update.alias->size() > MaxAliasLength)
        return QStringLiteral("alias longer than %1 characters").arg(MaxAliasLength);
    QStringList tags = update.tags.value_or(QStringList()) + update.addTags + update.removeTags;
    for (const QString &tag : std::as_const(tags)) {
        if (!push::TagExpression::isValidTag(tag))
            return QStringLiteral("\"%1\" is not a valid tag (letters, digits, _ - . : / and not and/or/not)").arg(tag);
    }
    return {};
}

const DeviceRecord &DeviceRegistry::update(const QString &id, const DeviceUpdate &update, bool byOperator)
{
    DeviceRecord &device = m_devices[id];
    device.id = id;
    if (byOperator)
        device.registered = true;
    if (update.alias)
        device.alias = *update.alias;
    QStringList tags = update.tags.value_or(device.tags) + update.addTags;
    for (const QString &tag : update.removeTags)
        tags.removeAll(tag);
    device.tags = normalised(tags);
    changed(device);
    return device;
}

bool DeviceRegistry::remove(const QString &id)
{
    const auto it = m_devices.find(id);
    if (it == m_devices.end())
        return false;
    const DeviceRecord removed = *it;
    m_devices.erase(it);
    changed(removed, true);
    return true;
}

QStringList DeviceRegistry::withAlias(const QString &alias) const
{
    QStringList ids;
    for (const DeviceRecord &device : m_devices) {
        if (device.alias == alias)
            ids.append(device.id);
    }
    return ids;
}

QStringList DeviceRegistry::matching(const push::TagExpression &expression) const
{
    QStringList ids;
    for (const DeviceRecord &device : m_devices) {
        if (expression.matches(device.tags))
            ids.append(device.id);
    }
    return ids;
}

void DeviceRegistry::changed(const DeviceRecord &device, bool removed)
{
    if (m_onChange)
        m_onChange(device, removed);
}

} // namespace hermes
