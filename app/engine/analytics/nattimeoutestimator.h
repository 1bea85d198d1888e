#pragma once
/// How long one network's NAT keeps an idle TCP mapping, learned from the live fleet.

#include "networkreport.h"

#include <QList>
#include <QString>

#include <chrono>
#include <deque>
#include <limits>
#include <optional>

namespace hermes::analytics {

/// One thing a connection proved about its path through the network's NAT.
struct PathObservation {
    enum class Kind : quint8 {
        /// The connection was idle for `gap`, then a packet arrived on it: the NAT keeps an
        /// idle mapping for longer than `gap`.
        Survived,
        /// The connection fell silent after being idle, and the same client came back from
        /// the same network on a new source port `gap` after its last packet: the mapping
        /// died within `gap` (the device's probe went unanswered, it gave up and redialled).
        Killed,
    };
    Kind kind = Kind::Survived;
    Duration gap{0};
    Timestamp at{0};  ///< when the broker saw it
    QString device;   ///< client ID: evidence is weighed per device, not per packet
};

/// Keeps a bounded, time-windowed record of one network's PathObservations and estimates
/// the interval the NAT timeout lies in.
///
/// Each observation is a constraint on the timeout τ: a survived gap g says τ > g, a
/// killing gap g says τ ≤ g. Real evidence is not all true: a phone that rebooted and
/// redialled looks like a kill with a short gap, and a device filed under the wrong network
/// can survive a gap this NAT would not allow. So the interval is where the fewest
/// constraints are broken, each weighted by its age (halved every `halfLife`): a handful
/// of outliers cannot outvote the fleet, and when the network changes its timeout the new
/// evidence outweighs the old within a few half-lives.
class NatTimeoutEstimator
{
public:
    struct Config {
        Duration halfLife = std::chrono::hours(6);
        /// Devices on a side before that bound is trusted; fewer, and there is no advice.
        int corroboration = 3;
        int adequateDevices = 10;      ///< devices per side before the estimate is not thin
        Duration window = std::chrono::hours(24 * 7);
        qsizetype maxObservations = 20000;
        /// Gaps beyond this are not evidence about a NAT (a suspended process, a clock
        /// that jumped): the longest keep-alive MQTT allows, times 1.5.
        Duration maxPlausibleGap = std::chrono::seconds(65535 * 3 / 2);
        /// Recommendation: the lower bound minus this share of it, but at least minMargin.
        double safetyFraction = 0.05;
        Duration minMargin = std::chrono::seconds(10);
    };

    NatTimeoutEstimator();
    explicit NatTimeoutEstimator(Config config);

    /// Records one observation; false (and nothing kept) when it cannot be evidence: an
    /// empty or implausible gap, no device.
    bool add(PathObservation observation);
    NatEstimate estimate() const;
    /// The window's gaps in at most `maxBuckets` buckets covering the shortest to the
    /// longest gap; empty when nothing is observed. Counts, not age weights: what the chart
    /// shows is how many times each thing was seen.
    GapHistogram gapHistogram(int maxBuckets) const;

    qsizetype size() const { return qsizetype(m_observations.size()); }
    /// Oldest first: what a restart must add() back, in this order.
    const std::deque<PathObservation> &observations() const { return m_observations; }
    const Config &config() const { return m_config; }

private:
    void forgetOlderThan(Timestamp horizon);

    Config m_config;
    std::deque<PathObservation> m_observations; ///< in arrival order
    /// Restored evidence may predate this process's clock (negative times), so no floor.
    Timestamp m_newest{std::numeric_limits<Timestamp::rep>::min()};
};

} // namespace hermes::analytics
