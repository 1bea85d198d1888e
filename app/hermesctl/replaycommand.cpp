// replay: publishes a Hermes capture (the console's Messages → Export → Hermes capture)
// again, with the original timing, faster, or as fast as the broker takes it.
#include "adminshared.h"
#include "commands.h"

#include "engine/mqttclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>
#include <QUuid>

namespace hermes::cli {

namespace {

/// The capture's header names this format (ui/messageexport.h writes it).
constexpr QLatin1StringView CaptureFormat{"hermes-capture"};
constexpr int CaptureVersion = 1;

struct CapturedMessage {
    qint64 atMs = 0;
    mqtt::Publish publish;
};

int usageError(const QString &text)
{
    return admin::usageError(QStringLiteral("replay"), text);
}

/// Reads every line of a capture; an error names the line.
std::optional<QList<CapturedMessage>> readCapture(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QList<CapturedMessage> messages;
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        QJsonParseError parseError;
        const QJsonObject object = QJsonDocument::fromJson(line, &parseError).object();
        if (parseError.error != QJsonParseError::NoError) {
            *error = QStringLiteral("%1:%2: not JSON: %3").arg(path).arg(lineNumber).arg(parseError.errorString());
            return std::nullopt;
        }
        if (lineNumber == 1) {
            if (object.value(QLatin1String("format")).toString() != CaptureFormat) {
                *error = QStringLiteral("%1 is not a Hermes capture (export one from the console's Messages view)").arg(path);
                return std::nullopt;
            }
            if (object.value(QLatin1String("version")).toInt() > CaptureVersion) {
                *error = QStringLiteral("%1 is a newer capture (version %2) than this hermesctl reads (%3)")
                                 .arg(path).arg(object.value(QLatin1String("version")).toInt()).arg(CaptureVersion);
                return std::nullopt;
            }
            continue;
        }
        CapturedMessage message;
        message.atMs = qint64(object.value(QLatin1String("time_ms")).toDouble());
        message.publish.topic = object.value(QLatin1String("topic")).toString();
        const int qos = object.value(QLatin1String("qos")).toInt();
        if (message.publish.topic.isEmpty() || qos < 0 || qos > 2) {
            *error = QStringLiteral("%1:%2: a message needs a topic and a QoS of 0, 1 or 2").arg(path).arg(lineNumber);
            return std::nullopt;
        }
        message.publish.qos = mqtt::QoS(qos);
        message.publish.retain = object.value(QLatin1String("retain")).toBool();
        message.publish.payload = QByteArray::fromBase64(object.value(QLatin1String("payload_base64")).toString().toLatin1());
        const QString contentType = object.value(QLatin1String("content_type")).toString();
        if (!contentType.isEmpty())
            message.publish.properties.contentType = contentType;
        messages.append(message);
    }
    return messages;
}

} // namespace

int runReplayCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Publish the messages of a Hermes capture again, in order."));
    admin::addConnectionOptions(parser);
    parser.addOptions({
            {QStringLiteral("speed"),
             QStringLiteral("Timing: 1 keeps the captured gaps, 10 replays ten times faster, 0 does not wait (default 1)."),
             QStringLiteral("factor"), QStringLiteral("1")},
            {QStringLiteral("fast"), QStringLiteral("Same as --speed 0.")},
            {QStringLiteral("client-id"), QStringLiteral("Client ID to publish as (default hermesctl-replay-<random>)."),
             QStringLiteral("id")},
    });
    parser.addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("A capture (.hcap) exported from the console."));
    if (!parser.parse(arguments))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << "Usage: hermesctl replay [OPTIONS] FILE\n" << parser.helpText().section(QLatin1Char('\n'), 1);
        return Success;
    }
    const QStringList files = parser.positionalArguments(); // parse() took "replay" as the program name
    if (files.size() != 1)
        return usageError(QStringLiteral("name one capture file"));

    ConnectionSettings connection;
    if (const std::optional<int> stop = admin::parseConnection(parser, QStringLiteral("replay"), &connection))
        return *stop;
    const QString broker = connection.brokerAddress();
    bool ok = false;
    const double speed = parser.isSet(QStringLiteral("fast")) ? 0 : parser.value(QStringLiteral("speed")).toDouble(&ok);
    if (!parser.isSet(QStringLiteral("fast")) && (!ok || speed < 0))
        return usageError(QStringLiteral("--speed must be 0 or a positive factor"));

    QString error;
    const std::optional<QList<CapturedMessage>> messages = readCapture(files.first(), &error);
    if (!messages)
        return usageError(error);

    // MQTT 5 keeps the messages' content types.
    const ClientOptions options = connection.clientOptions(
            parser.isSet(QStringLiteral("client-id"))
                    ? parser.value(QStringLiteral("client-id"))
                    : QStringLiteral("hermesctl-replay-") + QUuid::createUuid().toString(QUuid::Id128).left(8));
    MqttClient client(options);

    // Publishing is paced by one single-shot timer towards the next message's due time;
    // QoS 1/2 messages are counted until the broker has acknowledged them all.
    int exitCode = Success;
    qsizetype next = 0;
    int unacknowledged = 0;
    bool allSent = false;
    QElapsedTimer clock;
    QTimer pace;
    pace.setSingleShot(true);
    QTimer deadline;
    deadline.setSingleShot(true);
    QTextStream err(stderr);
    const auto finish = [&](int code) {
        exitCode = code;
        client.disconnectFromBroker();
        QCoreApplication::exit(code);
    };
    // QoS 0 messages get no acknowledgement: a PINGRESP after the last one proves the broker
    // has read them all (MQTT keeps order on a connection), so nothing is lost at exit.
    bool pingSent = false;
    bool drained = false;
    QTimer retryPing;
    retryPing.setSingleShot(true);
    const auto maybeDone = [&] {
        if (!allSent || unacknowledged > 0)
            return;
        if (!drained) {
            if (!pingSent && !(pingSent = client.ping()))
                retryPing.start(100); // an automatic PINGREQ is outstanding: ask after it
            return;
        }
        QTextStream(stdout) << "replayed " << messages->size() << " messages to " << broker << '\n';
        finish(Success);
    };
    QObject::connect(&retryPing, &QTimer::timeout, &client, maybeDone);
    QObject::connect(&client, &MqttClient::pong, &client, [&] {
        if (!pingSent)
            return; // an automatic ping's answer: it proves nothing about later messages
        drained = true;
        maybeDone();
    });
    const auto publishDue = [&] {
        const qint64 firstAt = messages->isEmpty() ? 0 : messages->constFirst().atMs;
        while (next < messages->size()) {
            const CapturedMessage &message = messages->at(next);
            if (speed > 0) {
                const qint64 dueMs = qint64(double(message.atMs - firstAt) / speed);
                if (dueMs > clock.elapsed()) {
                    pace.start(int(dueMs - clock.elapsed()));
                    return;
                }
            }
            const int packetId = client.publish(message.publish);
            if (packetId < 0) {
                err << "hermesctl replay: the broker refused " << message.publish.topic << '\n';
                finish(RequestFailed);
                return;
            }
            if (packetId > 0)
                ++unacknowledged;
            ++next;
        }
        allSent = true;
        maybeDone();
    };
    QObject::connect(&pace, &QTimer::timeout, &client, publishDue);
    QObject::connect(&client, &MqttClient::connected, &client, [&] {
        deadline.stop();
        clock.start();
        publishDue();
    });
    QObject::connect(&client, &MqttClient::published, &client, [&](quint16, mqtt::ReasonCode reasonCode) {
        --unacknowledged;
        if (quint8(reasonCode) >= 0x80)
            err << "hermesctl replay: a message was refused: " << mqtt::reasonCodeName(reasonCode, mqtt::PacketType::Puback) << '\n';
        maybeDone();
    });
    QObject::connect(&client, &MqttClient::disconnected, &client,
                     [&](mqtt::client::CloseReason reason, mqtt::ReasonCode, const QString &detail) {
                         if (reason == mqtt::client::CloseReason::ClientDisconnect)
                             return;
                         err << "hermesctl replay: broker " << broker << ": " << mqtt::client::closeReasonName(reason)
                             << (detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail)) << '\n';
                         QCoreApplication::exit(reason == mqtt::client::CloseReason::ConnectRefused ? AuthenticationFailed
                                                                                                   : Unreachable);
                     });
    QObject::connect(&deadline, &QTimer::timeout, &client, [&] {
        err << "hermesctl replay: no answer from broker " << broker << " within "
            << double(connection.timeout.count()) / 1000.0 << " s\n";
        QCoreApplication::exit(TimedOut);
    });
    deadline.start(connection.timeout + std::chrono::milliseconds(500)); // a backstop for the client's own deadlines
    // From inside the loop: a Unix socket's connect() fails at once, and exit() only ends a
    // running loop.
    QTimer::singleShot(0, &client, [&client] { client.connectToBroker(); });
    const int code = QCoreApplication::exec();
    return code == Success ? exitCode : code;
}

} // namespace hermes::cli
