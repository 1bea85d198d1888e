#pragma once
/// What fleet analytics reports about a network: its NAT estimate, the evidence behind it
/// and what the broker does about it. Plain values the console, hermesctl and the admin API
/// show (part of hermes_engine_api).

#include <QList>
#include <QString>

#include <chrono>
#include <optional>

namespace hermes::analytics {

using Timestamp = std::chrono::milliseconds; ///< monotonic, as the broker's clock
using Duration = std::chrono::milliseconds;

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

/// One change of the keep-alive the broker gives a network's devices (`network_act`), with
/// the network's silent-death rate before it and since, so an operator sees whether it helped.
struct AdviceChange {
    qint64 atMs = 0;          ///< wall clock, Unix ms
    quint16 fromSeconds = 0;  ///< 0: none, devices kept their own
    quint16 toSeconds = 0;
    /// From the previous change (or from when the broker started counting) to this one.
    double deathsPerDeviceHourBefore = 0;
    double deviceHoursBefore = 0;
    /// From this change to the next one, or to now for the newest.
    double deathsPerDeviceHourSince = 0;
    double deviceHoursSince = 0;
};

/// What the broker does with a network's advice while it acts on it.
struct AppliedAdvice {
    quint16 keepAliveSeconds = 0; ///< given now (Server Keep Alive, keep-alive offers); 0 = none
    quint64 offersSent = 0;       ///< keep-alive offers sent to smart-heartbeat devices
    QList<AdviceChange> changes;  ///< the last few, oldest first
};

/// One network's figures, as the console, hermesctl and the admin API show them.
struct NetworkReport {
    QString network;
    NatEstimate estimate;
    int liveConnections = 0;
    double deviceHours = 0;          ///< connected time observed on this network
    quint64 connects = 0;
    quint64 silentDeaths = 0;        ///< connections that died without a FIN or DISCONNECT
    quint64 natDeaths = 0;           ///< …of which the client redialled soon from this network
    /// Time the broker kept sending into a dead connection: from its last packet to the
    /// broker noticing (keep-alive timeout or take-over). Pushes in that time were late.
    Duration blindTimeMedian{0};
    Duration blindTimeMax{0};
    AppliedAdvice applied; ///< empty unless the broker acts on this network

    /// The evidence behind `estimate`, bucketed for a chart (the console's Networks view).
    GapHistogram gaps;

    double silentDeathsPerDeviceHour() const { return deviceHours > 0 ? double(silentDeaths) / deviceHours : 0; }
    double reconnectsPerDeviceHour() const { return deviceHours > 0 ? double(connects) / deviceHours : 0; }
};

} // namespace hermes::analytics
