#include "adminclient.h"

#include <QAbstractSocket>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QTimer>

namespace hermes::cli {

using mqtt::ReasonCode;
using mqtt::client::CloseReason;

namespace {

/// CONNACK codes that mean "these credentials may not connect" rather than "broker down".
bool isAuthenticationRefusal(ReasonCode code)
{
    switch (code) {
    case ReasonCode::BadUserNameOrPassword:
    case ReasonCode::NotAuthorized:
    case ReasonCode::Banned:
    case ReasonCode::BadAuthenticationMethod:
    case ReasonCode::ClientIdentifierNotValid: // a device account bound to its own client ID
        return true;
    default:
        return false;
    }
}

bool isFailure(ReasonCode code)
{
    return quint8(code) >= 0x80;
}

QString seconds(std::chrono::milliseconds duration)
{
    return QString::number(double(duration.count()) / 1000.0, 'g', 6);
}

} // namespace

QString ConnectionSettings::brokerAddress() const
{
    return hermes::brokerAddress(host, port, tls.has_value(), localPath);
}

ClientOptions ConnectionSettings::clientOptions(const QString &clientId) const
{
    ClientOptions options;
    options.host = host;
    options.port = port;
    options.localPath = localPath;
    options.setTls(tls);
    options.tcpConnectTimeout = timeout;
    options.connect.version = mqtt::ProtocolVersion::V5;
    options.connect.clientId = clientId;
    options.connect.cleanStart = true;
    // Long enough that a request waiting for its timeout never needs a ping to stay alive.
    options.connect.keepAliveSeconds = 60;
    if (!userName.isEmpty())
        options.connect.userName = userName;
    if (hasPassword)
        options.connect.password = password;
    options.machine.connackTimeout = timeout;
    return options;
}

AdminClient::AdminClient(ConnectionSettings settings, QObject *parent)
    : QObject(parent),
      m_settings(std::move(settings)),
      // Unique per process and run: a clean-start session that collides with another
      // hermesctl's would take its connection over [MQTT-3.1.4-3].
      // The user name in it lets an account be bound to its tools' IDs
      // (client_id=hermesctl-NAME-*) and shows whose tool a session is.
      m_clientId(QStringLiteral("hermesctl-%1%2-%3")
                         .arg(m_settings.userName.isEmpty() ? QString() : m_settings.userName + QLatin1Char('-'))
                         .arg(QCoreApplication::applicationPid())
                         .arg(QRandomGenerator::global()->generate() & 0xFFFFFF, 6, 16, QLatin1Char('0'))),
      m_channel(m_client, replyTopic())
{
    m_channel.setTimeout(m_settings.timeout);
    m_client.setOptions(m_settings.clientOptions(m_clientId));

    connect(&m_client, &MqttClient::connected, this, &AdminClient::onConnected);
    connect(&m_client, &MqttClient::disconnected, this, &AdminClient::onDisconnected);
    connect(&m_client, &MqttClient::subscribed, this, &AdminClient::onSubscribed);
    connect(&m_client, &MqttClient::published, this, &AdminClient::onPublished);
    connect(&m_client, &MqttClient::messageReceived, this, &AdminClient::onMessage);
}

AdminClient::~AdminClient()
{
    close();
}

AdminResult AdminClient::open()
{
    // From inside the wait: a Unix socket's connect() fails at once, and that failure must
    // find the wait in place to end it.
    QTimer::singleShot(0, &m_client, [this] { m_client.connectToBroker(); });
    AdminResult result = wait(Waiting::Connack);
    if (!result.ok())
        return result;
    m_subscribePacketId = m_client.subscribe(replyTopic(), mqtt::QoS::AtLeastOnce);
    if (m_subscribePacketId < 0)
        return {RequestFailed, {}, {}, QStringLiteral("cannot subscribe to %1").arg(replyTopic())};
    return wait(Waiting::Suback);
}

AdminResult AdminClient::call(const QString &method, const QJsonObject &arguments)
{
    if (!m_connected)
        return {Unreachable, {}, {}, QStringLiteral("not connected to broker %1").arg(m_settings.brokerAddress())};
    m_method = method;
    m_channel.call(ApiVersion, method, arguments, [this](const AdminAnswer &answer) { finish(resultOf(answer)); });
    return wait(Waiting::Response);
}

void AdminClient::close()
{
    if (!m_connected)
        return;
    m_connected = false;
    m_client.disconnectFromBroker();
    // The DISCONNECT may still sit in the socket's write buffer, which only the event
    // loop drains; a command-line tool exits right after this, so wait for it here.
    for (QAbstractSocket *socket : m_client.findChildren<QAbstractSocket *>()) {
        if (socket->state() != QAbstractSocket::UnconnectedState)
            socket->waitForDisconnected(500);
    }
}

AdminResult AdminClient::wait(Waiting what)
{
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, this, [this] {
        const QString broker = m_settings.brokerAddress();
        switch (m_waiting) {
        case Waiting::Connack:
            finish({TimedOut, {}, {}, QStringLiteral("no CONNACK from %1 within %2 s").arg(broker, seconds(m_settings.timeout))});
            break;
        case Waiting::Suback:
            finish({TimedOut, {}, {}, QStringLiteral("no SUBACK from %1 within %2 s").arg(broker, seconds(m_settings.timeout))});
            break;
        case Waiting::Response:
            finish({TimedOut, {}, {},
                    QStringLiteral("no answer to %1 from %2 within %3 s (does the broker serve the Hermes admin API?)")
                            .arg(m_method, broker, seconds(m_settings.timeout))});
            break;
        case Waiting::Nothing:
            break;
        }
    });
    m_waiting = what;
    m_outcome = {};
    m_loop = &loop;
    // The connection has its own TCP and CONNACK deadlines of the same length, and the
    // channel one for each request; this one is a backstop for them and the only one for
    // the SUBACK.
    deadline.start(what == Waiting::Suback ? m_settings.timeout : m_settings.timeout + std::chrono::milliseconds(500));
    loop.exec();
    m_loop = nullptr;
    m_waiting = Waiting::Nothing;
    m_subscribePacketId = -1;
    return std::exchange(m_outcome, {});
}

void AdminClient::finish(AdminResult result)
{
    if (m_waiting == Waiting::Nothing || !m_loop)
        return;
    m_outcome = std::move(result);
    m_waiting = Waiting::Nothing;
    m_loop->quit();
}

QString AdminClient::callerName() const
{
    return m_settings.userName.isEmpty() ? QStringLiteral("an anonymous client")
                                         : QStringLiteral("user \"%1\"").arg(m_settings.userName);
}

void AdminClient::onConnected()
{
    m_connected = true;
    if (m_waiting == Waiting::Connack)
        finish({});
}

void AdminClient::onDisconnected(CloseReason reason, ReasonCode reasonCode, const QString &detail)
{
    const bool wasConnected = std::exchange(m_connected, false);
    const QString broker = m_settings.brokerAddress();
    // A request in progress ends below with the reason; none may be answered later.
    const QScopeGuard forgetRequests([this, &detail] { m_channel.failAll(detail); });
    if (!wasConnected) {
        switch (reason) {
        case CloseReason::ConnectRefused: {
            const QString why = mqtt::reasonCodeName(reasonCode, mqtt::PacketType::Connack);
            if (isAuthenticationRefusal(reasonCode))
                finish({AuthenticationFailed, {}, {}, QStringLiteral("broker %1 refused the credentials: %2").arg(broker, why)});
            else
                finish({Unreachable, {}, {}, QStringLiteral("broker %1 refused the connection: %2").arg(broker, why)});
            return;
        }
        case CloseReason::TlsFailed:
            // What was wrong (the CA file, the name, the key) is in the detail.
            finish({Unreachable, {}, {}, QStringLiteral("broker %1: %2").arg(broker, detail)});
            return;
        case CloseReason::ConnectTimeout:
            // The TCP connect and the CONNACK share this reason; only the former means
            // nothing is listening there.
            if (detail.startsWith(QLatin1String("TCP")))
                finish({Unreachable, {}, {}, QStringLiteral("cannot reach broker %1: %2").arg(broker, detail)});
            else
                finish({TimedOut, {}, {}, QStringLiteral("no CONNACK from %1 within %2 s").arg(broker, seconds(m_settings.timeout))});
            return;
        default:
            finish({Unreachable, {}, {}, QStringLiteral("cannot reach broker %1: %2").arg(broker, detail)});
            return;
        }
    }
    if (reason == CloseReason::ServerDisconnect && isAuthenticationRefusal(reasonCode)) {
        finish({AuthenticationFailed, {}, {},
                QStringLiteral("broker %1 closed the connection: %2")
                        .arg(broker, mqtt::reasonCodeName(reasonCode, mqtt::PacketType::Disconnect))});
        return;
    }
    finish({Unreachable, {}, {}, QStringLiteral("lost the connection to broker %1: %2").arg(broker, detail)});
}

void AdminClient::onSubscribed(quint16 packetId, const QList<ReasonCode> &reasonCodes)
{
    if (m_waiting != Waiting::Suback || packetId != m_subscribePacketId)
        return;
    const ReasonCode code = reasonCodes.value(0, ReasonCode::UnspecifiedError);
    if (!isFailure(code)) {
        finish({});
        return;
    }
    QString message = QStringLiteral("broker %1 refused the subscription to %2: %3")
                              .arg(m_settings.brokerAddress(), replyTopic(),
                                   mqtt::reasonCodeName(code, mqtt::PacketType::Suback));
    if (code == ReasonCode::NotAuthorized) {
        finish({AuthenticationFailed, {}, {}, message + QStringLiteral(" (%1 is not an operator)").arg(callerName())});
        return;
    }
    finish({RequestFailed, {}, {}, message});
}

void AdminClient::onPublished(quint16 packetId, ReasonCode reasonCode)
{
    m_channel.onPublished(packetId, quint8(reasonCode), mqtt::reasonCodeName(reasonCode, mqtt::PacketType::Puback));
}

void AdminClient::onMessage(const mqtt::Publish &publish)
{
    m_channel.onMessage(publish.topic, publish.payload, publish.properties.correlationData.value_or(QByteArray()));
}

AdminResult AdminClient::resultOf(const AdminAnswer &answer) const
{
    if (answer.ok)
        return {Success, answer.result, {}, {}};
    const QString broker = m_settings.brokerAddress();
    if (answer.code == QLatin1String("timeout"))
        return {TimedOut, {}, {},
                QStringLiteral("no answer to %1 from %2 within %3 s (does the broker serve the Hermes admin API?)")
                        .arg(m_method, broker, seconds(m_settings.timeout))};
    if (answer.code == QLatin1String("refused")) {
        const QString message = QStringLiteral("broker %1 refused the %2 request: %3")
                                        .arg(broker, m_method,
                                             mqtt::reasonCodeName(ReasonCode(answer.refusal), mqtt::PacketType::Puback));
        if (answer.refusal == quint8(ReasonCode::NotAuthorized))
            return {AuthenticationFailed, {}, {}, message + QStringLiteral(" (%1 is not an operator)").arg(callerName())};
        return {RequestFailed, {}, {}, message};
    }
    if (answer.code == QLatin1String("malformed"))
        return {RequestFailed, {}, {}, QStringLiteral("malformed answer to %1 (not an admin API response)").arg(m_method)};
    if (answer.code == QLatin1String("disconnected"))
        return {Unreachable, {}, {}, answer.message};
    // "forbidden" is the API's own "not an operator" (reachable with custom ACLs).
    return {answer.code == QLatin1String("forbidden") ? AuthenticationFailed : RequestFailed, {}, answer.code, answer.message};
}

} // namespace hermes::cli
