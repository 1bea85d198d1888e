#include "adminclient.h"

#include <QAbstractSocket>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonDocument>
#include <QRandomGenerator>
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
                         .arg(QRandomGenerator::global()->generate() & 0xFFFFFF, 6, 16, QLatin1Char('0')))
{
    ClientOptions options;
    options.host = m_settings.host;
    options.port = m_settings.port;
    options.localPath = m_settings.localPath;
    options.setTls(m_settings.tls);
    options.tcpConnectTimeout = m_settings.timeout;
    options.connect.version = mqtt::ProtocolVersion::V5;
    options.connect.clientId = m_clientId;
    options.connect.cleanStart = true;
    // Long enough that a request waiting for its timeout never needs a ping to stay alive.
    options.connect.keepAliveSeconds = 60;
    if (!m_settings.userName.isEmpty())
        options.connect.userName = m_settings.userName;
    if (m_settings.hasPassword)
        options.connect.password = m_settings.password;
    options.machine.connackTimeout = m_settings.timeout;
    m_client.setOptions(options);

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
    m_client.connectToBroker();
    AdminResult result = wait(Waiting::Connack);
    if (!result.ok())
        return result;
    m_packetId = m_client.subscribe(replyTopic(), mqtt::QoS::AtLeastOnce);
    if (m_packetId < 0)
        return {RequestFailed, {}, {}, QStringLiteral("cannot subscribe to %1").arg(replyTopic())};
    return wait(Waiting::Suback);
}

AdminResult AdminClient::call(const QString &method, const QJsonObject &arguments)
{
    if (!m_connected)
        return {Unreachable, {}, {}, QStringLiteral("not connected to broker %1").arg(m_settings.brokerAddress())};
    m_method = method;
    m_correlation = QByteArray::number(++m_requests) + '-'
            + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    mqtt::Properties properties;
    properties.responseTopic = replyTopic();
    properties.correlationData = m_correlation;
    properties.contentType = QStringLiteral("application/json");
    // QoS 1, so a broker that refuses the request (not an operator) says so in the PUBACK
    // instead of leaving us waiting for the timeout.
    m_packetId = m_client.publish(QString(MethodPrefix) + method, QJsonDocument(arguments).toJson(QJsonDocument::Compact),
                                  mqtt::QoS::AtLeastOnce, false, properties);
    if (m_packetId < 0)
        return {RequestFailed, {}, {}, QStringLiteral("cannot send the %1 request").arg(method)};
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
    // The connection has its own TCP and CONNACK deadlines of the same length; this one
    // is a backstop for them and the only one for SUBACK and responses.
    deadline.start(what == Waiting::Connack ? m_settings.timeout + std::chrono::milliseconds(500) : m_settings.timeout);
    loop.exec();
    m_loop = nullptr;
    m_waiting = Waiting::Nothing;
    m_packetId = -1;
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
    if (m_waiting != Waiting::Suback || packetId != m_packetId)
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
    if (m_waiting != Waiting::Response || packetId != m_packetId || !isFailure(reasonCode))
        return;
    const QString why = mqtt::reasonCodeName(reasonCode, mqtt::PacketType::Puback);
    if (reasonCode == ReasonCode::NotAuthorized) {
        finish({AuthenticationFailed, {}, {},
                QStringLiteral("broker %1 refused the %2 request: %3 (%4 is not an operator)")
                        .arg(m_settings.brokerAddress(), m_method, why, callerName())});
        return;
    }
    finish({RequestFailed, {}, {}, QStringLiteral("broker %1 refused the %2 request: %3").arg(m_settings.brokerAddress(), m_method, why)});
}

void AdminClient::onMessage(const mqtt::Publish &publish)
{
    if (m_waiting != Waiting::Response || publish.topic != replyTopic()
        || publish.properties.correlationData != m_correlation)
        return; // a late answer to an earlier request that timed out
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(publish.payload, &error);
    const QJsonObject body = document.object();
    if (error.error != QJsonParseError::NoError || !document.isObject() || !body.value(QLatin1String("ok")).isBool()) {
        finish({RequestFailed, {}, {}, QStringLiteral("malformed answer to %1 (not an admin API response)").arg(m_method)});
        return;
    }
    if (body.value(QLatin1String("ok")).toBool()) {
        finish({Success, body.value(QLatin1String("result")).toObject(), {}, {}});
        return;
    }
    const QJsonObject problem = body.value(QLatin1String("error")).toObject();
    const QString code = problem.value(QLatin1String("code")).toString(QStringLiteral("error"));
    // "forbidden" is the API's own "not an operator" (reachable with custom ACLs).
    finish({code == QLatin1String("forbidden") ? AuthenticationFailed : RequestFailed, {}, code,
            problem.value(QLatin1String("message")).toString()});
}

} // namespace hermes::cli
