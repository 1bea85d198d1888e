#pragma once
/// The broker's MQTT listeners: TCP, plain or TLS (the accepted descriptor is handed over;
/// a TLS connection does its handshake on it, io/tls.h) and Unix-domain sockets. Admitting a
/// connection is the Broker's decision.

#include "../brokerconfig.h"

#include <QList>
#include <QObject>
#include <QSslConfiguration>

#include <memory>
#include <optional>

class QTcpServer;

namespace hermes {

class TlsContext;

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
    /// The TLS listeners' context while they are open.
    const TlsContext *tlsContext() const { return m_tlsContext.get(); }
    QString errorString() const { return m_errorString; }
    /// After open() failed: the address another socket already holds, if that was why.
    std::optional<ListenAddress> addressInUse() const { return m_addressInUse; }

signals:
    /// A TCP client; the receiver owns the descriptor. `tls`: it came to a TLS listener
    /// (sessions from tlsContext()).
    void descriptorAccepted(qintptr descriptor, bool tls);
    /// A Unix-socket client; the receiver owns the descriptor.
    void localDescriptorAccepted(qintptr descriptor);

private:
    bool listenLocal(const QString &path);
    bool fail(const QString &error);

    const BrokerConfig &m_config;
    struct Server {
        QTcpServer *listener; ///< a child of this
        bool tls;
    };
    QList<Server> m_servers;
    QList<QObject *> m_localServers; ///< LocalListeners, children of this
    QString m_errorString;
    std::optional<ListenAddress> m_addressInUse;
    std::shared_ptr<TlsContext> m_tlsContext;
};

} // namespace hermes
