#pragma once
/// Scenario files (docs/SIMULATOR.md): a plain-text, versioned description of a simulated
/// fleet, its network and what happens to it over time. Parsing is pure: text in, a
/// Scenario or a line-numbered error out (part of hermes_engine_api).

#include "engine/simulator/brokerlist.h"
#include "engine/simulator/heartbeatconfig.h"
#include "engine/simulator/natrelayvalues.h"
#include "engine/simulator/reconnectconfig.h"
#include "mqtt/packets.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <chrono>
#include <optional>
#include <variant>

namespace hermes::sim {

/// The format version this parser reads (first line: "hermes-scenario 1").
inline constexpr int ScenarioFormatVersion = 1;

/// Something that happens to the fleet at a simulated time.
struct ScenarioEvent {
    enum class Kind : quint8 {
        BrokerRestart, ///< every connection ends at once, politely (FIN)
        BrokerKill,    ///< every connection ends at once, abortively (RST)
        NetworkDrop,   ///< the NAT forgets `share` of the mappings, silently
        PushBurst,     ///< `count` envelopes to each of `share` of the devices
    };
    std::chrono::milliseconds at{0}; ///< simulated, from the start of the run
    Kind kind = Kind::PushBurst;
    double share = 1.0; ///< 0–1
    int count = 1;      ///< push: envelopes per targeted device
    mqtt::QoS qos = mqtt::QoS::AtLeastOnce;
    std::chrono::milliseconds ttl{0}; ///< push: 0 = never expires
    int line = 0;       ///< where it was written

    bool operator==(const ScenarioEvent &) const = default;
};

/// "broker-restart", "broker-kill", "network-drop", "push".
QString describe(ScenarioEvent::Kind kind);
/// "at 10m network-drop 30%" — the event as a scenario line.
QString describe(const ScenarioEvent &event);

/// Everything a scenario file says. Times are simulated; the run divides them by timeScale.
struct Scenario {
    enum class Heartbeat : quint8 { Fixed, Smart };
    /// Direct: no relay at all (no NAT, and relay events are skipped); None: a relay that
    /// never forgets a mapping (events work); otherwise a NAT preset.
    enum class Network : quint8 { Direct, None, Nat };

    int formatVersion = ScenarioFormatVersion;
    QString name;
    int devices = 100;
    /// Device id with "{index}" for the zero-padded device number.
    QString idPattern = QStringLiteral("sim-{index}");
    mqtt::ProtocolVersion protocol = mqtt::ProtocolVersion::V3_1_1;
    bool cleanStart = true;
    Heartbeat heartbeat = Heartbeat::Fixed;
    std::chrono::milliseconds fixedInterval = std::chrono::seconds(120);
    /// `heartbeat fixed FROM TO`: device i of n heartbeats every FROM + (TO − FROM)·i/(n − 1),
    /// as a fleet of app versions and vendors does; what lets a broker bracket a NAT timeout.
    std::optional<std::chrono::milliseconds> fixedIntervalLongest;
    SmartHeartbeatConfig smart;
    std::optional<std::chrono::milliseconds> keepAlive; ///< unset: the strategy's longest
    std::chrono::milliseconds pongTimeout = std::chrono::seconds(10);
    Network network = Network::Nat;
    NatPreset nat = NatPreset::ChinaMobile;
    std::chrono::milliseconds natTimeout = std::chrono::seconds(300); ///< Custom
    ReconnectConfig reconnect;
    int connectRate = 500; ///< connects started per real second; 0 = all at once
    std::chrono::milliseconds duration = std::chrono::minutes(10);
    double timeScale = 1.0;
    mqtt::QoS pushQoS = mqtt::QoS::AtLeastOnce; ///< the devices' subscription
    QString signingKeyId;  ///< empty: pushes unsigned, devices do not verify
    QByteArray signingKey;
    QString brokerHost;    ///< empty: the command line's or 127.0.0.1
    quint16 brokerPort = 0; ///< 0: the command line's or 1883
    /// `broker A:1883, B:1883`: the other nodes of a cluster, after brokerHost:brokerPort.
    /// Devices are spread over all of them round robin and move to the next on a loss
    /// (FleetConfig::brokers); "nat direct" only.
    QList<BrokerNode> moreBrokers;
    /// `register-tags TAG[,TAG…]`: every device publishes {"tags": [...]} on
    /// devices/{id}/register once its push subscription is granted, after each connect (a
    /// push service on a cluster learns its devices so). Empty: no registration (but
    /// heartbeat:smart, see DeviceConfig).
    QStringList registerTags;
    QList<ScenarioEvent> events; ///< sorted by time (stable)

    /// idPattern split around "{index}".
    QString idPrefix() const;
    QString idSuffix() const;
    /// The NAT idle timeout in simulated time (0 without a NAT).
    std::chrono::milliseconds natIdleTimeout() const;
    /// "China Mobile (300 s)", "no NAT", "direct"
    QString networkName() const;
    /// "fixed 120 s", "smart 60–600 s": the devices' heartbeat strategy by name.
    QString heartbeatName() const;
    /// Real time of the whole run.
    std::chrono::milliseconds realDuration() const;
};

/// A problem in a scenario file, with its 1-based line (0 = the file as a whole).
struct ScenarioError {
    QString file;
    int line = 0;
    QString message;
    /// "nat-mobile.scenario:7: unknown key \"devcies\""
    QString toString() const;
};

/// Parses a scenario. Unknown keys, bad values and a missing or newer version line are
/// errors, never silently ignored.
std::variant<Scenario, ScenarioError> parseScenario(const QString &text, const QString &fileName = {});
/// Reads and parses a file (UTF-8).
std::variant<Scenario, ScenarioError> loadScenario(const QString &fileName);

/// "90s", "5m", "1500ms", "2h", "0.5s" → milliseconds; nullopt when malformed or negative.
std::optional<std::chrono::milliseconds> parseDuration(const QString &text);
/// 300000 ms → "5m", 1500 → "1.5s": the shortest form parseDuration() reads back.
QString formatDuration(std::chrono::milliseconds duration);

} // namespace hermes::sim
