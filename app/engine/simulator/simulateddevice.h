#pragma once
/// One simulated device: an MqttClient that heartbeats by a strategy and reconnects by a
/// policy, usually through a NatRelay, recording what happened to it.

#include "engine/mqttclient.h"
#include "engine/simulator/brokerlist.h"
#include "engine/simulator/heartbeatstrategy.h"
#include "engine/simulator/reconnectpolicy.h"
#include "push/sequence.h"
#include "push/signer.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <memory>
#include <optional>

namespace hermes::sim {

/// How a device connects and behaves. Durations are simulated time, divided by
/// `timeScale` on the wire, like the relay's NAT timeout.
struct DeviceConfig {
    QString brokerHost = QStringLiteral("127.0.0.1");
    quint16 brokerPort = 1883;
    /// The other nodes of the broker's cluster, in the order this device tries them: after a
    /// lost connection or a failed attempt, the next attempt (after the reconnect policy's
    /// jittered delay) goes to the next address of brokerHost:brokerPort, these, and round
    /// again. Empty: always brokerHost:brokerPort. Straight connections only (no relay).
    QList<BrokerNode> moreBrokers;
    /// MQTT user name and password (empty user name: none sent).
    QString userName;
    QByteArray password;
    /// Tags published as a registration ({"tags": [...]}) on devices/{id}/register once the
    /// push subscription is granted, after every connect: how a push service on a cluster
    /// (hermesd's upstream mode) learns the device and its tags again after a node change,
    /// and sends what the device missed meanwhile.
    QStringList registerTags;
    /// The NAT relay; empty host or port 0 connects straight to the broker.
    QString relayHost;
    quint16 relayPort = 0;
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V3_1_1;
    bool cleanStart = true;
    /// MQTT 5 Session Expiry Interval sent when cleanStart is off (real seconds; 3.x keeps
    /// a clean-session-0 session anyway) [MQTT-3.1.2-23].
    quint32 sessionExpirySeconds = 3600;
    /// Simulated seconds per real second (> 0).
    double timeScale = 1.0;
    /// How long to wait for a PINGRESP before calling the link dead (simulated).
    std::chrono::milliseconds pongTimeout = std::chrono::seconds(10);
    /// MQTT keep-alive announced in CONNECT (simulated, rounded up to whole real seconds);
    /// unset = the strategy's maxInterval(). The broker closes after 1.5 times this.
    std::optional<std::chrono::milliseconds> keepAlive;
    ReconnectPolicy::Config reconnect;
    quint64 seed = 1; ///< for the reconnect policy
    /// QoS of the devices/{id}/push subscription.
    mqtt::QoS pushQoS = mqtt::QoS::AtLeastOnce;
    /// Keys the device trusts; null = accept unsigned envelopes (no verification). Shared by
    /// a fleet: one ring, read-only.
    std::shared_ptr<const push::Verifier> verifier;
    /// A device whose strategy takesAdvice() registers the tag "heartbeat:smart" on
    /// devices/{id}/register, so a Hermes broker acting on its network offers it the
    /// network's keep-alive (off: the device still takes offers it is sent).
    bool announceSmartHeartbeat = false;
    /// Publish a PushReceipt on devices/{id}/receipt for every envelope.
    bool sendReceipts = true;
    mqtt::QoS receiptQoS = mqtt::QoS::AtLeastOnce;
};

/// What one device went through (plain values; summed by Fleet).
struct DeviceStats {
    quint64 connectAttempts = 0;   ///< TCP+CONNECT attempts, the first one included
    quint64 connects = 0;          ///< CONNACK success
    quint64 connectFailures = 0;   ///< attempts that ended before a CONNACK
    quint64 reconnectAttempts = 0; ///< attempts after a loss
    quint64 heartbeatsSent = 0;
    quint64 pongs = 0;
    quint64 deadLinks = 0;          ///< pong never came
    quint64 connectionsLost = 0;    ///< any other end of an established connection
    quint64 reconnects = 0;         ///< push subscriptions granted again after a lost connection
    qint64 lastReconnectMs = 0;     ///< real ms from the loss to the push subscription's SUBACK
    qint64 maxReconnectMs = 0;
    qint64 lastDetectionMs = 0;     ///< real ms from the unanswered PINGREQ to giving up on it
    qint64 maxDetectionMs = 0;
    qint64 totalDetectionMs = 0;
    qint64 lastSilenceMs = 0;       ///< real ms from the last proof of life to the detection
    quint64 messagesReceived = 0;   ///< every PUBLISH on the push topic
    // What the push handling did with them (PUSH.md "Sequence numbers and receipts"):
    quint64 pushesRaw = 0;          ///< not an envelope: an operator's raw payload
    quint64 pushesReceived = 0;     ///< envelopes
    quint64 pushesDelivered = 0;    ///< handed to the "application" (new or gap)
    quint64 duplicates = 0;         ///< seen before: dropped, receipt DUPLICATE
    quint64 gaps = 0;               ///< delivered, but numbers below it were missing
    quint64 rejected = 0;           ///< unsigned, unknown key, bad signature, other device
    quint64 expired = 0;            ///< authentic but past expiresAt
    quint64 stale = 0;              ///< below the sequence window: dropped
    quint64 invalid = 0;            ///< sequence above the cap: dropped without receipt
    quint64 receiptsSent = 0;
    quint64 missing = 0;            ///< numbers missing below the highest received (now)
    quint64 lost = 0;               ///< numbers the tracker gave up on (window slid)
    quint64 highestSequence = 0;
    // Keep-alive advice from the broker (PUSH.md "Keep-alive offers"):
    quint16 serverKeepAliveSeconds = 0; ///< the last CONNACK's Server Keep Alive (real s); 0 = none
    quint64 offersApplied = 0;      ///< verified keep-alive offers the strategy took
    quint64 offersRejected = 0;     ///< forged, unsigned, expired, for another device or unverifiable
    qint64 offeredKeepAliveMs = 0;  ///< the last applied offer, simulated ms; 0 = none
    bool gaveUp = false;
};

/// Device id = MQTT client id. Once connected it subscribes to devices/{id}/push, turns the
/// client's automatic PINGREQ off and sends one heartbeat after each
/// strategy->currentInterval() of silence (a received message counts as traffic), never
/// longer than a Server Keep Alive the CONNACK gave [MQTT-3.2.2-21]. A strategy that
/// takesAdvice() takes keep-alive offers that verify against `verifier`, and registers as a
/// smart-heartbeat device when announceSmartHeartbeat (once, before its first
/// subscription); other offers are counted and dropped, and no offer is handed on as a push. A pong
/// that does not come within pongTimeout is a dead link: the strategy hears onFailure()
/// and the device reconnects after the policy's delay, until the policy gives up.
class SimulatedDevice : public QObject
{
    Q_OBJECT
public:
    SimulatedDevice(const QString &id, DeviceConfig config,
                    std::unique_ptr<HeartbeatStrategy> heartbeat, QObject *parent = nullptr);
    ~SimulatedDevice() override;

    QString id() const { return m_id; }
    /// "devices/{id}/push"
    QString pushTopic() const;
    /// "devices/{id}/receipt"
    QString receiptTopic() const;
    /// "devices/{id}/register"
    QString registerTopic() const;
    /// The device's sequence state (kept across reconnects, like an app's storage).
    const push::SequenceTracker &sequenceTracker() const { return m_tracker; }
    const DeviceConfig &config() const { return m_config; }
    const HeartbeatStrategy &heartbeat() const { return *m_heartbeat; }
    const ReconnectPolicy &reconnectPolicy() const { return m_policy; }
    const DeviceStats &stats() const { return m_stats; }
    MqttClient &client() { return m_client; }
    /// The address the device is connected to, or tries next.
    BrokerNode currentBroker() const;
    bool isConnected() const { return m_client.state() == MqttClient::State::Connected; }
    /// Connected and its push subscription granted on this connection: pushes reach it.
    bool isSubscribed() const { return m_pushSubscribed && isConnected(); }
    bool isRunning() const { return m_running; }

    /// Connects now (stats count it as an attempt, not a reconnect).
    void start();
    /// Stops heartbeats and reconnects; DISCONNECT when connected.
    void stop();
    /// The device dies without a word (power loss): socket dropped, no reconnect.
    void crash();

signals:
    void connected();
    /// Subscribed to its push topic again after losing a connection, `reconnectMs` real ms
    /// after the loss (delays, failed attempts and refused subscriptions included).
    void reconnected(qint64 reconnectMs);
    /// Any end of a connection (the client's reason).
    void disconnected(hermes::mqtt::client::CloseReason reason);
    /// A heartbeat went unanswered; `detectionMs` real ms after it was sent.
    void deadLinkDetected(qint64 detectionMs);
    void heartbeatAnswered(qint64 rttMs);
    void gaveUp();
    void messageReceived(const hermes::mqtt::Publish &publish);
    /// An envelope was handled; `receipt` is what the device answered (also when
    /// sendReceipts is off). Delivered and Gap mean the application got the payload.
    void pushHandled(const hermes::push::PushEnvelope &envelope, const hermes::push::PushReceipt &receipt);

private:
    void handlePush(const mqtt::Publish &publish);
    void handleKeepAliveOffer(const push::PushEnvelope &envelope);
    /// The strategy's interval, under the CONNACK's Server Keep Alive.
    Duration heartbeatInterval() const;
    void sendReceipt(const push::PushReceipt &receipt);
    void connectNow();
    void onConnected(const mqtt::Connack &connack);
    void onDisconnected(mqtt::client::CloseReason reason);
    void onPong(qint64 rttMs);
    void onSubscribed(quint16 packetId, const QList<mqtt::ReasonCode> &codes);
    void onTimer();
    void sendHeartbeat();
    void scheduleHeartbeat();
    void scheduleReconnect();
    std::chrono::milliseconds toReal(std::chrono::milliseconds simulated) const;
    /// A broker's whole real seconds (Server Keep Alive, an offer) as simulated time.
    Duration fromRealSeconds(quint32 seconds) const;
    Timestamp simNow() const;

    QString m_id;
    DeviceConfig m_config;
    std::unique_ptr<HeartbeatStrategy> m_heartbeat;
    ReconnectPolicy m_policy;
    MqttClient m_client;
    /// What m_timer is counting down to.
    enum class Pending : quint8 { None, Heartbeat, Reconnect };
    QTimer m_timer; ///< the next heartbeat, or the next reconnect while disconnected
    Pending m_pending = Pending::None;
    QElapsedTimer m_clock;
    DeviceStats m_stats;
    push::SequenceTracker m_tracker;
    qint64 m_lastActivityMs = 0;
    qint64 m_lastActivityNs = 0; ///< the same, for scheduling: ms rounding could send a heartbeat early
    std::optional<qint64> m_pingSentMs;
    std::optional<Duration> m_serverKeepAlive; ///< simulated, this connection's
    std::optional<qint64> m_lostAtMs; ///< when the last established connection was lost
    int m_pushSubscription = -1; ///< packet id of the push SUBSCRIBE awaiting its SUBACK
    bool m_pushSubscribed = false; ///< granted on this connection
    qsizetype m_brokerIndex = 0; ///< 0: brokerHost:brokerPort, i: moreBrokers[i - 1]
    bool m_running = false;
    bool m_wasConnected = false;
    bool m_registered = false;
};

} // namespace hermes::sim
