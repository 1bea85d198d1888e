#include "pushtypes.h"

#include "push/tagexpression.h"

#include "mqtt/topic.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace hermes {

TopicTemplate::TopicTemplate(QString pattern) : m_pattern(std::move(pattern))
{
    const QStringList levels = m_pattern.split(QLatin1Char('/'));
    if (levels.count(QStringLiteral("{id}")) == 1)
        m_idLevel = levels.indexOf(QStringLiteral("{id}"));
}

bool TopicTemplate::isValid() const
{
    return m_idLevel >= 0 && mqtt::isValidTopicName(topicFor(QStringLiteral("x")));
}

QString TopicTemplate::topicFor(const QString &deviceId) const
{
    QString topic = m_pattern;
    return topic.replace(QLatin1String("{id}"), deviceId);
}

QString TopicTemplate::filter() const
{
    return topicFor(QStringLiteral("+"));
}

std::optional<QString> TopicTemplate::deviceIdOf(const QString &topic) const
{
    if (m_idLevel < 0)
        return std::nullopt;
    const QStringList levels = topic.split(QLatin1Char('/'));
    const QStringList pattern = m_pattern.split(QLatin1Char('/'));
    if (levels.size() != pattern.size())
        return std::nullopt;
    for (qsizetype i = 0; i < levels.size(); ++i) {
        if (i != m_idLevel && levels[i] != pattern[i])
            return std::nullopt;
    }
    if (levels[m_idLevel].isEmpty())
        return std::nullopt;
    return levels[m_idLevel];
}

// ---- PushTarget ----

QJsonObject PushTarget::toJson() const
{
    switch (kind) {
    case Kind::Devices: return {{QStringLiteral("devices"), QJsonArray::fromStringList(devices)}};
    case Kind::Alias: return {{QStringLiteral("alias"), value}};
    case Kind::Tag: return {{QStringLiteral("tag"), value}};
    case Kind::Topic: return {{QStringLiteral("topic"), value}};
    case Kind::All: return {{QStringLiteral("all"), true}};
    }
    return {};
}

std::optional<PushTarget> PushTarget::fromJson(const QJsonObject &json, QString *error)
{
    const QStringList keys = json.keys();
    if (keys.size() != 1) {
        *error = QStringLiteral("target must have exactly one of devices, alias, tag, topic, all");
        return std::nullopt;
    }
    const QString key = keys.constFirst();
    const QJsonValue value = json.value(key);
    if (key == QLatin1String("devices")) {
        QStringList ids;
        for (const QJsonValue &id : value.toArray()) {
            if (!id.isString() || id.toString().isEmpty()) {
                *error = QStringLiteral("target.devices must be a list of device ids");
                return std::nullopt;
            }
            ids.append(id.toString());
        }
        if (ids.isEmpty()) {
            *error = QStringLiteral("target.devices is empty");
            return std::nullopt;
        }
        ids.removeDuplicates();
        return toDevices(ids);
    }
    if (key == QLatin1String("all")) {
        if (value.toBool())
            return toAll();
        *error = QStringLiteral("target.all must be true");
        return std::nullopt;
    }
    if (!value.isString() || value.toString().isEmpty()) {
        *error = QStringLiteral("target.%1 must be a non-empty string").arg(key);
        return std::nullopt;
    }
    if (key == QLatin1String("alias"))
        return toAlias(value.toString());
    if (key == QLatin1String("tag")) {
        const auto parsed = push::TagExpression::parse(value.toString());
        if (const auto *problem = std::get_if<push::TagExpressionError>(&parsed)) {
            *error = QStringLiteral("target.tag: %1").arg(problem->toString());
            return std::nullopt;
        }
        return toTag(value.toString());
    }
    if (key == QLatin1String("topic")) {
        if (!mqtt::isValidTopicName(value.toString())) {
            *error = QStringLiteral("target.topic \"%1\" is not a valid topic name").arg(value.toString());
            return std::nullopt;
        }
        return toTopic(value.toString());
    }
    *error = QStringLiteral("unknown target kind \"%1\"").arg(key);
    return std::nullopt;
}

QString PushTarget::describe() const
{
    switch (kind) {
    case Kind::Devices: return QStringLiteral("devices ") + devices.join(QLatin1String(", "));
    case Kind::Alias: return QStringLiteral("alias ") + value;
    case Kind::Tag: return QStringLiteral("tag ") + value;
    case Kind::Topic: return QStringLiteral("topic ") + value;
    case Kind::All: return QStringLiteral("all devices");
    }
    return {};
}

// ---- PushRequest ----

std::optional<PushRequest> PushRequest::fromJson(const QJsonObject &json, QString *error)
{
    PushRequest request;
    const auto target = PushTarget::fromJson(json.value(QLatin1String("target")).toObject(), error);
    if (!target)
        return std::nullopt;
    request.target = *target;
    const QJsonValue payload = json.value(QLatin1String("payload"));
    if (!payload.isString() && !payload.isUndefined()) {
        *error = QStringLiteral("payload must be a string");
        return std::nullopt;
    }
    const QString encoding = json.value(QLatin1String("payloadEncoding")).toString(QStringLiteral("utf8"));
    if (encoding == QLatin1String("utf8")) {
        request.payload = payload.toString().toUtf8();
    } else if (encoding == QLatin1String("base64")) {
        const auto decoded = QByteArray::fromBase64Encoding(payload.toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded) {
            *error = QStringLiteral("payload is not valid base64");
            return std::nullopt;
        }
        request.payload = *decoded;
    } else {
        *error = QStringLiteral("payloadEncoding must be utf8 or base64");
        return std::nullopt;
    }
    request.contentType = json.value(QLatin1String("contentType")).toString(request.contentType);
    const int qos = json.value(QLatin1String("qos")).toInt(1);
    if (qos < 0 || qos > 2) {
        *error = QStringLiteral("qos must be 0, 1 or 2");
        return std::nullopt;
    }
    request.qos = mqtt::QoS(qos);
    request.retain = json.value(QLatin1String("retain")).toBool(false);
    const double ttl = json.value(QLatin1String("ttlSeconds")).toDouble(0);
    if (ttl < 0 || ttl > 0xFFFFFFFFu) {
        *error = QStringLiteral("ttlSeconds out of range");
        return std::nullopt;
    }
    request.ttlSeconds = quint32(ttl);
    if (json.contains(QLatin1String("sendAtMs")))
        request.sendAtMs = qint64(json.value(QLatin1String("sendAtMs")).toDouble());
    request.ratePerSecond = json.value(QLatin1String("ratePerSecond")).toDouble(0);
    if (request.ratePerSecond < 0 || !std::isfinite(request.ratePerSecond)) {
        *error = QStringLiteral("ratePerSecond must be positive");
        return std::nullopt;
    }
    if (json.contains(QLatin1String("envelope")))
        request.envelope = json.value(QLatin1String("envelope")).toBool();
    request.pushId = json.value(QLatin1String("pushId")).toString();
    return request;
}

QJsonObject PushRequest::toJson() const
{
    QJsonObject json{
        {QStringLiteral("target"), target.toJson()},
        {QStringLiteral("payload"), QString::fromLatin1(payload.toBase64())},
        {QStringLiteral("payloadEncoding"), QStringLiteral("base64")},
        {QStringLiteral("contentType"), contentType},
        {QStringLiteral("qos"), int(qos)},
        {QStringLiteral("retain"), retain},
        {QStringLiteral("ttlSeconds"), double(ttlSeconds)},
    };
    if (sendAtMs)
        json.insert(QStringLiteral("sendAtMs"), double(*sendAtMs));
    if (ratePerSecond > 0)
        json.insert(QStringLiteral("ratePerSecond"), ratePerSecond);
    if (envelope)
        json.insert(QStringLiteral("envelope"), *envelope);
    if (!pushId.isEmpty())
        json.insert(QStringLiteral("pushId"), pushId);
    return json;
}

// ---- Reports ----

QString stateName(TargetState state)
{
    switch (state) {
    case TargetState::Pending: return QStringLiteral("pending");
    case TargetState::Queued: return QStringLiteral("queued");
    case TargetState::Sent: return QStringLiteral("sent");
    case TargetState::Acknowledged: return QStringLiteral("acknowledged");
    case TargetState::Receipted: return QStringLiteral("receipted");
    case TargetState::Expired: return QStringLiteral("expired");
    case TargetState::Failed: return QStringLiteral("failed");
    }
    return {};
}

QJsonObject TargetReport::toJson() const
{
    QJsonObject json{
        {QStringLiteral("device"), device},
        {QStringLiteral("sequence"), double(sequence)},
        {QStringLiteral("state"), stateName(state)},
        {QStringLiteral("sendCount"), double(sendCount)},
    };
    const auto addTime = [&json](const char *name, qint64 ms) {
        if (ms)
            json.insert(QLatin1String(name), double(ms));
    };
    addTime("queuedAtMs", queuedAtMs);
    addTime("sentAtMs", sentAtMs);
    addTime("acknowledgedAtMs", acknowledgedAtMs);
    addTime("receiptedAtMs", receiptedAtMs);
    addTime("endedAtMs", endedAtMs);
    if (!receiptStatus.isEmpty())
        json.insert(QStringLiteral("receiptStatus"), receiptStatus);
    if (missing)
        json.insert(QStringLiteral("missing"), double(missing));
    if (!detail.isEmpty())
        json.insert(QStringLiteral("detail"), detail);
    if (!route.isEmpty())
        json.insert(QStringLiteral("route"), route);
    return json;
}

PushReport::Counts PushReport::counts() const
{
    Counts counts;
    for (const TargetReport &target : targets) {
        switch (target.state) {
        case TargetState::Pending: ++counts.pending; break;
        case TargetState::Queued: ++counts.queued; break;
        case TargetState::Sent: ++counts.sent; break;
        case TargetState::Acknowledged: ++counts.acknowledged; break;
        case TargetState::Receipted: ++counts.receipted; break;
        case TargetState::Expired: ++counts.expired; break;
        case TargetState::Failed: ++counts.failed; break;
        }
    }
    return counts;
}

namespace {

/// When a target arrived: its receipt, else its acknowledgement; at QoS 0 its send.
qint64 arrivalOf(const TargetReport &target, mqtt::QoS qos)
{
    if (target.receiptedAtMs)
        return target.receiptedAtMs;
    if (target.acknowledgedAtMs)
        return target.acknowledgedAtMs;
    return qos == mqtt::QoS::AtMostOnce ? target.sentAtMs : 0;
}

} // namespace

quint64 PushReport::missing() const
{
    quint64 total = 0;
    for (const TargetReport &target : targets)
        total += target.missing;
    return total;
}

bool PushReport::isSettled() const
{
    return std::all_of(targets.cbegin(), targets.cend(), [this](const TargetReport &target) {
        switch (target.state) {
        case TargetState::Pending:
        case TargetState::Queued: return false;
        case TargetState::Sent: return qos == mqtt::QoS::AtMostOnce;
        default: return true;
        }
    });
}

QList<qint64> PushReport::latenciesMs() const
{
    QList<qint64> latencies;
    for (const TargetReport &target : targets) {
        if (const qint64 arrival = arrivalOf(target, qos))
            latencies.append(std::max<qint64>(0, arrival - sendAtMs));
    }
    std::sort(latencies.begin(), latencies.end());
    return latencies;
}

double PushReport::arrivalRatePerSecond() const
{
    const QList<qint64> latencies = latenciesMs();
    if (latencies.size() < 2 || latencies.constLast() <= 0)
        return 0;
    return double(latencies.size()) * 1000.0 / double(latencies.constLast());
}

QJsonObject PushReport::toJson(bool withTargets) const
{
    const Counts c = counts();
    const QList<qint64> latencies = latenciesMs();
    const auto percentile = [&latencies](double p) {
        if (latencies.isEmpty())
            return 0.0;
        const qsizetype index = std::min<qsizetype>(latencies.size() - 1, qsizetype(std::ceil(p * double(latencies.size()))) - 1);
        return double(latencies.at(std::max<qsizetype>(0, index)));
    };
    QJsonObject json{
        {QStringLiteral("pushId"), pushId},
        {QStringLiteral("createdAtMs"), double(createdAtMs)},
        {QStringLiteral("sendAtMs"), double(sendAtMs)},
        {QStringLiteral("target"), target.toJson()},
        {QStringLiteral("qos"), int(qos)},
        {QStringLiteral("ttlSeconds"), double(ttlSeconds)},
        {QStringLiteral("envelope"), envelope},
        {QStringLiteral("audience"), int(targets.size())},
        {QStringLiteral("settled"), isSettled()},
        {QStringLiteral("counts"), QJsonObject{
             {QStringLiteral("pending"), c.pending}, {QStringLiteral("queued"), c.queued},
             {QStringLiteral("sent"), c.sent}, {QStringLiteral("acknowledged"), c.acknowledged},
             {QStringLiteral("receipted"), c.receipted}, {QStringLiteral("expired"), c.expired},
             {QStringLiteral("failed"), c.failed}}},
        {QStringLiteral("arrivalRatePerSecond"), arrivalRatePerSecond()},
        {QStringLiteral("latencyMs"), QJsonObject{
             {QStringLiteral("p50"), percentile(0.5)}, {QStringLiteral("p90"), percentile(0.9)},
             {QStringLiteral("p99"), percentile(0.99)},
             {QStringLiteral("max"), latencies.isEmpty() ? 0.0 : double(latencies.constLast())}}},
        {QStringLiteral("duplicates"), double(duplicates)},
        {QStringLiteral("missing"), double(missing())},
    };
    if (!notes.isEmpty())
        json.insert(QStringLiteral("notes"), QJsonArray::fromStringList(notes));
    if (withTargets) {
        QJsonArray list;
        for (const TargetReport &target : targets)
            list.append(target.toJson());
        json.insert(QStringLiteral("targets"), list);
    }
    return json;
}

TargetReport TargetReport::fromJson(const QJsonObject &json)
{
    TargetReport target;
    target.device = json.value(QLatin1String("device")).toString();
    target.sequence = quint64(json.value(QLatin1String("sequence")).toDouble());
    const QString state = json.value(QLatin1String("state")).toString();
    for (const TargetState candidate : {TargetState::Pending, TargetState::Queued, TargetState::Sent,
                                        TargetState::Acknowledged, TargetState::Receipted, TargetState::Expired,
                                        TargetState::Failed}) {
        if (stateName(candidate) == state)
            target.state = candidate;
    }
    const auto time = [&json](const char *name) { return qint64(json.value(QLatin1String(name)).toDouble()); };
    target.queuedAtMs = time("queuedAtMs");
    target.sentAtMs = time("sentAtMs");
    target.acknowledgedAtMs = time("acknowledgedAtMs");
    target.receiptedAtMs = time("receiptedAtMs");
    target.endedAtMs = time("endedAtMs");
    target.sendCount = quint32(json.value(QLatin1String("sendCount")).toDouble());
    target.missing = quint64(json.value(QLatin1String("missing")).toDouble());
    target.receiptStatus = json.value(QLatin1String("receiptStatus")).toString();
    target.detail = json.value(QLatin1String("detail")).toString();
    target.route = json.value(QLatin1String("route")).toString();
    return target;
}

std::optional<PushReport> PushReport::fromJson(const QJsonObject &json)
{
    PushReport report;
    report.pushId = json.value(QLatin1String("pushId")).toString();
    if (report.pushId.isEmpty())
        return std::nullopt;
    report.createdAtMs = qint64(json.value(QLatin1String("createdAtMs")).toDouble());
    report.sendAtMs = qint64(json.value(QLatin1String("sendAtMs")).toDouble());
    QString ignored;
    if (auto target = PushTarget::fromJson(json.value(QLatin1String("target")).toObject(), &ignored))
        report.target = std::move(*target);
    report.qos = mqtt::QoS(std::clamp(json.value(QLatin1String("qos")).toInt(1), 0, 2));
    report.ttlSeconds = quint32(json.value(QLatin1String("ttlSeconds")).toDouble());
    report.envelope = json.value(QLatin1String("envelope")).toBool(true);
    report.duplicates = quint64(json.value(QLatin1String("duplicates")).toDouble());
    for (const QJsonValue &note : json.value(QLatin1String("notes")).toArray())
        report.notes.append(note.toString());
    for (const QJsonValue &target : json.value(QLatin1String("targets")).toArray())
        report.targets.append(TargetReport::fromJson(target.toObject()));
    return report;
}

} // namespace hermes
