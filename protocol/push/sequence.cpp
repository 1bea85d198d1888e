#include "sequence.h"

namespace hermes::push {

namespace {

// Appends [first, last], merging with the previous range when they touch.
void appendRange(QList<SequenceRange> &ranges, quint64 first, quint64 last)
{
    if (!ranges.isEmpty() && ranges.last().last + 1 == first)
        ranges.last().last = last;
    else
        ranges.append(SequenceRange{first, last});
}

// The unset bits among offsets [0, count) of `window`, as ranges of base + offset.
template<std::size_t N>
void appendUnset(QList<SequenceRange> &ranges, const std::bitset<N> &window, quint64 base,
                 quint64 count)
{
    quint64 offset = 0;
    while (offset < count) {
        if (window[offset]) {
            ++offset;
            continue;
        }
        const quint64 first = offset;
        while (offset < count && !window[offset])
            ++offset;
        appendRange(ranges, base + first, base + offset - 1);
    }
}

} // namespace

QString describe(SequenceOutcome outcome)
{
    switch (outcome) {
    case SequenceOutcome::New: return QStringLiteral("new");
    case SequenceOutcome::Gap: return QStringLiteral("gap");
    case SequenceOutcome::Duplicate: return QStringLiteral("duplicate");
    case SequenceOutcome::Stale: return QStringLiteral("stale");
    case SequenceOutcome::Invalid: return QStringLiteral("invalid");
    }
    return QStringLiteral("outcome-%1").arg(int(outcome));
}

SequenceTracker::SequenceTracker(quint64 expected)
    : m_expected(qBound(quint64(1), expected, MaxSequence))
    , m_highest(m_expected - 1)
{
}

AcceptResult SequenceTracker::accept(quint64 sequence)
{
    AcceptResult result;
    if (sequence == 0 || sequence > MaxSequence) {
        result.outcome = SequenceOutcome::Invalid;
    } else if (sequence < m_expected) {
        // Everything below m_expected arrived, except what the window gave up on.
        result.outcome = sequence <= m_abandonedThrough ? SequenceOutcome::Stale
                                                        : SequenceOutcome::Duplicate;
    } else {
        if (sequence - m_expected >= WindowSize) {
            // Slide so that `sequence` is the last bit of the window. Below the window
            // nothing was recorded (m_highest < m_expected + WindowSize), so the part of the
            // shift past the window is missing as a whole.
            const quint64 newBase = sequence - WindowSize + 1;
            const quint64 shift = newBase - m_expected;
            appendUnset(result.abandoned, m_window, m_expected, qMin(shift, WindowSize));
            if (shift > WindowSize)
                appendRange(result.abandoned, m_expected + WindowSize, newBase - 1);
            for (const SequenceRange &range : std::as_const(result.abandoned))
                m_lost += range.count();
            if (!result.abandoned.isEmpty())
                m_abandonedThrough = result.abandoned.last().last;
            if (shift >= WindowSize)
                m_window.reset();
            else
                m_window >>= shift;
            m_expected = newBase;
            m_highest = qMax(m_highest, m_expected - 1);
        }
        const quint64 offset = sequence - m_expected;
        if (m_window[offset]) {
            result.outcome = SequenceOutcome::Duplicate;
        } else {
            m_window.set(offset);
            m_highest = qMax(m_highest, sequence);
            while (m_window[0]) { // keep bit 0 = "expected has not arrived"
                m_window >>= 1;
                ++m_expected;
            }
            result.outcome = m_highest >= m_expected ? SequenceOutcome::Gap : SequenceOutcome::New;
        }
    }
    result.missing = missing();
    return result;
}

QList<SequenceRange> SequenceTracker::missing() const
{
    QList<SequenceRange> ranges;
    if (m_highest >= m_expected)
        appendUnset(ranges, m_window, m_expected, m_highest - m_expected + 1);
    return ranges;
}

SequenceAllocator::SequenceAllocator(QHash<QString, quint64> nextByDevice)
    : m_next(std::move(nextByDevice))
{
    for (auto it = m_next.begin(); it != m_next.end(); ++it)
        it.value() = qMax(it.value(), quint64(1));
}

std::optional<quint64> SequenceAllocator::allocate(const QString &deviceId)
{
    auto it = m_next.find(deviceId);
    if (it == m_next.end())
        it = m_next.insert(deviceId, 1);
    quint64 &next = it.value();
    if (next > MaxSequence)
        return std::nullopt;
    return next++;
}

quint64 SequenceAllocator::peek(const QString &deviceId) const
{
    return m_next.value(deviceId, 1);
}

} // namespace hermes::push
