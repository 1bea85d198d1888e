#pragma once
/// TLS for the broker's MQTT listeners, on the connection's own descriptor: OpenSSL directly
/// rather than QSslSocket, so a TLS connection reads and writes through the same epoll
/// path, shared read buffer and end-of-turn flush as a plain one.

#include <QSslConfiguration>
#include <QString>

#include <memory>
#include <optional>

struct ssl_ctx_st; // SSL_CTX, <openssl/ssl.h> kept out of the header
struct ssl_st;     // SSL
struct bio_method_st; // BIO_METHOD

namespace hermes {

class TlsSession;

/// What every TLS connection of a listener shares: certificate chain, key, client CAs,
/// protocol floor. Built from the QSslConfiguration the broker already validates (one
/// source of truth for the files and their error messages).
class TlsContext : public std::enable_shared_from_this<TlsContext>
{
public:
    /// Null, with `error` set, when OpenSSL refuses the configuration.
    static std::shared_ptr<TlsContext> create(const QSslConfiguration &configuration, QString *error);
    ~TlsContext();
    TlsContext(const TlsContext &) = delete;
    TlsContext &operator=(const TlsContext &) = delete;

    /// A server-side session on an accepted, non-blocking descriptor (not owned). It keeps
    /// this context alive: listeners may close while their connections go on.
    std::unique_ptr<TlsSession> accept(int descriptor) const;

private:
    TlsContext(ssl_ctx_st *context, bio_method_st *socketMethod) : m_context(context), m_socketMethod(socketMethod) {}
    ssl_ctx_st *m_context;
    bio_method_st *m_socketMethod; ///< reads and writes the descriptor without SIGPIPE
};

/// One connection's TLS state. Idle, it keeps no record buffers (SSL_MODE_RELEASE_BUFFERS):
/// most push devices are idle most of the time.
class TlsSession
{
public:
    /// What a call needs before it can go on.
    enum class Status {
        Ok,        ///< done (handshake complete, or bytes moved)
        WantRead,  ///< the descriptor must become readable first
        WantWrite, ///< the descriptor must become writable first
        Closed,    ///< the peer sent close_notify or closed the stream
        Failed,    ///< protocol or system error: errorString() says which
    };
    struct Result {
        Status status;
        qsizetype bytes = 0;
    };

    TlsSession(ssl_st *ssl, std::shared_ptr<const TlsContext> context)
        : m_ssl(ssl), m_context(std::move(context)) {}
    ~TlsSession();
    TlsSession(const TlsSession &) = delete;
    TlsSession &operator=(const TlsSession &) = delete;

    bool isEstablished() const { return m_established; }
    /// Advances the handshake.
    Status handshake();
    /// Decrypted application bytes into `buffer` (at most one record).
    Result read(char *buffer, qsizetype size);
    /// Encrypts and sends a prefix of `data`.
    Result write(const char *data, qsizetype size);
    /// Sends close_notify, without waiting for the peer's.
    void shutdown();
    /// The verified client certificate, or a null one.
    QSslCertificate peerCertificate() const;
    QString errorString() const { return m_error; }

private:
    Status statusOf(int returned);

    ssl_st *m_ssl;
    std::shared_ptr<const TlsContext> m_context; ///< the BIO method m_ssl reads through
    QString m_error;
    bool m_established = false;
};

} // namespace hermes
