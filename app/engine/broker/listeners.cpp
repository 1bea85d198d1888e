#include "listeners.h"

#include "../io/tls.h"
#include "engine/io/locallistener.h"
#include "engine/io/tcplistener.h"

#include <QCoreApplication>
#include <QFile>
#include <QLoggingCategory>
#include <QSslKey>
#include <QSslSocket>

Q_LOGGING_CATEGORY(lcListeners, "hermes.broker")

namespace hermes {

BrokerListeners::BrokerListeners(const BrokerConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
{
}

BrokerListeners::~BrokerListeners()
{
    close();
}

bool BrokerListeners::fail(const QString &error)
{
    m_errorString = error;
    close();
    return false;
}

bool BrokerListeners::open()
{
    m_errorString.clear();
    m_addressInUse.reset();
    for (const QString &path : std::as_const(m_config.localSockets)) {
        if (!listenLocal(path))
            return false;
    }
    for (const ListenAddress &address : std::as_const(m_config.listeners)) {
        if (address.tls && !m_tlsContext) {
            const std::optional<QSslConfiguration> tls = tlsConfiguration();
            if (!tls)
                return fail(m_errorString);
            QString error;
            m_tlsContext = TlsContext::create(*tls, &error);
            if (!m_tlsContext)
                return fail(error);
        }
        // The connection owns the descriptor (no buffered QTcpSocket), TLS or not.
        auto *server = new TcpListener(this);
        const bool isTls = address.tls;
        connect(server, &TcpListener::descriptorAccepted, this,
                [this, isTls](qintptr descriptor) { emit descriptorAccepted(descriptor, isTls); });
        // A broker restart makes every device reconnect at once; a deep backlog keeps the
        // kernel from refusing them while the event loop catches up.
        server->setListenBacklogSize(1024);
        server->setMaxPendingConnections(1024);
        if (!server->listen(address.host, address.port)) {
            const QString error = QCoreApplication::translate(
                "hermes::Broker", "Cannot listen on %1: %2").arg(address.toString(), server->errorString());
            if (server->serverError() == QAbstractSocket::AddressInUseError)
                m_addressInUse = address;
            delete server;
            return fail(error);
        }
        m_servers.append(Server{server, address.tls});
        qCInfo(lcListeners) << "listening on"
                            << ListenAddress{server->serverAddress(), server->serverPort(), address.tls}.toString();
    }
    return true;
}

bool BrokerListeners::listenLocal(const QString &path)
{
    auto *listener = new LocalListener(this);
    connect(listener, &LocalListener::descriptorAccepted, this, &BrokerListeners::localDescriptorAccepted);
    if (!listener->listenOn(path, m_config.localAdminGroup)) {
        const QString error = QCoreApplication::translate(
            "hermes::Broker", "Cannot listen on %1: %2").arg(QStringLiteral("unix:") + path, listener->problem());
        delete listener;
        return fail(error);
    }
    m_localServers.append(listener);
    qCInfo(lcListeners).noquote() << "listening on unix:" + path;
    return true;
}

void BrokerListeners::close()
{
    for (const Server &server : std::exchange(m_servers, {})) {
        server.listener->close();
        delete server.listener;
    }
    m_tlsContext.reset(); // open connections keep theirs
    for (QObject *listener : std::exchange(m_localServers, {})) {
        const QString path = static_cast<LocalListener *>(listener)->fullServerName();
        delete listener;
        QFile::remove(path);
    }
}

QList<ListenAddress> BrokerListeners::addresses() const
{
    QList<ListenAddress> result;
    for (const Server &server : m_servers)
        result.append(ListenAddress{server.listener->serverAddress(), server.listener->serverPort(), server.tls});
    return result;
}

QStringList BrokerListeners::localSocketPaths() const
{
    QStringList paths;
    for (const QObject *listener : m_localServers)
        paths.append(static_cast<const LocalListener *>(listener)->fullServerName());
    return paths;
}

std::optional<QSslConfiguration> BrokerListeners::tlsConfiguration()
{
    const TlsSettings &settings = m_config.tls;
    if (settings.certificateFile.isEmpty() || settings.keyFile.isEmpty()) {
        m_errorString = QCoreApplication::translate(
            "hermes::Broker", "A TLS listener needs tls_certificate and tls_key");
        return std::nullopt;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(settings.certificateFile, QSsl::Pem);
    if (chain.isEmpty()) {
        m_errorString = QCoreApplication::translate(
            "hermes::Broker", "TLS certificate %1: missing or not a PEM certificate").arg(settings.certificateFile);
        return std::nullopt;
    }
    QFile keyFile(settings.keyFile);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        m_errorString = QCoreApplication::translate(
            "hermes::Broker", "TLS key %1: %2").arg(settings.keyFile, keyFile.errorString());
        return std::nullopt;
    }
    const QByteArray pem = keyFile.readAll();
    QSslKey key(pem, QSsl::Rsa);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Ec);
    if (key.isNull()) {
        m_errorString = QCoreApplication::translate(
            "hermes::Broker", "TLS key %1: not an unencrypted PEM RSA or EC key").arg(settings.keyFile);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    if (!settings.caFile.isEmpty()) {
        const QList<QSslCertificate> authorities = QSslCertificate::fromPath(settings.caFile, QSsl::Pem);
        if (authorities.isEmpty()) {
            m_errorString = QCoreApplication::translate(
                "hermes::Broker", "TLS CA %1: missing or not a PEM certificate").arg(settings.caFile);
            return std::nullopt;
        }
        configuration.setCaCertificates(authorities);
    }
    configuration.setPeerVerifyMode(settings.requireClientCertificate ? QSslSocket::VerifyPeer
                                                                      : QSslSocket::VerifyNone);
    return configuration;
}

} // namespace hermes
