#include "histogram.h"

#include <algorithm>

namespace hermes {

void Histogram::observe(double seconds)
{
    const auto bound = std::lower_bound(UpperBounds.begin(), UpperBounds.end(), seconds);
    if (bound != UpperBounds.end())
        ++m_buckets[std::size_t(bound - UpperBounds.begin())];
    ++m_count; // above the last bound: only in +Inf, which is the count
    m_sum += seconds;
}

quint64 Histogram::cumulativeCount(std::size_t bucket) const
{
    quint64 total = 0;
    for (std::size_t i = 0; i <= bucket && i < m_buckets.size(); ++i)
        total += m_buckets[i];
    return total;
}

} // namespace hermes
