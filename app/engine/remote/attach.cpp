#include "attach.h"

#include "adminchannel.h"
#include "remoteengine.h"

#include "engine/client/clientengine.h"

#include <QEventLoop>
#include <QTimer>

namespace hermes {

AdminApiProbe probeAdminApi(const RemoteEngineOptions &options, std::chrono::milliseconds timeout)
{
    RemoteEngineOptions bounded = options;
    bounded.requestTimeout = timeout;
    // The engine's own client ID when one is set: an account may be bound to it.
    const ClientOptions client = bounded.clientOptions(QStringLiteral("hermes-probe-"));
    MqttClient mqtt(client);
    const QString replyTopic = AdminChannel::replyTopicFor(2, client.connect.clientId);
    AdminChannel admin(mqtt, replyTopic);
    admin.setTimeout(timeout);

    QEventLoop loop;
    AdminApiProbe result = AdminApiProbe::Unreachable;
    const auto finish = [&](AdminApiProbe outcome) {
        result = outcome;
        loop.quit();
    };
    bool connected = false;
    QObject::connect(&mqtt, &MqttClient::connected, &loop, [&] {
        connected = true;
        mqtt.subscribe(replyTopic, mqtt::QoS::AtLeastOnce);
    });
    QObject::connect(&mqtt, &MqttClient::subscribed, &loop, [&](quint16, const QList<mqtt::ReasonCode> &codes) {
        if (codes.isEmpty() || quint8(codes.first()) >= 0x80) {
            finish(AdminApiProbe::NoAdminApi);
            return;
        }
        admin.call(2, QStringLiteral("api/version"), {}, [&](const AdminAnswer &answer) {
            finish(answer.ok ? AdminApiProbe::Operator : AdminApiProbe::NoAdminApi);
        });
    });
    QObject::connect(&mqtt, &MqttClient::messageReceived, &loop, [&](const mqtt::Publish &publish) {
        admin.onMessage(publish.topic, publish.payload, publish.properties.correlationData.value_or(QByteArray()));
    });
    QObject::connect(&mqtt, &MqttClient::published, &loop, [&](quint16 packetId, mqtt::ReasonCode code) {
        admin.onPublished(packetId, quint8(code), mqtt::reasonCodeName(code, mqtt::PacketType::Puback));
    });
    QObject::connect(&mqtt, &MqttClient::disconnected, &loop,
                     [&](mqtt::client::CloseReason reason, mqtt::ReasonCode, const QString &) {
                         if (connected)
                             finish(AdminApiProbe::NoAdminApi);
                         else if (reason == mqtt::client::CloseReason::ConnectRefused)
                             finish(AdminApiProbe::CredentialsRefused);
                         else
                             finish(AdminApiProbe::Unreachable);
                     });
    QTimer::singleShot(timeout + std::chrono::milliseconds(500), &loop, [&] { finish(connected ? AdminApiProbe::NoAdminApi : AdminApiProbe::Unreachable); });
    mqtt.connectToBroker();
    loop.exec();
    QObject::disconnect(&mqtt, nullptr, &loop, nullptr);
    admin.failAll({});
    if (mqtt.state() != MqttClient::State::Disconnected)
        mqtt.disconnectFromBroker();
    return result;
}

std::unique_ptr<EngineMonitor> attachEngine(const RemoteEngineOptions &options, std::chrono::milliseconds probeTimeout)
{
    const AdminApiProbe probe = probeAdminApi(options, probeTimeout);
    if (probe == AdminApiProbe::Operator || probe == AdminApiProbe::CredentialsRefused)
        return std::make_unique<RemoteEngine>(options);
    ClientEngineOptions client;
    client.host = options.host;
    client.port = options.port;
    client.userName = options.userName;
    client.password = options.password;
    client.clientId = options.clientId;
    return std::make_unique<ClientEngine>(client);
}

} // namespace hermes
