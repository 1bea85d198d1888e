#include "heartbeatconfig.h"

#include <algorithm>

namespace hermes::sim {

namespace {

QString seconds(Duration d)
{
    return QString::number(double(d.count()) / 1000.0, 'g', 4);
}

} // namespace

// The strategies clamp what they are given (at least 1 ms, max ≥ min); the names say what
// they then do.
QString fixedHeartbeatName(Duration interval)
{
    return QStringLiteral("fixed %1 s").arg(seconds(std::max(interval, Duration(1))));
}

QString smartHeartbeatName(const SmartHeartbeatConfig &config)
{
    const Duration min = std::max(config.min, Duration(1));
    const Duration max = std::max(config.max, min);
    return QStringLiteral("smart %1–%2 s").arg(seconds(min), seconds(max));
}

} // namespace hermes::sim
