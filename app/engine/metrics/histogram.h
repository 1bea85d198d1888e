#pragma once
/// A fixed-bucket histogram of durations, in the shape Prometheus exposes (cumulative
/// buckets, a sum and a count). A value type: cheap to observe, cheap to copy for a scrape.

#include <QtGlobal>

#include <array>
#include <chrono>

namespace hermes {

class Histogram
{
public:
    /// Upper bounds in seconds, shared by every histogram: 100 µs to 5 minutes covers a
    /// store commit (sub-millisecond) and a push to a device that was offline (minutes).
    static constexpr std::array<double, 14> UpperBounds{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1,
                                                        0.5,    1,      5,     10,    30,   60,   300};

    void observe(double seconds);
    void observe(std::chrono::nanoseconds elapsed) { observe(std::chrono::duration<double>(elapsed).count()); }

    /// Observations at or below UpperBounds[i] (cumulative, as Prometheus wants them).
    quint64 cumulativeCount(std::size_t bucket) const;
    quint64 count() const { return m_count; }
    double sum() const { return m_sum; }

private:
    std::array<quint64, UpperBounds.size()> m_buckets{}; ///< per bucket, not cumulative
    quint64 m_count = 0;
    double m_sum = 0;
};

} // namespace hermes
