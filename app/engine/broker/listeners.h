#pragma once
/// The broker's MQTT listeners: plain TCP (the accepted descriptor is handed over), TLS
/// (QSslServer) and Unix-domain sockets. Admitting a connection is the Broker's decision.

#include "../brokerconfig.h"

#include <QList>
#include <QObject>
#include <QSslConfiguration>

#include <optional>

class QTcpServer;

namespace hermes {

class BrokerListeners : public QObject
{
    Q_OBJECT
public:
    /// `config` must outlive this object (the Broker's own).
    explicit BrokerListeners(const BrokerConfig &config, QObject *parent = nullptr);
    ~BrokerListeners() override;

    /// Listens on every configured socket path and address. On failure closes what was
    /// opened and explains in errorString() — e.g. "127.0.0.1:1883: The bound address is
    /// already in use".
    bool open();
    /// Stops listening and removes the socket files.
    void close();
    /// The addresses actually bound (a configured port 0 becomes the real port).
    QList<ListenAddress> addresses() const;
    QStringList localSocketPaths() const;
    /// From BrokerConfig::tls, or nullopt with errorString().
    std::optional<QSslConfiguration> tlsConfiguration();
    QString errorString() const { return m_errorString; }

signals:
    /// A plain TCP client; the receiver owns the descriptor.
    void descriptorAccepted(qintptr descriptor);
    /// A Unix-socket client; the receiver owns the descriptor.
    void localDescriptorAccepted(qintptr descriptor);
    /// TLS clients wait in `server` (nextPendingConnection()).
    void connectionsPending(QTcpServer *server);
    /// A TLS handshake failed; no connection was made.
    void handshakeFailed(const QString &peer, const QString &error);

private:
    bool listenLocal(const QString &path);
    bool fail(const QString &error);

    const BrokerConfig &m_config;
    QList<QTcpServer *> m_servers; ///< children of this
    QList<QObject *> m_localServers; ///< LocalListeners, children of this
    QString m_errorString;
};

} // namespace hermes
