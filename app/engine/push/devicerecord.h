#pragma once
/// One device as the push service knows it: seen on connect or registered ahead of time
/// (part of hermes_engine_api).

#include <QString>
#include <QStringList>

namespace hermes {

struct DeviceRecord {
    QString id;         ///< the device's MQTT client id
    QString alias;      ///< operator- or device-chosen name; empty = none
    QStringList tags;   ///< sorted, unique
    bool registered = false; ///< added by an operator (possibly before it ever connected)
    qint64 firstSeenMs = 0;  ///< wall clock; 0 = never connected
    qint64 lastSeenMs = 0;   ///< wall clock of the last connect or disconnect
    bool operator==(const DeviceRecord &) const = default;
};

} // namespace hermes
