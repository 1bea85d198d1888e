#include "attach.h"

#include "adminchannel.h"
#include "remoteengine.h"

#include "engine/client/clientengine.h"

#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QTimer>

#include <algorithm>

namespace hermes {

AdminApiProbeResult probeAdminApi(const RemoteEngineOptions &options, std::chrono::milliseconds timeout)
{
    RemoteEngineOptions bounded = options;
    bounded.requestTimeout = timeout;
    // The engine's own client ID when one is set: an account may be bound to it.
    const ClientOptions client = clientOptionsFor(bounded, QStringLiteral("hermes-probe-"));
    MqttClient mqtt(client);
    const QString replyTopic = AdminChannel::replyTopicFor(2, client.connect.clientId);
    AdminChannel admin(mqtt, replyTopic);
    admin.setTimeout(timeout);

    QEventLoop loop;
    AdminApiProbeResult result;
    const auto finish = [&](AdminApiProbe outcome) {
        result.outcome = outcome;
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
            for (const QJsonValue listener : answer.result.value(QLatin1String("listeners")).toArray())
                result.listeners.append(listener.toString());
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
                     [&](mqtt::client::CloseReason reason, mqtt::ReasonCode, const QString &detail) {
                         result.message = detail;
                         if (reason == mqtt::client::CloseReason::TlsFailed) {
                             finish(AdminApiProbe::TlsFailed);
                         } else if (connected) {
                             finish(AdminApiProbe::NoAdminApi);
                         } else if (reason == mqtt::client::CloseReason::ConnectRefused) {
                             finish(AdminApiProbe::CredentialsRefused);
                         } else {
                             finish(AdminApiProbe::Unreachable);
                         }
                     });
    QTimer::singleShot(timeout + std::chrono::milliseconds(500), &loop, [&] { finish(connected ? AdminApiProbe::NoAdminApi : AdminApiProbe::Unreachable); });
    // From inside the loop: a Unix socket's connect() fails at once, and finish() only
    // ends a running loop.
    QTimer::singleShot(0, &loop, [&mqtt] { mqtt.connectToBroker(); });
    loop.exec();
    QObject::disconnect(&mqtt, nullptr, &loop, nullptr);
    admin.failAll({});
    if (mqtt.state() != MqttClient::State::Disconnected)
        mqtt.disconnectFromBroker();
    return result;
}

std::unique_ptr<EngineMonitor> attachEngine(const RemoteEngineOptions &options, std::chrono::milliseconds probeTimeout)
{
    const AdminApiProbe probe = probeAdminApi(options, probeTimeout).outcome;
    // A Unix socket is a hermesd's administration socket: there, a refusal is worth saying.
    // A TLS failure is too: client mode would only fail the same way, less clearly.
    if (probe == AdminApiProbe::Operator || probe == AdminApiProbe::CredentialsRefused
        || probe == AdminApiProbe::TlsFailed || !options.localPath.isEmpty())
        return std::make_unique<RemoteEngine>(options);
    ClientEngineOptions client;
    client.host = options.host;
    client.port = options.port;
    client.tls = options.tls;
    client.userName = options.userName;
    client.password = options.password;
    client.clientId = options.clientId;
    return std::make_unique<ClientEngine>(client);
}

namespace {

/// Whether a listener in api/version's list accepts connections to `address`: the same
/// port on the same address, or on every address.
bool listensOn(const QStringList &listeners, const ListenAddress &address)
{
    return std::any_of(listeners.cbegin(), listeners.cend(), [&address](QString text) {
        const QLatin1StringView tlsSuffix{" (TLS)"};
        const bool tls = text.endsWith(tlsSuffix);
        if (tls)
            text.chop(tlsSuffix.size());
        const std::optional<ListenAddress> listener = ListenAddress::parse(text);
        if (!listener || listener->port != address.port || tls != address.tls)
            return false;
        const QHostAddress &host = listener->host;
        return host == address.host || host == QHostAddress::AnyIPv4 || host == QHostAddress::AnyIPv6
            || host == QHostAddress::Any;
    });
}

} // namespace

std::unique_ptr<EngineMonitor> attachToLocalBroker(const ListenAddress &address, const RemoteEngineOptions &account,
                                                   const QString &localSocket, std::chrono::milliseconds probeTimeout)
{
    RemoteEngineOptions overTcp = account;
    overTcp.localPath.clear();
    overTcp.host = address.host.toString();
    overTcp.port = address.port;
    if (address.tls && !overTcp.tls)
        overTcp.tls = ClientOptions::Tls{};
    QString socketProblem;
    if (!localSocket.isEmpty() && QFileInfo::exists(localSocket)) {
        RemoteEngineOptions overSocket = account;
        overSocket.localPath = localSocket;
        // The user name stays off: on the socket the kernel vouches for who this is.
        overSocket.userName.clear();
        overSocket.password.clear();
        const AdminApiProbeResult probe = probeAdminApi(overSocket, probeTimeout);
        if (probe.outcome == AdminApiProbe::Operator && listensOn(probe.listeners, address))
            return std::make_unique<RemoteEngine>(overSocket);
        // Not a member of the socket's group, typically: attached over TCP with fewer rights
        // the console would otherwise not explain.
        if (probe.outcome == AdminApiProbe::Unreachable)
            socketProblem = probe.message;
    }
    std::unique_ptr<EngineMonitor> engine = attachEngine(overTcp, probeTimeout);
    engine->setAttachNote(socketProblem);
    return engine;
}

EngineFactories attachFactories()
{
    EngineFactories factories;
    factories.attach = [](const RemoteEngineOptions &options) { return attachEngine(options); };
    factories.attachToLocal = [](const ListenAddress &address, const RemoteEngineOptions &account,
                                 const QString &localSocket) {
        return attachToLocalBroker(address, account, localSocket);
    };
    return factories;
}

} // namespace hermes
