#pragma once
/// An operator on a hermesd's local administration socket calling the admin API
/// (docs/ADMIN-API.md) the way hermesctl does: MQTT 5 requests with a response topic.

#include "engine/mqttclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

namespace hermes::test {

/// An operator on hermesd's local administration socket, calling the admin API.
class AdminCaller
{
public:
    explicit AdminCaller(const QString &socketPath)
    {
        ClientOptions options;
        options.localPath = socketPath;
        options.connect.version = mqtt::ProtocolVersion::V5;
        options.connect.clientId = QStringLiteral("test-operator");
        m_client.setOptions(options);
        QObject::connect(&m_client, &MqttClient::messageReceived, [this](const mqtt::Publish &publish) {
            m_answers.insert(publish.properties.correlationData.value_or(QByteArray()),
                             QJsonDocument::fromJson(publish.payload).object());
        });
    }

    bool connect()
    {
        QSignalSpy subscribed(&m_client, &MqttClient::subscribed);
        QObject::connect(&m_client, &MqttClient::connected, [this] { m_client.subscribe(ReplyTopic, mqtt::QoS::AtLeastOnce); });
        m_client.connectToBroker();
        return subscribed.wait(10000) || !subscribed.isEmpty();
    }

    /// The answer's "result", or an empty object (with the error in lastError()).
    QJsonObject call(const QString &method, const QJsonObject &arguments)
    {
        const QByteArray correlation = QByteArray::number(++m_calls);
        mqtt::Properties properties;
        properties.responseTopic = ReplyTopic;
        properties.correlationData = correlation;
        m_client.publish(QStringLiteral("$hermes/admin/v1/") + method, QJsonDocument(arguments).toJson(QJsonDocument::Compact),
                         mqtt::QoS::AtLeastOnce, false, properties);
        if (!QTest::qWaitFor([&] { return m_answers.contains(correlation); }, 10000)) {
            m_lastError = QStringLiteral("no answer to ") + method;
            return {};
        }
        const QJsonObject answer = m_answers.take(correlation);
        m_lastError = QString::fromUtf8(QJsonDocument(answer.value(QLatin1String("error")).toObject()).toJson(QJsonDocument::Compact));
        return answer.value(QLatin1String("result")).toObject();
    }
    QString lastError() const { return m_lastError; }

private:
    static inline const QString ReplyTopic = QStringLiteral("$hermes/admin/v1/replies/test-operator");
    MqttClient m_client;
    QHash<QByteArray, QJsonObject> m_answers;
    quint64 m_calls = 0;
    QString m_lastError;
};

} // namespace hermes::test
