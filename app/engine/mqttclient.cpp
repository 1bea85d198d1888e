#include "mqttclient.h"

#include "clienttls.h"

#include <QLoggingCategory>
#include <QFile>
#include <QFileInfo>
#include <QSslSocket>
#include <QTcpSocket>

#include <cerrno>
#include <cstring>

#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

// Debug off by default: the simulator runs 10,000 clients and each packet would log.
Q_LOGGING_CATEGORY(lcClient, "hermes.client", QtInfoMsg)

namespace hermes {

using namespace mqtt::client;

namespace {

template<class... Ts>
struct Overloaded : Ts...
{
    using Ts::operator()...;
};
template<class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

QString submitErrorText(SubmitError error)
{
    switch (error) {
    case SubmitError::None:
        return {};
    case SubmitError::Closed:
        return QStringLiteral("the connection is closed");
    case SubmitError::NoPacketIdentifier:
        return QStringLiteral("all packet identifiers are in use");
    case SubmitError::QueueFull:
        return QStringLiteral("the local queue is full");
    case SubmitError::InvalidTopic:
        return QStringLiteral("invalid topic name or filter");
    case SubmitError::QoSNotSupported:
        return QStringLiteral("QoS above the server's maximum");
    case SubmitError::RetainNotSupported:
        return QStringLiteral("the server does not support retain");
    case SubmitError::PacketTooLarge:
        return QStringLiteral("packet above the server's maximum packet size");
    }
    return {};
}

/// How long a DISCONNECT may take to flush before the socket is dropped anyway.
constexpr int FlushGraceMs = 5000;

} // namespace

QString ClientOptions::address() const
{
    return brokerAddress(host, port, transport == Transport::Tls, localPath);
}

void ClientOptions::setTls(const std::optional<Tls> &settings)
{
    transport = settings ? Transport::Tls : Transport::Tcp;
    tls = settings.value_or(Tls{});
}

MqttClient::MqttClient(QObject *parent)
    : MqttClient(ClientOptions{}, parent)
{
}

MqttClient::MqttClient(ClientOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_timer(this) // a child, so moveToThread() takes it along
{
    m_timer.setSingleShot(true);
    // Coarse: 10,000 clients' keep-alive timers may batch their wake-ups; every deadline is
    // re-checked against the clock, so an early expiry only re-arms.
    m_timer.setTimerType(Qt::CoarseTimer);
    connect(&m_timer, &QTimer::timeout, this, &MqttClient::onTimeout);
}

MqttClient::~MqttClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void MqttClient::setRelay(const QString &host, quint16 port)
{
    m_options.relayHost = host;
    m_options.relayPort = port;
}

void MqttClient::setCredentials(const QString &userName, const QByteArray &password)
{
    m_options.connect.userName = userName.isNull() ? std::nullopt : std::optional(userName);
    m_options.connect.password = password.isNull() ? std::nullopt : std::optional(password);
}

void MqttClient::setConnectProperties(const mqtt::Properties &properties)
{
    m_options.connect.properties = properties;
}

void MqttClient::setAutoPing(bool enabled)
{
    m_options.machine.autoPing = enabled;
    if (m_machine)
        apply(m_machine->setAutoPing(enabled, now()));
}

const mqtt::ClientMachine *MqttClient::machine() const
{
    return m_machine ? &*m_machine : nullptr;
}

const SessionState &MqttClient::session() const
{
    return m_machine ? m_machine->session() : m_session;
}

void MqttClient::connectToBroker()
{
    if (m_machine) // a connection still open ends first, as a socket drop
        apply(m_machine->socketClosed(CloseReason::ClientDisconnect,
                                      QStringLiteral("reconnecting"), now()));
    ++m_generation;

    ClientConfig config = m_options.machine;
    config.reportPackets = config.reportPackets || lcClient().isDebugEnabled();
    m_machine.emplace(m_options.connect, config, std::exchange(m_session, {}));

    m_handshaking = false;
    m_certificateProblem.clear();
    m_brokerAlert.clear();
    QString problem;
    m_socket = createSocket(&problem);
    if (!m_socket) {
        setState(State::Connecting);
        fail(CloseReason::TlsFailed, problem);
        return;
    }
    auto *tls = qobject_cast<QSslSocket *>(m_socket);
    if (tls) {
        // CONNECT waits for the handshake: credentials never travel in the clear.
        connect(tls, &QAbstractSocket::connected, this, [this] { m_handshaking = true; });
        connect(tls, &QSslSocket::encrypted, this, &MqttClient::onSocketConnected);
        connect(tls, &QSslSocket::sslErrors, this, &MqttClient::onTlsErrors);
        connect(tls, &QSslSocket::alertReceived, this,
                [this](QSsl::AlertLevel level, QSsl::AlertType type, const QString &description) {
                    if (level == QSsl::AlertLevel::Fatal)
                        m_brokerAlert = ClientTls::brokerAlert(type, description, m_options.tls);
                });
    } else {
        connect(m_socket, &QAbstractSocket::connected, this, &MqttClient::onSocketConnected);
    }
    connect(m_socket, &QIODevice::readyRead, this, &MqttClient::onReadyRead);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &MqttClient::onSocketError);
    connect(m_socket, &QAbstractSocket::disconnected, this, &MqttClient::onSocketDisconnected);
    if (!m_options.localAddress.isNull())
        m_socket->bind(m_options.localAddress);

    const bool viaRelay = !m_options.relayHost.isEmpty() && m_options.relayPort != 0;
    const QString host = viaRelay ? m_options.relayHost : m_options.host;
    const quint16 port = viaRelay ? m_options.relayPort : m_options.port;
    qCDebug(lcClient).noquote() << m_options.connect.clientId << "connecting to" << host << port
                                << (viaRelay ? "(relay)" : "");
    m_deadlines = {};
    m_deadlines[TcpConnectSlot] = now() + m_options.tcpConnectTimeout;
    reschedule();
    setState(State::Connecting);
    if (!m_options.localPath.isEmpty()) {
        if (connectLocal())
            onSocketConnected();
        return;
    }
    if (tls) {
        // Through the relay too, the certificate must name the broker.
        tls->connectToHostEncrypted(host, port, tlsPeerName());
        return;
    }
    m_socket->connectToHost(host, port, QIODevice::ReadWrite | QIODevice::Unbuffered);
}

namespace {

/// A hermesd's administration socket is open to one group (local_admin_group, 0660), and
/// the packaged service's directory too (/run/hermes, 0750): EACCES there means this user is
/// not in that group, so say which group and how to join.
QString localAccessRefusal(const QString &path)
{
    // The socket itself, or the nearest directory above it this user may see but not search.
    QFileInfo gate(path);
    while (!gate.exists() && !gate.isRoot())
        gate = QFileInfo(gate.absolutePath());
    const QString group = gate.group();
    const passwd *account = ::getpwuid(::geteuid());
    const QString user = account ? QString::fromLocal8Bit(account->pw_name) : QStringLiteral("your user");
    if (group.isEmpty())
        return QStringLiteral("permission denied");
    return QStringLiteral("permission denied: only members of group %1 may connect here; add %2 to it "
                          "(sudo adduser %2 %1) and log in again")
        .arg(group, user);
}

} // namespace

bool MqttClient::connectLocal()
{
    // A QTcpSocket drives any connected stream socket; a local connect() completes (or
    // fails) at once, so there is nothing to wait for.
    const QByteArray path = QFile::encodeName(m_options.localPath);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const int descriptor = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    QString problem;
    if (path.size() >= qsizetype(sizeof address.sun_path)) {
        problem = QStringLiteral("the socket path is too long");
    } else if (descriptor < 0) {
        problem = QString::fromLocal8Bit(std::strerror(errno));
    } else {
        std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
        if (::connect(descriptor, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
            problem = errno == EACCES ? localAccessRefusal(m_options.localPath) : QString::fromLocal8Bit(std::strerror(errno));
        else if (!m_socket->setSocketDescriptor(descriptor, QAbstractSocket::ConnectedState,
                                                QIODevice::ReadWrite | QIODevice::Unbuffered))
            problem = m_socket->errorString();
        else
            return true;
    }
    if (descriptor >= 0)
        ::close(descriptor);
    fail(CloseReason::SocketError, QStringLiteral("%1: %2").arg(m_options.localPath, problem));
    return false;
}

void MqttClient::disconnectFromBroker(mqtt::ReasonCode reason, const mqtt::Properties &properties)
{
    if (m_machine)
        apply(m_machine->disconnect(reason, properties, now()));
}

void MqttClient::abort()
{
    if (m_machine)
        apply(m_machine->socketClosed(CloseReason::SocketError,
                                      QStringLiteral("aborted by the application"), now()));
}

int MqttClient::publish(const QString &topic, const QByteArray &payload, mqtt::QoS qos,
                        bool retain, const mqtt::Properties &properties)
{
    mqtt::Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos;
    p.retain = retain;
    p.properties = properties;
    return publish(p);
}

int MqttClient::publish(const mqtt::Publish &publish)
{
    if (!m_machine)
        return submitted(Submission{0, SubmitError::Closed, {}}, "PUBLISH");
    return submitted(m_machine->publish(publish, now()), "PUBLISH");
}

int MqttClient::subscribe(const QString &filter, mqtt::QoS qos)
{
    mqtt::TopicSubscription subscription;
    subscription.filter = filter;
    subscription.options.maximumQoS = qos;
    return subscribe(QList<mqtt::TopicSubscription>{subscription});
}

int MqttClient::subscribe(const QList<mqtt::TopicSubscription> &subscriptions,
                          const mqtt::Properties &properties)
{
    if (!m_machine)
        return submitted(Submission{0, SubmitError::Closed, {}}, "SUBSCRIBE");
    return submitted(m_machine->subscribe(subscriptions, properties, now()), "SUBSCRIBE");
}

int MqttClient::unsubscribe(const QStringList &filters, const mqtt::Properties &properties)
{
    if (!m_machine)
        return submitted(Submission{0, SubmitError::Closed, {}}, "UNSUBSCRIBE");
    return submitted(m_machine->unsubscribe(filters, properties, now()), "UNSUBSCRIBE");
}

bool MqttClient::ping()
{
    if (!m_machine)
        return false;
    Actions actions = m_machine->ping(now());
    if (actions.empty())
        return false;
    apply(std::move(actions));
    return true;
}

void MqttClient::sendAuth(const mqtt::Auth &auth)
{
    if (m_machine)
        apply(m_machine->sendAuth(auth, now()));
}

// ---- socket and timer callbacks -------------------------------------------------------

void MqttClient::onSocketConnected()
{
    // Small packets (PINGREQ, PUBACK) must not wait for Nagle's algorithm.
    if (m_options.localPath.isEmpty())
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_handshaking = false;
    m_deadlines[TcpConnectSlot].reset();
    reschedule();
    apply(m_machine->start(now()));
}

void MqttClient::onTlsErrors(const QList<QSslError> &errors)
{
    // Not ignored: the socket fails the handshake next, and this says why.
    m_certificateProblem = ClientTls::verificationFailure(errors, m_options.tls, tlsPeerName());
}

void MqttClient::onReadyRead()
{
    if (!m_machine || !m_socket)
        return;
    const QByteArray bytes = m_socket->readAll();
    if (!bytes.isEmpty())
        apply(m_machine->onBytes(bytes, now()));
    // An unbuffered QAbstractSocket that reads end-of-stream resets itself to Unconnected
    // without emitting disconnected() (Qt 6.4 readData): notice the broker's close here.
    if (m_machine && m_socket && m_socket->state() == QAbstractSocket::UnconnectedState)
        onSocketDisconnected();
}

void MqttClient::onSocketError()
{
    if (!m_machine || !m_socket)
        return;
    if (const QString tls = tlsFailure(); !tls.isEmpty()) {
        fail(CloseReason::TlsFailed, tls);
        return;
    }
    if (m_socket->error() == QAbstractSocket::RemoteHostClosedError) {
        onSocketDisconnected();
        return;
    }
    fail(CloseReason::SocketError, m_socket->errorString());
}

QString MqttClient::tlsFailure() const
{
    // Up to the CONNACK, not just to encrypted(): in TLS 1.3 the client's handshake ends
    // before the broker has checked the client's certificate, so a refusal arrives as an
    // alert on the first read.
    const auto *tls = qobject_cast<const QSslSocket *>(m_socket);
    if (!tls || m_state != State::Connecting)
        return {};
    switch (tls->error()) {
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
        if (!m_certificateProblem.isEmpty())
            return m_certificateProblem;
        return !m_brokerAlert.isEmpty() ? m_brokerAlert : ClientTls::handshakeFailure(tls->errorString());
    case QAbstractSocket::SslInvalidUserDataError: // Qt's own check: key and certificate must match
        return ClientTls::unusableClientCertificate(m_options.tls, tls->errorString());
    case QAbstractSocket::RemoteHostClosedError:
        if (!m_brokerAlert.isEmpty())
            return m_brokerAlert;
        return m_handshaking ? ClientTls::closedDuringHandshake(m_options.address()) : QString();
    default:
        return {};
    }
}

QString MqttClient::tlsPeerName() const
{
    return m_options.tls.peerName.isEmpty() ? m_options.host : m_options.tls.peerName;
}

void MqttClient::fail(CloseReason reason, const QString &message)
{
    emit errorOccurred(message);
    if (m_machine) // a slot may have reconnected or closed already
        apply(m_machine->socketClosed(reason, message, now()));
}

void MqttClient::onSocketDisconnected()
{
    if (m_machine)
        apply(m_machine->socketClosed(CloseReason::PeerClosed,
                                      QStringLiteral("connection closed by the broker"), now()));
}

void MqttClient::onTimeout()
{
    m_timerDue.reset();
    const quint64 generation = m_generation;
    const mqtt::Timestamp t = now();
    std::array<bool, TcpConnectSlot + 1> due{};
    for (int slot = 0; slot <= TcpConnectSlot; ++slot) {
        if (m_deadlines[slot] && *m_deadlines[slot] <= t) {
            due[slot] = true;
            m_deadlines[slot].reset();
        }
    }
    for (int slot = 0; slot <= TcpConnectSlot && generation == m_generation && m_machine; ++slot) {
        if (!due[slot])
            continue;
        if (slot == TcpConnectSlot && m_handshaking) {
            fail(CloseReason::TlsFailed, ClientTls::handshakeTimedOut(m_options.address(), m_options.tcpConnectTimeout));
        } else if (slot == TcpConnectSlot) {
            fail(CloseReason::ConnectTimeout, QStringLiteral("TCP connect timed out after %1 ms")
                                                      .arg(m_options.tcpConnectTimeout.count()));
        } else {
            apply(m_machine->onTimerFired(TimerKind(slot), t));
        }
    }
    if (generation == m_generation)
        reschedule();
}

// ---- actions --------------------------------------------------------------------------

void MqttClient::apply(Actions actions)
{
    // A signal handler may reconnect, disconnect or abort while this batch runs; the rest of
    // the batch belongs to a connection that is gone, so it stops (generation check).
    const quint64 generation = m_generation;
    bool timersChanged = false;
    for (Action &action : actions) {
        if (generation != m_generation || !m_machine)
            return;
        std::visit(Overloaded{
                           [&](SendPacket &send) {
                               if (!m_socket)
                                   return;
                               m_socket->write(send.bytes);
                               if (lcClient().isDebugEnabled())
                                   qCDebug(lcClient).noquote() << m_options.connect.clientId << "->"
                                                               << mqtt::describe(send.packet);
                               if (m_options.machine.reportPackets)
                                   emit packetSent(send.packet);
                           },
                           [&](const ArmTimer &arm) {
                               m_deadlines[int(arm.kind)] = now() + arm.after;
                               timersChanged = true;
                           },
                           [&](const CancelTimer &cancel) {
                               m_deadlines[int(cancel.kind)].reset();
                               timersChanged = true;
                           },
                           [&](PacketReceived &received) {
                               qCDebug(lcClient).noquote() << m_options.connect.clientId << "<-"
                                                           << mqtt::describe(received.packet);
                               if (m_options.machine.reportPackets)
                                   emit packetReceived(received.packet);
                           },
                           [&](const Connected &c) {
                               setState(State::Connected);
                               emit connected(c.connack.sessionPresent, c.connack);
                           },
                           [&](const ConnectionRefused &refused) {
                               emit errorOccurred(
                                       tr("The broker refused the connection: %1")
                                               .arg(mqtt::reasonCodeName(refused.reasonCode,
                                                                         mqtt::PacketType::Connack)));
                           },
                           [&](const MessageReceived &m) { emit messageReceived(m.publish); },
                           [&](const PublishCompleted &c) { emit published(c.packetId, c.reasonCode); },
                           [&](const Subscribed &s) { emit subscribed(s.packetId, s.reasonCodes); },
                           [&](const Unsubscribed &u) { emit unsubscribed(u.packetId, u.reasonCodes); },
                           [&](const PongReceived &p) { emit pong(qint64(p.rtt.count())); },
                           [&](const AuthReceived &a) { emit authReceived(a.auth); },
                           [&](const Closed &c) { closed(c); },
                   },
                   action);
    }
    if (timersChanged && generation == m_generation)
        reschedule();
}

void MqttClient::closed(const Closed &c)
{
    ++m_generation;
    m_deadlines = {};
    m_timer.stop();
    m_timerDue.reset();
    // A DISCONNECT we sent must reach the broker (otherwise it publishes the Will); after an
    // error or a timeout the socket is simply dropped.
    const bool flush = c.reason == CloseReason::ClientDisconnect
            || c.reason == CloseReason::ProtocolError || c.reason == CloseReason::ConnectRefused;
    retireSocket(flush);
    m_session = m_machine->takeSession();
    m_machine.reset();
    qCDebug(lcClient).noquote() << m_options.connect.clientId << "closed:" << closeReasonName(c.reason)
                                << c.detail;
    setState(State::Disconnected);
    emit disconnected(c.reason, c.reasonCode.value_or(mqtt::ReasonCode::Success), c.detail);
}

void MqttClient::retireSocket(bool flush)
{
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    if (!socket)
        return;
    socket->disconnect(this);
    if (flush && socket->state() == QAbstractSocket::ConnectedState) {
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost(); // writes what is buffered, then closes
        if (socket->state() == QAbstractSocket::UnconnectedState) {
            socket->deleteLater();
        } else {
            QTimer::singleShot(FlushGraceMs, socket, [socket] {
                socket->abort();
                socket->deleteLater();
            });
        }
        return;
    }
    socket->abort();
    socket->deleteLater();
}

void MqttClient::reschedule()
{
    // QTimer::start() and stop() cost O(number of timers in the thread) in Qt's timer list,
    // which with 10,000 clients dominated the profile. So the timer is only restarted when
    // a deadline moves EARLIER than the pending expiry; a later or cancelled deadline lets
    // the timer fire early, and onTimeout() then finds nothing due and re-arms once.
    std::optional<mqtt::Timestamp> earliest;
    for (const auto &deadline : m_deadlines) {
        if (deadline && (!earliest || *deadline < *earliest))
            earliest = deadline;
    }
    if (!earliest)
        return;
    if (m_timer.isActive() && m_timerDue && *m_timerDue <= *earliest)
        return;
    const auto wait = std::max<qint64>(0, (*earliest - now()).count());
    m_timer.start(int(std::min<qint64>(wait, std::numeric_limits<int>::max())));
    m_timerDue = earliest;
}

int MqttClient::submitted(Submission submission, const char *what)
{
    if (!submission.ok()) {
        emit errorOccurred(tr("%1 refused: %2")
                                   .arg(QLatin1String(what), submitErrorText(submission.error)));
        return -1;
    }
    const int packetId = submission.packetId;
    apply(std::move(submission.actions));
    return packetId;
}

void MqttClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

QTcpSocket *MqttClient::createSocket(QString *problem)
{
    if (!m_options.localPath.isEmpty()) // the kernel vouches for a Unix socket's peer
        return new QTcpSocket(this);
    switch (m_options.transport) {
    case ClientOptions::Transport::Tcp:
        break;
    case ClientOptions::Transport::Tls: {
        // Read before connecting: a missing file is the operator's to fix, not the network's.
        const std::optional<QSslConfiguration> configuration = ClientTls::configuration(m_options.tls, problem);
        if (!configuration)
            return nullptr;
        auto *socket = new QSslSocket(this);
        socket->setSslConfiguration(*configuration);
        return socket;
    }
    }
    return new QTcpSocket(this);
}

mqtt::Timestamp MqttClient::now()
{
    return std::chrono::duration_cast<mqtt::Timestamp>(
            std::chrono::steady_clock::now().time_since_epoch());
}

} // namespace hermes
