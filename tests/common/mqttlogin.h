#pragma once
/// Test helper: one CONNECT with credentials through Hermes's own client; the CONNACK's
/// reason code (or the refusal's), UnspecifiedError when nothing answered in 10 s. The
/// client ID is the user name: the one ID a device account may use.

#include "engine/mqttclient.h"

#include <QtTest>

namespace hermes::test {

inline mqtt::ReasonCode loginResult(quint16 port, const QString &user, const QByteArray &password)
{
    MqttClient client;
    client.setPort(port);
    client.setClientId(user);
    client.setProtocolVersion(mqtt::ProtocolVersion::V5);
    client.setCredentials(user, password);
    std::optional<mqtt::ReasonCode> code;
    QObject::connect(&client, &MqttClient::connected, [&](bool, const mqtt::Connack &connack) { code = connack.reasonCode; });
    QObject::connect(&client, &MqttClient::disconnected, [&](mqtt::client::CloseReason, mqtt::ReasonCode reason, const QString &) {
        if (!code)
            code = reason;
    });
    client.connectToBroker();
    if (!QTest::qWaitFor([&] { return code.has_value(); }, 10000))
        return mqtt::ReasonCode::UnspecifiedError;
    return *code;
}

} // namespace hermes::test
