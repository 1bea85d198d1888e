#pragma once
/// The broker's time, read in one place: the monotonic clock its deadlines and machines run
/// on, and the wall clock the store and telemetry keep.

#include "mqtt/sessionmachine.h"

#include <QElapsedTimer>

namespace hermes {

/// Both clocks can be moved forward, so a test sees a session or a message expire after
/// an hour without waiting for it (Broker::advanceClock() also wakes what fell due).
class EngineClock
{
public:
    EngineClock();

    /// Monotonic, from the clock's creation (plus what advance() added).
    mqtt::Timestamp now() const { return mqtt::Timestamp(m_monotonic.elapsed()) + m_offset; }
    /// Milliseconds since the epoch (plus what advance() added).
    qint64 wallMs() const;
    /// Moves both clocks forward by `by`.
    void advance(mqtt::Duration by) { m_offset += by; }

private:
    QElapsedTimer m_monotonic;
    mqtt::Duration m_offset{};
};

} // namespace hermes
