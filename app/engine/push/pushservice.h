#pragma once
/// The push service: resolves a push's audience, numbers, signs and delivers one envelope
/// per device through the broker, and follows each delivery to the device's receipt.

#include "deviceregistry.h"
#include "pushtransport.h"
#include "pushtypes.h"

#include "engine/broker.h"
#include "engine/metrics/histogram.h"
#include "engine/brokerconfig.h"

#include "push/sequence.h"
#include "push/signer.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <array>
#include <deque>
#include <map>
#include <memory>

namespace hermes {

struct PushConfig {
    TopicTemplate pushTopic{QStringLiteral("devices/{id}/push")};
    TopicTemplate receiptTopic{QStringLiteral("devices/{id}/receipt")};
    /// Devices publish {"alias": "...", "tags": [...]} here to describe themselves.
    TopicTemplate registerTopic{QStringLiteral("devices/{id}/register")};
    QString signingKeyId;      ///< empty: envelopes go out unsigned
    QByteArray signingKey;
    int maxReports = 1000;     ///< settled reports beyond this are forgotten, oldest first
    /// Deliveries of unpaced pushes per event-loop turn, so a push to 100,000 devices never
    /// freezes the broker.
    int deliveriesPerTurn = 500;

    /// From the broker's configuration, reading the signing key file; nullopt with `error`
    /// ("push_signing_key: /etc/hermes/push.key: No such file or directory").
    static std::optional<PushConfig> fromSettings(const PushSettings &settings, QString *error);
};

/// What the push service has done since it started (the /metrics counters).
struct PushStatistics {
    quint64 accepted = 0;
    quint64 refused = 0;
    /// Deliveries that entered each TargetState (indexed by the enum's value).
    std::array<quint64, 7> deliveriesEntered{};
    /// From a delivery being queued for its device to its first arrival (acknowledged or
    /// receipted): what the device waited, including time offline.
    Histogram deliveryDurations;
};

/// Lives on the broker's thread. Sequence numbers and the device registry are persisted in
/// the broker's store; delivery reports are kept in memory (the most recent maxReports).
/// Envelopes travel through a PushTransport: the broker itself, or an upstream cluster.
class PushService : public QObject
{
    Q_OBJECT
public:
    /// Delivers through `broker`'s own sessions.
    PushService(Broker &broker, PushConfig config = {}, QObject *parent = nullptr);
    /// Delivers through `transport` (not owned; it outlives the service), keeping devices,
    /// sequence numbers and reports in `broker`'s store.
    PushService(Broker &broker, PushTransport &transport, PushConfig config = {}, QObject *parent = nullptr);

    /// Loads devices and sequence numbers from the broker's store (call after
    /// Broker::start()) and starts listening for connects, receipts and registrations.
    void start();

    /// Accepts a push: the report as it stands right after the first deliveries, or why not.
    std::variant<PushReport, PushError> send(PushRequest request);
    /// The device ids a target reaches now (a topic target reaches no device by id).
    std::variant<QStringList, PushError> audience(const PushTarget &target) const;
    std::optional<PushReport> report(const QString &pushId) const;
    /// Newest first.
    QList<PushReport> recentReports(qsizetype limit) const;
    /// Every report change takes the next number; a reader keeps the last one it saw and asks
    /// for what changed after it, so several readers (the console, the admin API's report
    /// stream) follow the same reports without taking changes from each other.
    quint64 reportSerial() const { return m_reportSerial; }
    bool hasReport(const QString &pushId) const { return m_pushes.contains(pushId); }
    /// Pushes whose reports changed after `serial`, oldest push first.
    QStringList reportsChangedAfter(quint64 serial) const;

    const DeviceRegistry &devices() const { return m_devices; }
    std::variant<DeviceRecord, PushError> updateDevice(const QString &id, const DeviceUpdate &update);
    bool removeDevice(const QString &id);
    bool isOnline(const QString &id) const { return m_broker.identityOf(id).has_value(); }
    /// The sequence number the next envelope to `id` gets.
    quint64 nextSequence(const QString &id) const { return m_sequences.peek(id); }
    const PushConfig &config() const { return m_config; }
    const PushStatistics &statistics() const { return m_statistics; }

    /// Malformed receipts or registrations.
    quint64 malformedMessages() const { return m_malformedMessages; }

signals:
    /// A device was added, changed or removed (by an operator or by itself).
    void devicesChanged();

private:
    PushService(Broker &broker, std::unique_ptr<BrokerPushTransport> ownTransport, PushTransport *transport,
                PushConfig config, QObject *parent);

    struct ActivePush {
        PushRequest request;
        PushReport report;
        QList<quint64> traces;             ///< per target, same order as report.targets
        QHash<QString, qsizetype> indexOf; ///< device → target index
        qint64 expiresAtMs = 0;            ///< 0 = never
        qsizetype nextToDispatch = 0;      ///< targets before this were handed over once
        double tokens = 0;                 ///< rate limit bucket
        qint64 lastRefillMs = 0;
        quint64 changedAt = 0;             ///< reportSerial() of its last change
    };
    struct TargetRef {
        QString pushId;
        qsizetype index = 0;
    };

    std::variant<PushReport, PushError> accept(PushRequest request);
    /// Moves a delivery to `state`, counting it in the statistics.
    void enterState(TargetReport &target, TargetState state);
    bool isDevice(const QString &clientId) const;
    void noteSeen(const QString &clientId);
    void onClientConnected(const QString &clientId);
    void onClientDisconnected(const QString &clientId);
    void onClientSubscribed(const QString &clientId);
    void onInbound(const std::optional<ClientIdentity> &publisher, const mqtt::Publish &publish);
    void onTracedDelivery(quint64 trace, DeliveryStage stage, const QString &detail);
    void handleReceipt(const QString &deviceId, const QByteArray &payload);
    void handleRegistration(const QString &deviceId, const QByteArray &payload);

    void startDispatch(const QString &pushId);
    void dispatchTurn();
    /// Hands one target to the broker (or parks it until the device subscribes).
    void dispatch(ActivePush &push, qsizetype index);
    void retryWaiting(const QString &deviceId);
    /// Sends again, within their TTL, the envelopes a device was sent but has not receipted
    /// (same sequence numbers: a copy it already has comes back as a duplicate).
    void resendUnreceipted(const QString &deviceId);
    void sweepExpired();
    void scheduleTimers();
    void flushSeenDevices();
    void markChanged(ActivePush &push);
    void evictSettledReports();
    ActivePush *pushFor(quint64 trace, qsizetype *index);
    void persistDevice(const DeviceRecord &device, bool removed);
    static qint64 wallNow();

    Broker &m_broker;
    std::unique_ptr<BrokerPushTransport> m_ownTransport; ///< when delivering through m_broker
    PushTransport &m_transport;
    PushConfig m_config;
    std::optional<push::Signer> m_signer;
    DeviceRegistry m_devices;
    push::SequenceAllocator m_sequences;
    std::map<QString, ActivePush> m_pushes;
    QList<QString> m_order;                    ///< push ids, oldest first
    QHash<quint64, TargetRef> m_traces;
    quint64 m_nextTrace = 1;
    QHash<QString, QList<quint64>> m_waiting;  ///< device → traces waiting for its subscription
    std::deque<QString> m_dispatching;         ///< pushes with targets not yet handed over
    quint64 m_reportSerial = 0;
    QSet<QString> m_seenDevices;               ///< seen() since the last flush
    QTimer m_dispatchTimer;
    QTimer m_scheduleTimer;
    QTimer m_expiryTimer;
    QTimer m_flushTimer;
    PushStatistics m_statistics;
    quint64 m_malformedMessages = 0;
    bool m_started = false;
};

} // namespace hermes
