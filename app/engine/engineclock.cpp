#include "engineclock.h"

#include <QDateTime>

namespace hermes {

EngineClock::EngineClock()
{
    m_monotonic.start();
}

qint64 EngineClock::wallMs() const
{
    return QDateTime::currentMSecsSinceEpoch() + m_offset.count();
}

} // namespace hermes
