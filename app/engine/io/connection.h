#pragma once
/// One client socket: bytes ⇄ SessionMachine ⇄ Broker.

#include "peeraddress.h"

#include "mqtt/sessionmachine.h"

#include <memory>


namespace hermes {

class Broker;
class Connection;
class ConnectionContext;
class DurabilityGate;
class Session;
class TlsSession;

/// A byte stream driven by Qt signals: MQTT over WebSocket (io/websockettransport.h). TCP,
/// plain or TLS, is not one of them: those connections own their descriptor and are read in
/// the broker's epoll batch into a shared buffer, with no virtual call and no QObject — it
/// is the benchmark path and the one devices use.
class Transport
{
public:
    virtual ~Transport() = default;
    /// From now on, bytes and the end of the stream go to `connection` (onTransportBytes(),
    /// onTransportClosed()); bytes that arrived before are delivered at once.
    virtual void attach(Connection &connection) = 0;
    virtual void write(const QByteArray &bytes) = 0;
    /// Bytes accepted by write() and not yet handed to the kernel.
    virtual qsizetype bytesToWrite() const = 0;
    /// Sends what is queued, then closes. The stream leaves this object (which may be
    /// deleted at once) and reports nothing more.
    virtual void closeAfterFlush() = 0;
    virtual PeerAddress peerAddress() const = 0;
};

/// A thin adapter (STYLE.md R7): every socket or timer callback ends in apply(actions).
/// Broker-wide decisions are delegated to the Broker, which owns this object.
///
/// TCP connections own their descriptor: readiness comes from the broker's one epoll set,
/// recv() goes into the broker's shared buffer, send() straight to the kernel, and only
/// bytes the kernel did not take are kept until the socket drains. On a TLS listener a
/// TlsSession sits between the descriptor and those calls (io/tls.h). WebSocket
/// connections go through a Transport. Readiness, timers and the end-of-turn flush live in the broker's
/// ConnectionContext.
///
/// Not a QObject (its private part costs ~120 bytes per connection): the broker's
/// ConnectionContext owns every connection and deletes a closed one on the next turn.
class Connection
{
public:
    /// TCP: takes ownership of an accepted, connected descriptor, and of `tls` on a TLS
    /// listener (the handshake runs before the first MQTT byte is read).
    Connection(qintptr descriptor, Broker &broker, std::shared_ptr<const mqtt::ServerLimits> limits,
               std::unique_ptr<TlsSession> tls = nullptr);
    /// Any other stream (TLS, WebSocket).
    Connection(std::unique_ptr<Transport> transport, Broker &broker, std::shared_ptr<const mqtt::ServerLimits> limits);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    /// Starts the machine (connect timeout) and reads anything already buffered.
    void start();

    /// Executes actions in order; stops at CloseConnection. A request the broker answers
    /// (CONNECT, SUBSCRIBE, UNSUBSCRIBE, an inbound QoS 1/2 PUBLISH) has its answer fed to
    /// this connection's machine, and the answer's actions run where the request stood.
    void apply(mqtt::Actions actions);
    /// Sends (or queues) a message routed to this client.
    void deliver(mqtt::QueuedMessage message);
    /// Ends the connection from the server side (v5: DISCONNECT with `reason`).
    void disconnect(mqtt::ReasonCode reason, mqtt::CloseReason why);

    mqtt::SessionMachine &machine() { return m_machine; }
    const mqtt::SessionMachine &machine() const { return m_machine; }
    Session *session() const { return m_session; }
    void setSession(Session *session) { m_session = session; }
    const PeerAddress &peerAddress() const { return m_peerAddress; }
    bool isFromLoopback() const { return m_peerAddress.isLoopback(); }
    bool isClosed() const { return m_closed; }
    /// When a packet last went either way. A NAT that refreshes its mapping on traffic in
    /// both directions has been idle since then; one that refreshes only on the device's
    /// packets, for longer: either way an idle gap counted from here is one the path survived.
    mqtt::Timestamp lastTrafficAt() const { return std::max(m_machine.lastInboundAt(), m_lastOutboundAt); }

    /// Called by the Transport.
    void onTransportBytes(QByteArrayView bytes);
    void onTransportClosed(mqtt::CloseReason why);

    /// Writes the output held back while the store had uncommitted writes (after a commit).
    void releaseHeldOutput();

private:
    friend class ConnectionContext;

    /// What the broker does once its answer to a request has run: announce the accepted
    /// client, or send the retained messages of a SUBSCRIBE.
    struct FollowUp;
    /// Runs one action; returns the actions of the broker's answer when it was a request.
    mqtt::Actions perform(mqtt::Action &action, std::optional<FollowUp> &followUp);
    void onReadable();       ///< descriptor path
    void onWritable();       ///< descriptor path, only while output is pending
    void onTimeout();
    void continueHandshake();
    /// Reads into `buffer` through TLS or straight from the descriptor: bytes read, 0 when
    /// nothing is there now, -1 when the stream ended (`why` says how).
    qsizetype receive(char *buffer, qsizetype size, mqtt::CloseReason &why);
    /// Sends a prefix of `bytes`: bytes taken, 0 when the socket is full, -1 when it failed.
    qsizetype transmit(QByteArrayView bytes);
    void descriptorGone(mqtt::CloseReason why);
    /// Tells the broker's fleet analytics when bytes end an idle gap long enough to be evidence.
    void noteInbound(mqtt::Timestamp now);
    void execute(const mqtt::SendPacket &send);
    /// Bytes accepted for this client that the kernel has not taken yet.
    qsizetype pendingOutputBytes() const;
    void write(const QByteArray &bytes);
    /// Sends what is queued; keeps what the kernel does not take. Never closes.
    void flushOutput();
    void closeDescriptor();
    void close(const mqtt::CloseConnection &close);

    Broker &m_broker;
    ConnectionContext &m_context;
    DurabilityGate &m_gate;
    mqtt::SessionMachine m_machine;
    std::unique_ptr<Transport> m_transport; ///< all but TCP
    std::unique_ptr<TlsSession> m_tls;      ///< TCP on a TLS listener
    int m_descriptor = -1;                ///< TCP only
    QByteArray m_output;                  ///< queued for the next flush / not taken yet
    QByteArray m_heldOutput;              ///< bytes that may only leave once the store committed
    Session *m_session = nullptr;
    PeerAddress m_peerAddress;
    mqtt::Timestamp m_lastOutboundAt{};
    quint64 m_timerTicket = 0;            ///< ConnectionContext's handle, 0 = not armed
    quint32 m_slot = 0;                   ///< index in ConnectionContext's list of connections
    mqtt::TimerKind m_timerKind = mqtt::TimerKind::ConnectTimeout;
    bool m_closed = false;
    bool m_flushQueued = false;           ///< in ConnectionContext's flush list
    bool m_waitingWritable = false;       ///< output waits for the socket to drain
    bool m_writeFailed = false;           ///< send() failed: the read side reports the close
};

} // namespace hermes
