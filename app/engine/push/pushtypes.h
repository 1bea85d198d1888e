#pragma once
/// Plain values of the push service: what a push is for, what was asked, and how each
/// delivery went. They cross threads by copy and convert to the admin API's JSON
/// (docs/ADMIN-API.md). Part of hermes_engine_api.

#include "mqtt/packets.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

namespace hermes {

/// A topic with one `{id}` level, e.g. "devices/{id}/push".
class TopicTemplate
{
public:
    explicit TopicTemplate(QString pattern = {});
    /// One level is exactly "{id}" and the rest is a valid topic name without wildcards.
    bool isValid() const;
    QString pattern() const { return m_pattern; }
    QString topicFor(const QString &deviceId) const;
    /// The filter that matches every device's topic ("devices/+/push").
    QString filter() const;
    /// The device id of a topic made from this template.
    std::optional<QString> deviceIdOf(const QString &topic) const;

private:
    QString m_pattern;
    qsizetype m_idLevel = -1;
};

/// Who a push is for.
struct PushTarget {
    enum class Kind : quint8 { Devices, Alias, Tag, Topic, All };
    Kind kind = Kind::Devices;
    QStringList devices; ///< Kind::Devices
    QString value;       ///< the alias, tag expression or topic

    static PushTarget toDevices(QStringList ids) { return {Kind::Devices, std::move(ids), {}}; }
    static PushTarget toAlias(QString alias) { return {Kind::Alias, {}, std::move(alias)}; }
    static PushTarget toTag(QString expression) { return {Kind::Tag, {}, std::move(expression)}; }
    static PushTarget toTopic(QString topic) { return {Kind::Topic, {}, std::move(topic)}; }
    static PushTarget toAll() { return {Kind::All, {}, {}}; }

    /// {"devices": [...]} | {"alias": "..."} | {"tag": "..."} | {"topic": "..."} | {"all": true}
    QJsonObject toJson() const;
    static std::optional<PushTarget> fromJson(const QJsonObject &json, QString *error);
    /// "devices d1, d2" / "alias kitchen" / "tag vip && !beta" / "topic news" / "all devices".
    QString describe() const;
    bool operator==(const PushTarget &) const = default;
};

/// What an operator asks for.
struct PushRequest {
    PushTarget target;
    QByteArray payload;
    QString contentType = QStringLiteral("text/plain");
    mqtt::QoS qos = mqtt::QoS::AtLeastOnce;
    bool retain = false;
    quint32 ttlSeconds = 0;          ///< 0 = no expiry
    std::optional<qint64> sendAtMs;  ///< wall clock; unset = now
    double ratePerSecond = 0;        ///< deliveries per second; 0 = as fast as possible
    std::optional<bool> envelope;    ///< unset: yes for devices, no for a topic
    QString pushId;                  ///< empty = generated

    bool usesEnvelope() const { return envelope.value_or(target.kind != PushTarget::Kind::Topic); }
    /// The admin API's push/send arguments (payload as utf8 or base64).
    static std::optional<PushRequest> fromJson(const QJsonObject &json, QString *error);
    QJsonObject toJson() const;
};

/// Why the push service refused something; `code` is an admin API error code.
struct PushError {
    QString code;    ///< "bad-request", "not-found", "unavailable"
    QString message;
};

/// Where one delivery of a push stands.
enum class TargetState : quint8 {
    Pending,      ///< not yet handed to the device's session (scheduled, paced, or waiting for it)
    Queued,       ///< in the session
    Sent,
    Acknowledged, ///< PUBACK / PUBCOMP
    Receipted,    ///< the device's application answered
    Expired,
    Failed,
};
/// "pending", "queued", "sent", "acknowledged", "receipted", "expired", "failed".
QString stateName(TargetState state);

/// One target of a push: a device (or the topic of a topic push).
struct TargetReport {
    QString device;            ///< device id; the topic for a topic push
    quint64 sequence = 0;      ///< 0 until allocated, and for raw pushes
    TargetState state = TargetState::Pending;
    qint64 queuedAtMs = 0;
    qint64 sentAtMs = 0;       ///< first send
    qint64 acknowledgedAtMs = 0;
    qint64 receiptedAtMs = 0;
    qint64 endedAtMs = 0;      ///< expired or failed
    quint32 sendCount = 0;     ///< > 1: resent (DUP, or again after the session ended)
    quint64 missing = 0;       ///< sequence numbers the device's latest receipt says are missing
    QString receiptStatus;     ///< the device's ReceiptStatus, e.g. "delivered", "duplicate"
    QString detail;            ///< why it waits or failed
    /// The path its last send took when that is not the broker itself ("upstream HOST:PORT").
    QString route;
    bool operator==(const TargetReport &) const = default;
    QJsonObject toJson() const;
    /// Reads toJson()'s output back (a remote console).
    static TargetReport fromJson(const QJsonObject &json);
};

/// The delivery report of one push; the aggregates are computed from the targets.
struct PushReport {
    QString pushId;
    qint64 createdAtMs = 0;
    qint64 sendAtMs = 0;       ///< when delivery starts (= createdAtMs unless scheduled)
    PushTarget target;
    mqtt::QoS qos = mqtt::QoS::AtLeastOnce;
    quint32 ttlSeconds = 0;
    bool envelope = true;
    QList<TargetReport> targets;
    quint64 duplicates = 0;    ///< receipts saying "duplicate"
    /// What the transport could not do as asked and did instead ("QoS 2 downgraded to QoS 1:
    /// …"): a push is never changed silently.
    QStringList notes;
    /// Sequence numbers the targets' latest receipts report missing, summed.
    quint64 missing() const;

    struct Counts {
        int pending = 0, queued = 0, sent = 0, acknowledged = 0, receipted = 0, expired = 0, failed = 0;
    };
    Counts counts() const;
    /// True when no target can change any more (receipts may still add detail).
    bool isSettled() const;
    /// Arrivals (receipted, else acknowledged; sent at QoS 0) per second from sendAtMs to
    /// the last arrival; 0 before two arrivals.
    double arrivalRatePerSecond() const;
    /// Milliseconds from sendAtMs to each arrival, sorted.
    QList<qint64> latenciesMs() const;
    QJsonObject toJson(bool withTargets) const;
    /// Reads toJson(true)'s output back (a remote console); nullopt without a pushId.
    static std::optional<PushReport> fromJson(const QJsonObject &json);
};

} // namespace hermes

Q_DECLARE_METATYPE(hermes::PushReport)
