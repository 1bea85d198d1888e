#include "connection.h"

#include "engine/broker.h"
#include "connectioncontext.h"
#include "tls.h"

#include <QHostAddress>
#include <QLoggingCategory>
#include <QScopeGuard>

#include <cerrno>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcConnection, "hermes.connection")

namespace hermes {

using namespace mqtt;

namespace {

/// Bounded work per readiness: a client that keeps its socket full cannot starve the others
/// (the notifier is level-triggered and comes back on the next turn).
constexpr int MaxReadsPerWakeUp = 16;

CloseReason closeReasonFor(int error)
{
    return error == ECONNRESET || error == EPIPE ? CloseReason::PeerClosed : CloseReason::SocketError;
}

} // namespace

Connection::Connection(qintptr descriptor, Broker &broker, std::shared_ptr<const ServerLimits> limits,
                       std::unique_ptr<TlsSession> tls)
    : m_broker(broker)
    , m_context(broker.connectionContext())
    , m_gate(broker.durabilityGate())
    , m_machine(std::move(limits))
    , m_tls(std::move(tls))
    , m_descriptor(int(descriptor))
{
    const int flags = ::fcntl(m_descriptor, F_GETFL);
    if (flags >= 0)
        (void)::fcntl(m_descriptor, F_SETFL, flags | O_NONBLOCK);
    // Push traffic is many small packets: Nagle would hold each for up to 40 ms.
    const int one = 1;
    (void)::setsockopt(m_descriptor, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    if (::getpeername(m_descriptor, reinterpret_cast<sockaddr *>(&peer), &length) == 0)
        m_peerAddress = PeerAddress::fromSockaddr(reinterpret_cast<const sockaddr *>(&peer));
    m_context.watch(*this);
}

Connection::Connection(std::unique_ptr<Transport> transport, Broker &broker, std::shared_ptr<const ServerLimits> limits)
    : m_broker(broker)
    , m_context(broker.connectionContext())
    , m_gate(broker.durabilityGate())
    , m_machine(std::move(limits))
    , m_transport(std::move(transport))
    , m_peerAddress(m_transport->peerAddress())
{
}

Connection::~Connection()
{
    m_context.forget(*this);
    closeDescriptor();
}

void Connection::start()
{
    apply(m_machine.start(m_broker.now()));
    if (m_transport && !m_closed)
        m_transport->attach(*this);
}

void Connection::onTransportBytes(QByteArrayView bytes)
{
    if (m_closed)
        return;
    const ConnectionContext::Batch batch(m_context);
    const DurabilityGate::Cause cause(m_gate);
    m_broker.countBytesReceived(bytes.size());
    noteInbound(m_broker.now());
    apply(m_machine.onBytes(bytes, m_broker.now()));
}

void Connection::onTransportClosed(CloseReason why)
{
    if (!m_closed)
        apply(m_machine.socketClosed(why, m_broker.now()));
}

void Connection::onReadable()
{
    if (m_closed || m_descriptor < 0)
        return;
    if (m_tls && !m_tls->isEstablished()) {
        continueHandshake();
        return;
    }
    // Everything this read causes (acks to this client, deliveries to others) is sent once
    // the batch ends, one send() per connection.
    const ConnectionContext::Batch batch(m_context);
    QByteArray own; // only when a nested event loop still parses from the shared buffer
    char *buffer = m_context.acquireReadBuffer();
    const auto release = qScopeGuard([&] {
        if (own.isNull())
            m_context.releaseReadBuffer();
    });
    if (!buffer) {
        own.resize(ConnectionContext::ReadBufferSize);
        buffer = own.data();
    }
    for (int round = 0; round < MaxReadsPerWakeUp && !m_closed; ++round) {
        CloseReason why = CloseReason::PeerClosed;
        const qsizetype received = receive(buffer, ConnectionContext::ReadBufferSize, why);
        if (received > 0) {
            const DurabilityGate::Cause cause(m_gate);
            m_broker.countBytesReceived(received);
            noteInbound(m_broker.now());
            apply(m_machine.onBytes(QByteArrayView(buffer, received), m_broker.now()));
            // Drained: the next recv() would only say EAGAIN. (TLS returns one record at a
            // time, so only the session knows when the socket is empty.)
            if (received < ConnectionContext::ReadBufferSize && !m_tls)
                break;
            continue;
        }
        if (received < 0)
            descriptorGone(why);
        break;
    }
}

qsizetype Connection::receive(char *buffer, qsizetype size, CloseReason &why)
{
    if (m_tls) {
        const TlsSession::Result result = m_tls->read(buffer, size);
        switch (result.status) {
        case TlsSession::Status::Ok:
            return result.bytes;
        case TlsSession::Status::WantRead:
            return 0;
        case TlsSession::Status::WantWrite:
            // Only a renegotiation would want that, and it is refused.
            return 0;
        case TlsSession::Status::Closed:
            why = CloseReason::PeerClosed;
            return -1;
        case TlsSession::Status::Failed:
            qCDebug(lcConnection) << m_peerAddress.toString() << "TLS read failed:" << m_tls->errorString();
            why = CloseReason::SocketError;
            return -1;
        }
    }
    for (;;) {
        const ssize_t received = ::recv(m_descriptor, buffer, size_t(size), 0);
        if (received > 0)
            return received;
        if (received == 0) {
            why = CloseReason::PeerClosed;
            return -1;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        why = closeReasonFor(errno);
        return -1;
    }
}

qsizetype Connection::transmit(QByteArrayView bytes)
{
    if (m_tls) {
        const TlsSession::Result result = m_tls->write(bytes.data(), bytes.size());
        switch (result.status) {
        case TlsSession::Status::Ok:
            return result.bytes;
        case TlsSession::Status::WantRead:
        case TlsSession::Status::WantWrite:
            return 0;
        case TlsSession::Status::Closed:
        case TlsSession::Status::Failed:
            qCDebug(lcConnection) << m_peerAddress.toString() << "TLS send failed:" << m_tls->errorString();
            return -1;
        }
    }
    for (;;) {
        const ssize_t sent = ::send(m_descriptor, bytes.data(), size_t(bytes.size()), MSG_NOSIGNAL);
        if (sent >= 0)
            return sent;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        // The peer is gone (EPIPE, ECONNRESET): the read side sees the same error or end of
        // stream and closes the connection through the machine.
        qCDebug(lcConnection) << m_peerAddress.toString() << "send failed:" << strerror(errno);
        return -1;
    }
}

void Connection::continueHandshake()
{
    switch (m_tls->handshake()) {
    case TlsSession::Status::Ok:
        if (std::exchange(m_waitingWritable, false))
            m_context.watchWritable(*this, false);
        m_broker.onTlsEstablished(*this, m_tls->peerCertificate());
        // The client's first record may already wait in the socket: level-triggered
        // readiness reports it on the next turn.
        break;
    case TlsSession::Status::WantRead:
        if (std::exchange(m_waitingWritable, false))
            m_context.watchWritable(*this, false);
        break;
    case TlsSession::Status::WantWrite:
        if (!std::exchange(m_waitingWritable, true))
            m_context.watchWritable(*this, true);
        break;
    case TlsSession::Status::Closed:
    case TlsSession::Status::Failed:
        m_broker.onTlsHandshakeFailed(*this, m_tls->errorString());
        descriptorGone(CloseReason::SocketError);
        break;
    }
}

void Connection::onWritable()
{
    if (m_tls && !m_tls->isEstablished())
        continueHandshake();
    else
        flushOutput();
}

void Connection::noteInbound(Timestamp now)
{
    const Duration idle = now - lastTrafficAt();
    if (idle >= m_broker.fleet().idleEvidenceGap() && m_session)
        m_broker.onPacketAfterIdle(*this, idle, now);
}

void Connection::onTimeout()
{
    if (!m_closed)
        apply(m_machine.onTimerFired(m_timerKind, m_broker.now()));
}

void Connection::descriptorGone(CloseReason why)
{
    if (m_closed)
        return;
    m_writeFailed = true; // nobody reads what would still be sent
    m_output.clear();
    apply(m_machine.socketClosed(why, m_broker.now()));
}

void Connection::releaseHeldOutput()
{
    if (!m_heldOutput.isEmpty() && !m_closed)
        write(m_heldOutput);
    m_heldOutput.clear();
}

struct Connection::FollowUp {
    std::optional<SubscribeDecision> subscribed; ///< unset: a CONNECT was accepted
};

void Connection::apply(Actions actions)
{
    // An answer's actions run before the rest of the batch that asked, then its follow-up:
    // the order a nested apply() would give, kept on an explicit stack instead. The stack
    // stays empty (no allocation) unless a request was answered.
    struct Answer {
        Actions actions;
        size_t next = 0;
        std::optional<FollowUp> followUp;
    };
    std::vector<Answer> answers;
    size_t next = 0;
    while (!m_closed) {
        Actions &batch = answers.empty() ? actions : answers.back().actions;
        size_t &index = answers.empty() ? next : answers.back().next;
        if (index == batch.size()) {
            if (answers.empty())
                break;
            const std::optional<FollowUp> due = std::move(answers.back().followUp);
            answers.pop_back();
            if (due && !m_closed) {
                if (due->subscribed)
                    m_broker.onSubscribeAnswered(*this, *due->subscribed);
                else
                    m_broker.onConnectAccepted(*this);
            }
            continue;
        }
        std::optional<FollowUp> followUp;
        Actions answer = perform(batch[index++], followUp);
        if (!answer.empty() || followUp)
            answers.push_back(Answer{std::move(answer), 0, std::move(followUp)});
    }
}

Actions Connection::perform(Action &action, std::optional<FollowUp> &followUp)
{
    return std::visit(
        [&](auto &&a) -> Actions {
            using T = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<T, SendPacket>) {
                execute(a);
            } else if constexpr (std::is_same_v<T, ArmTimer>) {
                m_timerKind = a.kind;
                m_context.arm(*this, m_broker.now() + std::max(Duration(0), a.after));
            } else if constexpr (std::is_same_v<T, CancelTimer>) {
                if (m_timerKind == a.kind)
                    m_context.disarm(*this);
            } else if constexpr (std::is_same_v<T, PacketReceived>) {
                m_broker.onPacketReceived(*this, a);
            } else if constexpr (std::is_same_v<T, ConnectRequested>) {
                ConnectDecision decision = m_broker.onConnectRequested(*this, a.connect);
                if (decision.refusal)
                    return m_machine.rejectConnect(*decision.refusal, m_broker.now());
                followUp = FollowUp{};
                return m_machine.acceptConnect(decision.acceptance, std::move(decision.session), m_broker.now());
            } else if constexpr (std::is_same_v<T, SubscribeRequested>) {
                std::optional<SubscribeDecision> decision = m_broker.onSubscribeRequested(*this, a.subscribe);
                if (!decision)
                    return {};
                Actions answer = m_machine.completeSubscribe(a.subscribe.packetId, decision->reasonCodes);
                followUp = FollowUp{std::move(decision)};
                return answer;
            } else if constexpr (std::is_same_v<T, UnsubscribeRequested>) {
                if (const auto codes = m_broker.onUnsubscribeRequested(*this, a.unsubscribe))
                    return m_machine.completeUnsubscribe(a.unsubscribe.packetId, *codes);
            } else if constexpr (std::is_same_v<T, DeliverMessage>) {
                const std::optional<quint16> packetId = a.publish.packetId;
                const std::optional<ReasonCode> ack = m_broker.onMessageFromClient(*this, std::move(a.publish));
                if (ack && packetId)
                    return m_machine.acknowledgeInbound(*packetId, *ack);
            } else if constexpr (std::is_same_v<T, MessageCompleted>) {
                m_broker.onMessageCompleted(*this, a);
            } else if constexpr (std::is_same_v<T, MessageDropped>) {
                m_broker.onMessageDropped(*this, a);
            } else if constexpr (std::is_same_v<T, AuthReceived>) {
                // Enhanced authentication is not offered (no method is advertised), so
                // an AUTH packet is a protocol error [MQTT-4.12.0-1].
                return m_machine.disconnect(ReasonCode::ProtocolError, CloseReason::ProtocolError, m_broker.now());
            } else if constexpr (std::is_same_v<T, CloseConnection>) {
                close(a);
            }
            return {};
        },
        action);
}

void Connection::deliver(QueuedMessage message)
{
    apply(m_machine.publish(std::move(message), m_broker.now()));
}

void Connection::disconnect(ReasonCode reason, CloseReason why)
{
    apply(m_machine.disconnect(reason, why, m_broker.now()));
}

qsizetype Connection::pendingOutputBytes() const
{
    return m_output.size() + m_heldOutput.size() + (m_transport ? m_transport->bytesToWrite() : 0);
}

void Connection::execute(const SendPacket &send)
{
    if (!m_transport && m_descriptor < 0)
        return;
    // A client that stops reading must not make the broker buffer without end. QoS 1/2 are
    // bounded by the in-flight window and the session queue; QoS 0 messages beyond this
    // much unsent output are dropped and counted (what mosquitto's max_queued_bytes does).
    constexpr qsizetype MaxUnsentBytes = 16 * 1024 * 1024;
    if (const auto *publish = std::get_if<Publish>(&send.packet);
        publish && publish->qos == QoS::AtMostOnce && pendingOutputBytes() > MaxUnsentBytes) {
        m_broker.onOutputDropped(*this, send);
        return;
    }
    // The broker records what this packet changes first (e.g. a PUBREL's stage); then the
    // output gate: nothing leaves that promises more than the disk holds — an ack or a
    // forward of a message whose handling wrote to the store, a PUBREL, a persistent
    // session's PUBLISH. Later packets queue behind held ones, so order is kept.
    m_broker.onPacketSent(*this, send);
    m_lastOutboundAt = m_broker.now();
    if (!m_heldOutput.isEmpty() || m_gate.mustHold(send)) {
        if (m_heldOutput.isEmpty())
            m_gate.holdUntilCommit(*this);
        m_heldOutput += send.bytes;
        return;
    }
    write(send.bytes);
}

void Connection::write(const QByteArray &bytes)
{
    if (m_transport) {
        m_transport->write(bytes);
        return;
    }
    if (m_descriptor < 0 || m_writeFailed)
        return;
    // Appending to an empty array shares `bytes` (no copy); the flush at the end of this
    // turn joins what the turn produced into one send().
    m_output += bytes;
    if (!m_waitingWritable)
        m_context.scheduleFlush(*this);
}

void Connection::flushOutput()
{
    if (m_descriptor < 0 || m_output.isEmpty() || (m_tls && !m_tls->isEstablished()))
        return;
    if (m_writeFailed) {
        m_output.clear();
        return;
    }
    qsizetype sent = 0;
    while (sent < m_output.size()) {
        const qsizetype n = transmit(QByteArrayView(m_output).sliced(sent));
        if (n > 0) {
            sent += n;
            continue;
        }
        if (n == 0)
            break;
        m_writeFailed = true;
        m_output.clear();
        return;
    }
    if (sent == m_output.size()) {
        // Released, not kept: an idle connection holds no output buffer.
        m_output = QByteArray();
        if (std::exchange(m_waitingWritable, false))
            m_context.watchWritable(*this, false);
        return;
    }
    // The kernel's send buffer is full (a slow reader): keep the rest and wait until the
    // socket is writable again. Order is kept because write() only appends.
    m_output.remove(0, sent);
    m_context.countBackPressure();
    if (!std::exchange(m_waitingWritable, true))
        m_context.watchWritable(*this, true);
}

void Connection::closeDescriptor()
{
    if (m_descriptor < 0)
        return;
    // Out of the epoll set before the number is released: a new connection may get the
    // same number at once.
    m_context.unwatch(*this);
    m_waitingWritable = false;
    ::close(std::exchange(m_descriptor, -1));
}

void Connection::close(const CloseConnection &close)
{
    m_context.disarm(*this);
    // What was held (a DISCONNECT with its reason, acks) goes out once it is safe: commit
    // now rather than close with it unsent. The commit releases held output only to open
    // connections, so this one counts as closed only afterwards.
    if (!m_heldOutput.isEmpty())
        m_gate.commit();
    m_closed = true;
    m_heldOutput.clear();
    qCDebug(lcConnection) << m_peerAddress.toString() << "closing:" << int(close.reason) << close.detail;
    if (m_descriptor >= 0) {
        // Hand the last bytes (a CONNACK or DISCONNECT explaining the close) to the kernel
        // now: a broker shutting down may not run its event loop again. What a full send
        // buffer does not take is dropped, as mosquitto does.
        flushOutput();
        if (!m_output.isEmpty())
            qCDebug(lcConnection) << m_peerAddress.toString() << "closed with" << m_output.size() << "bytes unsent";
        if (m_tls && !m_writeFailed)
            m_tls->shutdown();
        m_output = QByteArray();
        if (m_flushQueued)
            m_context.forget(*this);
        closeDescriptor();
    } else if (m_transport) {
        // The stream leaves the transport, so deleting the connection cannot cut the flush short.
        m_transport->closeAfterFlush();
    }
    m_broker.onConnectionClosed(*this, close,
                                ClosedConnection{m_machine.takeSession(), m_machine.will(), m_machine.lastInboundAt()});
}

} // namespace hermes
