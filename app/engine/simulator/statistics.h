#pragma once
/// What a simulation run measured, as plain values: hermesctl prints them, a console view
/// charts them, tests assert on them. Nothing here holds a pointer into a running fleet
/// (part of hermes_engine_api).

#include "engine/simulator/natrelayvalues.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <chrono>

namespace hermes::sim {

/// Sums of DeviceStats over a Fleet (fleet.h), plus how many devices are in each state.
struct FleetStats {
    int devices = 0;
    int started = 0;
    int connected = 0;
    int subscribed = 0; ///< connected with the push subscription granted: pushes reach them
    int gaveUp = 0;
    int converged = 0; ///< heartbeat strategy settled
    quint64 connectAttempts = 0;
    quint64 connects = 0;
    quint64 connectFailures = 0;
    quint64 reconnectAttempts = 0;
    quint64 heartbeatsSent = 0;
    quint64 pongs = 0;
    quint64 deadLinks = 0;
    quint64 connectionsLost = 0;
    quint64 messagesReceived = 0;
    quint64 pushesRaw = 0;
    quint64 pushesReceived = 0; ///< envelopes
    quint64 pushesDelivered = 0;
    quint64 duplicates = 0;
    quint64 gaps = 0;
    quint64 missing = 0; ///< still missing below each device's highest, summed
    quint64 lost = 0;
    quint64 rejected = 0;
    quint64 expired = 0;
    quint64 stale = 0;
    quint64 receiptsSent = 0;
    quint64 offersApplied = 0;  ///< verified keep-alive offers taken
    quint64 offersRejected = 0; ///< keep-alive offers that did not verify
    qint64 maxDetectionMs = 0;
    double meanDetectionMs = 0; ///< over every dead link noticed
    double meanIntervalMs = 0;  ///< current heartbeat interval, simulated
    /// Reconnects: real ms from a device's lost connection to its push subscription granted again (the jittered
    /// delay and any failed attempts included), over every reconnect of the run.
    quint64 reconnects = 0;
    qint64 reconnectMinMs = 0;
    qint64 reconnectP50Ms = 0;
    qint64 reconnectP99Ms = 0;
    qint64 reconnectMaxMs = 0;
    /// With several broker addresses (a cluster's nodes): devices connected to each, by
    /// address, sorted; empty with one.
    QList<QPair<QString, int>> connectedPerBroker;
};

/// One point of the time series, taken every sample interval (real time).
struct StatsSample {
    qint64 realMs = 0;      ///< since the run started
    qint64 simulatedMs = 0; ///< realMs × time scale
    int connected = 0;
    quint64 connects = 0;          ///< cumulative CONNACKs
    quint64 reconnectAttempts = 0; ///< cumulative
    quint64 pushesDelivered = 0;   ///< cumulative
    double connectsPerSecond = 0;   ///< over the interval ending here, per real second
    double reconnectsPerSecond = 0;
    double arrivalsPerSecond = 0;   ///< pushes delivered per real second
    double meanIntervalSeconds = 0; ///< heartbeat interval, simulated seconds
};

/// How heartbeats fared against the NAT.
struct HeartbeatOutcomes {
    quint64 sent = 0;
    quint64 answered = 0;   ///< the mapping was kept
    quint64 deadLinks = 0;  ///< unanswered: the device noticed a dead link
    quint64 natDropped = 0; ///< mappings the relay dropped (idle or network-drop)
    double meanDetectionMs = 0; ///< real ms from the lost PINGREQ to giving up
    qint64 maxDetectionMs = 0;
};

/// The smart-heartbeat result: what the devices on this path learned.
struct KeepAliveRecommendation {
    int smartDevices = 0;
    int convergedDevices = 0;
    std::chrono::milliseconds natTimeout{0}; ///< simulated; 0 = no NAT
    std::chrono::milliseconds lowest{0};     ///< converged intervals, simulated
    std::chrono::milliseconds median{0};
    std::chrono::milliseconds highest{0};
    /// The lowest converged interval: every device on the path keeps its mapping with it.
    /// 0 when no smart device has converged.
    std::chrono::milliseconds recommended{0};
    bool available() const { return recommended.count() > 0; }
};

/// Computes the recommendation from the converged intervals of the smart devices.
KeepAliveRecommendation recommendKeepAlive(QList<std::chrono::milliseconds> converged, int smartDevices,
                                           std::chrono::milliseconds natTimeout);

/// Everything a run measured up to now.
struct SimulationSnapshot {
    QString scenario;  ///< its name
    QString network;   ///< "China Mobile (5m)"
    QString heartbeat; ///< "smart 120–600 s"
    double timeScale = 1.0;
    qint64 elapsedMs = 0;   ///< real
    qint64 simulatedMs = 0;
    qint64 durationMs = 0;  ///< simulated length of the run
    bool finished = false;

    FleetStats fleet;
    NatRelayCounters relay; ///< zeros without a relay
    HeartbeatOutcomes heartbeats;
    KeepAliveRecommendation keepAlive;

    quint64 pushesSent = 0;      ///< sequenced envelopes published (each number once)
    quint64 pushesDelivered = 0; ///< delivered to the app, each number at most once
    quint64 duplicates = 0;      ///< arrived again: reported, dropped
    quint64 gaps = 0;            ///< receipts that reported missing numbers
    quint64 missing = 0;         ///< numbers still missing below each device's highest
    quint64 lost = 0;            ///< sent but not delivered (so far)
    quint64 rejected = 0;
    quint64 expired = 0;
    /// pushesDelivered / pushesSent (1 when nothing was sent).
    double arrivalRate = 1.0;

    double peakConnectsPerSecond = 0;
    double peakReconnectsPerSecond = 0;
    /// Time to connect every device the first time (real ms; -1 = not yet).
    qint64 allConnectedMs = -1;
    QList<StatsSample> samples;
    QStringList events; ///< "12.0s  at 10m broker-restart: 1000 connections reset"
};

/// Machine-readable form (hermesctl --json). Durations in ms, rates as fractions.
QJsonObject toJson(const SimulationSnapshot &snapshot, bool withSamples = true);
/// The summary table hermesctl prints at the end.
QString formatSummary(const SimulationSnapshot &snapshot);
/// One progress line.
QString formatProgress(const SimulationSnapshot &snapshot);

} // namespace hermes::sim
