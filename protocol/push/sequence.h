#pragma once
/// Per-device sequence numbers (DOMAIN.md): the sender numbers each envelope to a device
/// 1, 2, 3...; the device drops duplicates, reports gaps, and the sender resends from the
/// first gap.
///
/// Sequence numbers never wrap. They are 64-bit and capped at MaxSequence = 2^63 - 1 so they
/// also fit a signed 64-bit column (SQLite INTEGER) and JSON readers that parse int64: at one
/// million pushes a second to one device that lasts 292,000 years. Values above 2^32 are
/// ordinary. 0 means "unsequenced" (raw payloads) and is never allocated or tracked.

#include "envelope.h"

#include <QHash>
#include <QList>
#include <QString>

#include <bitset>
#include <limits>
#include <optional>

namespace hermes::push {

/// The largest sequence number an allocator hands out and a tracker accepts.
inline constexpr quint64 MaxSequence = quint64(std::numeric_limits<qint64>::max());

/// What the device should do with one sequence number.
enum class SequenceOutcome : quint8 {
    New,       ///< first time seen, nothing missing below the highest received: deliver
    Gap,       ///< first time seen, deliver; but sequences below the highest are missing
    Duplicate, ///< seen before: drop
    Stale,     ///< at or below the highest number given up on: cannot tell new from seen, drop
    Invalid,   ///< 0 or above MaxSequence: not a sequence number, drop
};

/// "new", "gap", "duplicate", "stale", "invalid".
QString describe(SequenceOutcome outcome);

/// The tracker's answer to accept(): the outcome plus what the receipt should carry.
struct AcceptResult {
    SequenceOutcome outcome = SequenceOutcome::Invalid;
    /// Every range still missing below the highest received, ascending (any outcome).
    QList<SequenceRange> missing;
    /// Ranges this call pushed out of the window without having received them: given up on,
    /// counted in lostCount(). From then on every number up to the last of them is Stale
    /// (the tracker keeps one mark, not which of those had arrived).
    QList<SequenceRange> abandoned;

    /// New or Gap: hand the message to the application.
    bool deliver() const
    {
        return outcome == SequenceOutcome::New || outcome == SequenceOutcome::Gap;
    }
};

/// Device side: which sequence numbers from one sender have arrived.
///
/// State is the lowest sequence not yet received (`expected`; everything below it is
/// received or given up) plus a window bitmap of WindowSize bits for expected,
/// expected + 1, ... so out-of-order arrivals are remembered in fixed memory (~150 bytes).
/// A sequence at or beyond expected + WindowSize slides the window: the oldest missing
/// numbers fall out and are reported once in `abandoned`. Cost: O(WindowSize / 64) per
/// call, amortised; missing() walks the window.
class SequenceTracker
{
public:
    static constexpr quint64 WindowSize = 1024;

    /// `expected` is the first sequence number the device has not seen (1 for a new device,
    /// or the value persisted from expected()).
    explicit SequenceTracker(quint64 expected = 1);

    /// Records `sequence` and classifies it. Duplicate, Stale and Invalid change nothing.
    AcceptResult accept(quint64 sequence);

    /// The lowest sequence number not yet received (the sender may resend from here).
    quint64 expected() const { return m_expected; }
    /// The highest sequence number received, 0 before the first.
    quint64 highestReceived() const { return m_highest; }
    /// Ranges missing below highestReceived(), ascending; empty when in order.
    QList<SequenceRange> missing() const;
    /// How many sequence numbers were given up on when the window slid.
    quint64 lostCount() const { return m_lost; }

private:
    std::bitset<WindowSize> m_window; // bit i: m_expected + i has arrived (bit 0 never set)
    quint64 m_expected = 1;
    quint64 m_highest = 0;
    quint64 m_abandonedThrough = 0; // highest sequence ever given up on, 0 = none
    quint64 m_lost = 0;
};

/// Sender side: the next sequence number per device. A plain value: the engine persists
/// nextByDevice() and restores it through the constructor.
class SequenceAllocator
{
public:
    SequenceAllocator() = default;
    /// Restores saved state. Values below 1 are read as 1.
    explicit SequenceAllocator(QHash<QString, quint64> nextByDevice);

    /// The sequence number for the next envelope to `deviceId`, and advances; nullopt once
    /// MaxSequence has been handed out (never wrap: a device would drop the new ones as
    /// duplicates).
    std::optional<quint64> allocate(const QString &deviceId);
    /// What allocate() would return next (1 for a device never sent to).
    quint64 peek(const QString &deviceId) const;
    /// Devices sent to, with their next sequence number.
    const QHash<QString, quint64> &nextByDevice() const { return m_next; }

    bool operator==(const SequenceAllocator &) const = default;

private:
    QHash<QString, quint64> m_next;
};

} // namespace hermes::push
