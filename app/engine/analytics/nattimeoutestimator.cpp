#include "nattimeoutestimator.h"

#include <QSet>

#include <algorithm>
#include <cmath>
#include <vector>

namespace hermes::analytics {

NatTimeoutEstimator::NatTimeoutEstimator() : NatTimeoutEstimator(Config{}) {}

NatTimeoutEstimator::NatTimeoutEstimator(Config config) : m_config(config) {}

bool NatTimeoutEstimator::add(PathObservation observation)
{
    if (observation.device.isEmpty() || observation.gap <= Duration(0) || observation.gap > m_config.maxPlausibleGap)
        return false;
    // One monotonic clock feeds this; should a caller's clock step back, the observation
    // still counts as the newest rather than reordering history.
    observation.at = std::max(observation.at, m_newest);
    m_newest = observation.at;
    m_observations.push_back(std::move(observation));
    forgetOlderThan(m_newest - m_config.window);
    while (qsizetype(m_observations.size()) > m_config.maxObservations)
        m_observations.pop_front();
    return true;
}

void NatTimeoutEstimator::forgetOlderThan(Timestamp horizon)
{
    while (!m_observations.empty() && m_observations.front().at < horizon)
        m_observations.pop_front();
}

NatEstimate NatTimeoutEstimator::estimate() const
{
    NatEstimate result;
    if (m_observations.empty())
        return result;

    struct Constraint {
        Duration gap;
        bool survived; ///< τ > gap; else τ ≤ gap
        double weight;
    };
    std::vector<Constraint> constraints;
    constraints.reserve(m_observations.size());
    QSet<QString> surviving, killed;
    for (const PathObservation &o : m_observations) {
        const bool survived = o.kind == PathObservation::Kind::Survived;
        const double age = double((m_newest - o.at).count()) / double(m_config.halfLife.count());
        constraints.push_back({o.gap, survived, std::exp2(-age)});
        (survived ? surviving : killed).insert(o.device);
    }
    std::sort(constraints.begin(), constraints.end(), [](const Constraint &a, const Constraint &b) { return a.gap < b.gap; });

    // The distinct gaps g_0 < … < g_{m-1} cut the line into regions r = 0…m, region r being
    // τ ∈ (g_{r-1}, g_r] (g_{-1} = 0, g_m = ∞). In region r the constraints broken are the
    // survived gaps ≥ g_r and the killing gaps ≤ g_{r-1}.
    std::vector<Duration> gaps;
    std::vector<double> survivedAt, killedAt; // weight per distinct gap
    for (const Constraint &c : constraints) {
        if (gaps.empty() || gaps.back() != c.gap) {
            gaps.push_back(c.gap);
            survivedAt.push_back(0);
            killedAt.push_back(0);
        }
        (c.survived ? survivedAt : killedAt).back() += c.weight;
    }
    const std::size_t m = gaps.size();
    std::vector<double> broken(m + 1, 0.0);
    double survivedAbove = 0;
    for (std::size_t r = m + 1; r-- > 0;) {
        if (r < m)
            survivedAbove += survivedAt[r];
        broken[r] = survivedAbove;
    }
    double killedBelow = 0;
    for (std::size_t r = 1; r <= m; ++r) {
        killedBelow += killedAt[r - 1];
        broken[r] += killedBelow;
    }
    // The first run of regions where the least weight is broken (the lower one on a tie:
    // the cautious side for a keep-alive).
    const double least = *std::min_element(broken.cbegin(), broken.cend());
    const double tolerance = 1e-9 * std::max(1.0, survivedAbove + killedBelow);
    std::size_t first = 0;
    while (broken[first] > least + tolerance)
        ++first;
    std::size_t last = first;
    while (last + 1 <= m && broken[last + 1] <= least + tolerance)
        ++last;
    if (first > 0)
        result.lowerBound = gaps[first - 1];
    if (last < m)
        result.upperBound = gaps[last];
    for (const Constraint &c : constraints) {
        const bool broken = c.survived ? first < m && c.gap >= gaps[first] : first > 0 && c.gap <= gaps[first - 1];
        result.contradicted += broken ? 1 : 0;
    }

    result.observations = int(m_observations.size());
    result.survivingDevices = int(surviving.size());
    result.killedDevices = int(killed.size());
    result.strength = result.survivingDevices >= m_config.adequateDevices && result.killedDevices >= m_config.adequateDevices
                          ? NatEstimate::Strength::Adequate
                          : NatEstimate::Strength::Thin;

    if (result.lowerBound && result.survivingDevices >= m_config.corroboration) {
        const Duration margin = std::max(m_config.minMargin,
                                         Duration(qint64(double(result.lowerBound->count()) * m_config.safetyFraction)));
        result.recommendedKeepAlive = *result.lowerBound > margin ? *result.lowerBound - margin : *result.lowerBound / 2;
    } else if (!result.lowerBound && result.upperBound && result.killedDevices >= m_config.corroboration) {
        // Only deaths seen: stay well clear of the shortest gap that killed.
        result.recommendedKeepAlive = *result.upperBound / 2;
    }
    return result;
}

GapHistogram NatTimeoutEstimator::gapHistogram(int maxBuckets) const
{
    GapHistogram histogram;
    if (m_observations.empty() || maxBuckets <= 0)
        return histogram;
    const auto [shortest, longest] = std::minmax_element(
        m_observations.cbegin(), m_observations.cend(),
        [](const PathObservation &a, const PathObservation &b) { return a.gap < b.gap; });
    // The smallest round width (1, 2 or 5 × 10^k seconds) that covers the gaps in
    // maxBuckets buckets aligned to multiples of it, so edges read as 240 s, 270 s, 300 s.
    const qint64 low = shortest->gap.count();
    const qint64 high = longest->gap.count();
    qint64 width = 1000;
    for (int step = 0;; ++step) {
        const qint64 start = low / width * width;
        if ((high - start) / width < maxBuckets)
            break;
        width = step % 3 == 1 ? width * 5 / 2 : width * 2; // 1, 2, 5, 10, 20, 50 … s
    }
    histogram.bucketWidth = Duration(width);
    histogram.start = Duration(low / width * width);
    const qsizetype buckets = qsizetype((high - histogram.start.count()) / width) + 1;
    histogram.survived.fill(0, buckets);
    histogram.killed.fill(0, buckets);
    for (const PathObservation &o : m_observations) {
        const qsizetype bucket = qsizetype((o.gap - histogram.start).count() / width);
        ++(o.kind == PathObservation::Kind::Survived ? histogram.survived : histogram.killed)[bucket];
    }
    return histogram;
}

} // namespace hermes::analytics
