#pragma once
/// How long one network's NAT keeps an idle TCP mapping, learned from the live fleet.

#include <QList>
#include <QString>

#include <chrono>
#include <deque>
#include <limits>
#include <optional>

namespace hermes::analytics {

using Timestamp = std::chrono::milliseconds; ///< monotonic, as the broker's clock
using Duration = std::chrono::milliseconds;

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

/// What the evidence says about one network's NAT idle timeout.
struct NatEstimate {
    enum class Strength : quint8 {
        None,     ///< nothing observed yet
        Thin,     ///< too few devices on one side of the interval to trust it
        Adequate, ///< enough independent devices on both sides
    };
    /// The timeout is longer than this: the longest idle gap survived, outliers aside.
    std::optional<Duration> lowerBound;
    /// ... and at most this: the shortest idle gap that killed, outliers aside. Empty when
    /// nothing has died of idleness (the NAT may have no limit within reach).
    std::optional<Duration> upperBound;
    /// Keep-alive to give devices on this network: under the lower bound by a safety
    /// margin, so never above the upper bound. Empty while the evidence is too thin.
    std::optional<Duration> recommendedKeepAlive;
    Strength strength = Strength::None;
    int survivingDevices = 0; ///< devices with a survived gap in the window
    int killedDevices = 0;    ///< devices with a killing gap in the window
    int observations = 0;     ///< observations in the window
    /// Observations the interval contradicts: devices that went away rather than lost
    /// their mapping, misfiled devices, and evidence from before the network changed.
    int contradicted = 0;

    /// The estimated timeout: the middle of the interval, when it is closed.
    std::optional<Duration> midpoint() const;
};

/// How the evidence in the window spreads over idle-gap lengths, for a chart: counts of
/// survived and of killing gaps per bucket of equal width. A plain value of at most a few
/// dozen numbers, whatever the number of observations.
struct GapHistogram {
    Duration start{0};       ///< lower edge of the first bucket
    Duration bucketWidth{0}; ///< a round number of seconds (1, 2 or 5 × 10^k)
    QList<int> survived;     ///< per bucket: gaps the path survived
    QList<int> killed;       ///< per bucket, as many as `survived`: gaps that killed it

    bool isEmpty() const { return survived.isEmpty(); }
    /// Bucket i covers [start + i·width, start + (i+1)·width).
    Duration bucketStart(qsizetype i) const { return start + bucketWidth * i; }
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
