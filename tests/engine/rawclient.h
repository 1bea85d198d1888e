#pragma once
// A test peer that speaks MQTT byte by byte through the protocol codec: for tests that must
// see exact packets, send malformed bytes, or stay silent on purpose.

#include "mqtt/codec.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <optional>

namespace hermes::testing {

class RawClient
{
public:
    explicit RawClient(mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V3_1_1)
        : m_version(version)
    {
    }

    // Every wait runs the event loop (QTest::qWaitFor), because the broker under test
    // lives on the same thread.
    /// From `source` when given (any 127.x.y.z: Linux routes all of 127/8 to lo).
    bool connectTo(quint16 port, const QHostAddress &source = {})
    {
        if (!source.isNull() && !m_socket.bind(source, 0))
            return false;
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, 5000))
            return false;
        m_socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);
        return true;
    }

    /// TLS to 127.0.0.1:`port` with `configuration` (CA, client certificate).
    bool connectEncrypted(quint16 port, const QSslConfiguration &configuration)
    {
        m_socket.setSslConfiguration(configuration);
        m_socket.setPeerVerifyName(QStringLiteral("localhost"));
        m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        return QTest::qWaitFor([this] { return m_socket.isEncrypted(); }, 10000);
    }

    /// A Unix-domain socket at `path`.
    bool connectLocal(const QString &path)
    {
        const int descriptor = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.toLocal8Bit().constData(), sizeof address.sun_path - 1);
        if (descriptor < 0 || ::connect(descriptor, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
            || !m_socket.setSocketDescriptor(descriptor)) {
            if (descriptor >= 0)
                ::close(descriptor);
            return false;
        }
        return true;
    }

    /// CONNECT and wait for CONNACK; returns it (nullopt on timeout or close).
    std::optional<mqtt::Connack> handshake(mqtt::Connect connect)
    {
        connect.version = m_version;
        send(connect);
        const auto packet = waitFor(mqtt::PacketType::Connack);
        if (!packet)
            return std::nullopt;
        return std::get<mqtt::Connack>(*packet);
    }

    void send(const mqtt::Packet &packet) { sendBytes(mqtt::encode(packet, m_version)); }

    void sendBytes(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    /// The next received packet of `type` (earlier packets of other types are kept).
    std::optional<mqtt::Packet> waitFor(mqtt::PacketType type, int timeoutMs = 5000)
    {
        std::optional<mqtt::Packet> found;
        (void)QTest::qWaitFor(
            [&] {
                pump();
                for (qsizetype i = 0; i < m_received.size(); ++i) {
                    if (mqtt::packetType(m_received.at(i)) == type) {
                        found = m_received.takeAt(i);
                        return true;
                    }
                }
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
        return found;
    }

    /// True once the broker closed the connection within the timeout.
    bool waitForClosed(int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [this] {
                pump();
                return m_socket.state() == QAbstractSocket::UnconnectedState;
            },
            timeoutMs);
    }

    /// Whatever arrived so far.
    QList<mqtt::Packet> takeReceived()
    {
        pump();
        return std::exchange(m_received, {});
    }

    QTcpSocket &socket() { return m_socket; }
    QString decodeError() const { return m_decodeError; }

private:
    void pump()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const mqtt::FrameResult frame = mqtt::takeFrame(m_buffer, 256 * 1024 * 1024);
            if (const auto *error = std::get_if<mqtt::DecodeError>(&frame)) {
                m_decodeError = error->detail;
                return;
            }
            const auto *complete = std::get_if<mqtt::Frame>(&frame);
            if (!complete)
                return;
            const mqtt::DecodeResult decoded = mqtt::decodePacket(*complete, m_version);
            const qsizetype size = complete->totalSize;
            if (const auto *packet = std::get_if<mqtt::Packet>(&decoded))
                m_received.append(*packet);
            else
                m_decodeError = std::get<mqtt::DecodeError>(decoded).detail;
            m_buffer.remove(0, size);
        }
    }

    mqtt::ProtocolVersion m_version;
    QSslSocket m_socket; ///< plain unless connectEncrypted()
    QByteArray m_buffer;
    QList<mqtt::Packet> m_received;
    QString m_decodeError;
};

} // namespace hermes::testing
