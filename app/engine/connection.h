#pragma once
/// One client socket: bytes ⇄ SessionMachine ⇄ Broker, plus the connection's one timer.

#include "mqtt/sessionmachine.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace hermes {

class Broker;
class Session;

/// A thin adapter (STYLE.md R7): every socket or timer callback ends in apply(actions).
/// Broker-wide decisions are delegated to the Broker, which owns this object.
class Connection : public QObject
{
    Q_OBJECT
public:
    Connection(QTcpSocket *socket, Broker &broker, const mqtt::ServerLimits &limits, QObject *parent);
    ~Connection() override;

    /// Starts the machine (connect timeout) and reads anything already buffered.
    void start();

    /// Executes actions in order; stops at CloseConnection.
    void apply(mqtt::Actions actions);

    mqtt::SessionMachine &machine() { return m_machine; }
    const mqtt::SessionMachine &machine() const { return m_machine; }
    Session *session() const { return m_session; }
    void setSession(Session *session) { m_session = session; }
    QString peerAddress() const { return m_peerAddress; }
    bool isFromLoopback() const { return m_fromLoopback; }
    bool isClosed() const { return m_closed; }

    /// Writes the output held back while the store had uncommitted writes (after a commit).
    void releaseHeldOutput();
    bool hasHeldOutput() const { return !m_heldOutput.isEmpty(); }

private:
    void onReadyRead();
    void onTimeout();
    void onSocketGone();
    void execute(const mqtt::SendPacket &send);
    void close(const mqtt::CloseConnection &close);

    Broker &m_broker;
    QTcpSocket *m_socket;                 ///< child of this
    mqtt::SessionMachine m_machine;
    QTimer m_timer;
    mqtt::TimerKind m_timerKind = mqtt::TimerKind::ConnectTimeout;
    Session *m_session = nullptr;
    QString m_peerAddress;
    bool m_fromLoopback = false;
    QByteArray m_heldOutput; ///< bytes that may only leave once the store committed
    bool m_closed = false;
    int m_applyDepth = 0;
};

} // namespace hermes
