#include "adminchannel.h"

#include "engine/mqttclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QRandomGenerator>

namespace hermes {

AdminChannel::AdminChannel(MqttClient &client, QString replyTopic, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_replyTopic(std::move(replyTopic))
{
    m_expiry->setInterval(std::chrono::milliseconds(250));
    connect(m_expiry, &QTimer::timeout, this, &AdminChannel::expire);
}

AdminChannel::~AdminChannel() = default;

QString AdminChannel::replyTopicFor(int version, const QString &clientId)
{
    return QStringLiteral("%1v%2/replies/%3").arg(QString(Root)).arg(version).arg(clientId);
}

void AdminChannel::request(int version, const QString &method, const QJsonObject &arguments, Handler handler)
{
    const QByteArray correlation = QByteArray::number(++m_requests) + '-'
        + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    mqtt::Properties properties;
    properties.responseTopic = m_replyTopic;
    properties.correlationData = correlation;
    properties.contentType = QStringLiteral("application/json");
    Pending pending{method, std::move(handler), QDateTime::currentMSecsSinceEpoch() + m_timeout.count(), -1};
    m_pending.insert(correlation, std::move(pending));
    const int packetId = m_client.publish(QStringLiteral("%1v%2/%3").arg(QString(Root)).arg(version).arg(method),
                                          QJsonDocument(arguments).toJson(QJsonDocument::Compact),
                                          mqtt::QoS::AtLeastOnce, false, properties);
    if (packetId < 0) {
        answer(correlation, {false, {}, QStringLiteral("disconnected"), tr("cannot send the %1 request").arg(method)});
        return;
    }
    if (const auto it = m_pending.find(correlation); it != m_pending.end())
        it->packetId = packetId;
    if (!m_expiry->isActive())
        m_expiry->start();
}

void AdminChannel::call(int version, const QString &method, const QJsonObject &arguments,
                        std::function<void(const AdminAnswer &)> done)
{
    request(version, method, arguments, [done = std::move(done)](const AdminAnswer &answer) {
        done(answer);
        return true;
    });
}

bool AdminChannel::onMessage(const QString &topic, const QByteArray &payload, const QByteArray &correlation)
{
    if (topic != m_replyTopic)
        return false;
    if (!m_pending.contains(correlation))
        return true; // a late answer to a request that timed out
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &error);
    const QJsonObject body = document.object();
    if (error.error != QJsonParseError::NoError || !body.value(QLatin1String("ok")).isBool()) {
        answer(correlation, {false, {}, QStringLiteral("malformed"), tr("malformed answer (not an admin API response)")});
        return true;
    }
    if (body.value(QLatin1String("ok")).toBool()) {
        answer(correlation, {true, body.value(QLatin1String("result")).toObject(), {}, {}});
        return true;
    }
    const QJsonObject problem = body.value(QLatin1String("error")).toObject();
    answer(correlation, {false, {}, problem.value(QLatin1String("code")).toString(QStringLiteral("error")),
                         problem.value(QLatin1String("message")).toString()});
    return true;
}

void AdminChannel::onPublished(quint16 packetId, quint8 reasonCode, const QString &reasonName)
{
    if (reasonCode < 0x80)
        return;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it->packetId == int(packetId)) {
            answer(it.key(), {false, {}, QStringLiteral("refused"),
                              tr("the broker refused the %1 request: %2").arg(it->method, reasonName), reasonCode});
            return;
        }
    }
}

void AdminChannel::failAll(const QString &why)
{
    const QList<QByteArray> waiting = m_pending.keys();
    for (const QByteArray &correlation : waiting)
        answer(correlation, {false, {}, QStringLiteral("disconnected"), why});
    m_expiry->stop();
}

void AdminChannel::expire()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<QByteArray> late;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it->deadlineMs <= now)
            late.append(it.key());
    }
    for (const QByteArray &correlation : std::as_const(late)) {
        const QString method = m_pending.value(correlation).method;
        answer(correlation, {false, {}, QStringLiteral("timeout"),
                             tr("no answer to %1 within %2 s").arg(method).arg(double(m_timeout.count()) / 1000.0)});
    }
    if (m_pending.isEmpty())
        m_expiry->stop();
}

void AdminChannel::answer(const QByteArray &correlation, const AdminAnswer &result)
{
    const auto it = m_pending.find(correlation);
    if (it == m_pending.end())
        return;
    // The handler may send new requests (which may rehash m_pending): run a copy.
    const Handler handler = it->handler;
    const bool failed = !result.ok && (result.code == QLatin1String("timeout") || result.code == QLatin1String("refused")
                                       || result.code == QLatin1String("disconnected"));
    const bool done = handler(result) || failed;
    if (done)
        m_pending.remove(correlation);
    else if (const auto again = m_pending.find(correlation); again != m_pending.end())
        again->deadlineMs = QDateTime::currentMSecsSinceEpoch() + m_timeout.count();
}

} // namespace hermes
