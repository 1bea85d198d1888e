#include "tls.h"

#include <QSslCertificate>
#include <QSslKey>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include <sys/socket.h>

namespace hermes {

namespace {

/// OpenSSL's queued errors as one line (and the queue emptied, so the next call starts clean).
QString openSslErrors()
{
    QStringList messages;
    while (const unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        messages.append(QString::fromLatin1(text));
    }
    return messages.join(QStringLiteral("; "));
}

struct X509Deleter {
    void operator()(X509 *certificate) const { X509_free(certificate); }
};
using X509Pointer = std::unique_ptr<X509, X509Deleter>;

X509Pointer toX509(const QSslCertificate &certificate)
{
    const QByteArray der = certificate.toDer();
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    return X509Pointer(d2i_X509(nullptr, &bytes, long(der.size())));
}

/// OpenSSL's own socket BIO writes with write(): a peer that has gone would raise SIGPIPE
/// and kill the broker. This one sends with MSG_NOSIGNAL, like every other write here.
int descriptorOf(BIO *bio)
{
    return int(reinterpret_cast<intptr_t>(BIO_get_data(bio)));
}

bool isTransient(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

int bioWrite(BIO *bio, const char *data, int size)
{
    const ssize_t sent = ::send(descriptorOf(bio), data, size_t(size), MSG_NOSIGNAL);
    BIO_clear_retry_flags(bio);
    if (sent < 0 && isTransient(errno))
        BIO_set_retry_write(bio);
    return int(sent);
}

int bioRead(BIO *bio, char *buffer, int size)
{
    const ssize_t received = ::recv(descriptorOf(bio), buffer, size_t(size), 0);
    BIO_clear_retry_flags(bio);
    if (received < 0 && isTransient(errno))
        BIO_set_retry_read(bio);
    return int(received);
}

long bioControl(BIO *, int command, long, void *)
{
    return command == BIO_CTRL_FLUSH ? 1 : 0; // nothing is buffered in the BIO
}

} // namespace

std::shared_ptr<TlsContext> TlsContext::create(const QSslConfiguration &configuration, QString *error)
{
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    const auto fail = [&](const QString &what) -> std::shared_ptr<TlsContext> {
        *error = what + QStringLiteral(": ") + openSslErrors();
        SSL_CTX_free(context);
        return nullptr;
    };
    if (!context)
        return fail(QStringLiteral("TLS context"));
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    // Partial writes and a moving buffer: the connection hands over its queued output as it
    // is and keeps the rest, exactly as with send().
    SSL_CTX_set_mode(context, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
                                  | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // A device that closes without close_notify is the normal case, not an attack: MQTT frames
    // carry their own lengths, so a truncated stream cannot pass for a complete packet.
    SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
                                     | SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Resumption uses stateless tickets; a server-side cache would grow with every client.
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
    // One TLS 1.3 ticket is enough for a device's next reconnect (OpenSSL sends two).
    SSL_CTX_set_num_tickets(context, 1);

    const QList<QSslCertificate> chain = configuration.localCertificateChain();
    if (chain.isEmpty())
        return fail(QStringLiteral("TLS certificate"));
    X509Pointer leaf = toX509(chain.first());
    if (!leaf || SSL_CTX_use_certificate(context, leaf.get()) != 1)
        return fail(QStringLiteral("TLS certificate"));
    for (qsizetype i = 1; i < chain.size(); ++i) {
        X509Pointer intermediate = toX509(chain.at(i));
        // The context takes ownership of an extra chain certificate.
        if (!intermediate || SSL_CTX_add_extra_chain_cert(context, intermediate.get()) != 1)
            return fail(QStringLiteral("TLS certificate chain"));
        (void)intermediate.release();
    }
    const QByteArray keyDer = configuration.privateKey().toDer();
    const auto *keyBytes = reinterpret_cast<const unsigned char *>(keyDer.constData());
    EVP_PKEY *key = d2i_AutoPrivateKey(nullptr, &keyBytes, long(keyDer.size()));
    const bool keyUsed = key && SSL_CTX_use_PrivateKey(context, key) == 1;
    EVP_PKEY_free(key);
    if (!keyUsed || SSL_CTX_check_private_key(context) != 1)
        return fail(QStringLiteral("TLS key"));

    if (configuration.peerVerifyMode() == QSslSocket::VerifyPeer) {
        X509_STORE *authorities = SSL_CTX_get_cert_store(context);
        for (const QSslCertificate &authority : configuration.caCertificates()) {
            X509Pointer certificate = toX509(authority);
            if (!certificate || X509_STORE_add_cert(authorities, certificate.get()) != 1)
                return fail(QStringLiteral("TLS CA"));
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    BIO_METHOD *socketMethod = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hermes socket");
    if (!socketMethod || !BIO_meth_set_write(socketMethod, bioWrite) || !BIO_meth_set_read(socketMethod, bioRead)
        || !BIO_meth_set_ctrl(socketMethod, bioControl)) {
        BIO_meth_free(socketMethod);
        return fail(QStringLiteral("TLS socket"));
    }
    return std::shared_ptr<TlsContext>(new TlsContext(context, socketMethod));
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_context);
    BIO_meth_free(m_socketMethod);
}

std::unique_ptr<TlsSession> TlsContext::accept(int descriptor) const
{
    SSL *ssl = SSL_new(m_context);
    BIO *socket = BIO_new(m_socketMethod);
    if (!ssl || !socket) {
        BIO_free(socket);
        SSL_free(ssl);
        return nullptr;
    }
    BIO_set_data(socket, reinterpret_cast<void *>(intptr_t(descriptor)));
    BIO_set_init(socket, 1);
    SSL_set_bio(ssl, socket, socket); // the session owns the BIO
    SSL_set_accept_state(ssl);
    return std::make_unique<TlsSession>(ssl, shared_from_this());
}

TlsSession::~TlsSession()
{
    SSL_free(m_ssl);
}

TlsSession::Status TlsSession::statusOf(int returned)
{
    const int code = SSL_get_error(m_ssl, returned);
    switch (code) {
    case SSL_ERROR_NONE:
        return Status::Ok;
    case SSL_ERROR_WANT_READ:
        return Status::WantRead;
    case SSL_ERROR_WANT_WRITE:
        return Status::WantWrite;
    case SSL_ERROR_ZERO_RETURN:
        return Status::Closed;
    case SSL_ERROR_SYSCALL:
        m_error = errno ? QString::fromLocal8Bit(std::strerror(errno)) : QStringLiteral("connection closed");
        ERR_clear_error();
        return errno == 0 || errno == ECONNRESET || errno == EPIPE ? Status::Closed : Status::Failed;
    default:
        m_error = openSslErrors();
        if (m_error.isEmpty())
            m_error = QStringLiteral("TLS error %1").arg(code);
        return Status::Failed;
    }
}

TlsSession::Status TlsSession::handshake()
{
    errno = 0;
    const int returned = SSL_do_handshake(m_ssl);
    if (returned == 1) {
        m_established = true;
        return Status::Ok;
    }
    const Status status = statusOf(returned);
    // A peer that goes away during the handshake never had a connection: a failure.
    return status == Status::Closed ? Status::Failed : status;
}

TlsSession::Result TlsSession::read(char *buffer, qsizetype size)
{
    errno = 0;
    size_t read = 0;
    if (SSL_read_ex(m_ssl, buffer, size_t(size), &read) == 1)
        return {Status::Ok, qsizetype(read)};
    return {statusOf(0), 0};
}

TlsSession::Result TlsSession::write(const char *data, qsizetype size)
{
    errno = 0;
    size_t written = 0;
    if (SSL_write_ex(m_ssl, data, size_t(size), &written) == 1)
        return {Status::Ok, qsizetype(written)};
    return {statusOf(0), 0};
}

void TlsSession::shutdown()
{
    if (m_established)
        (void)SSL_shutdown(m_ssl);
    ERR_clear_error();
}

QSslCertificate TlsSession::peerCertificate() const
{
    X509 *certificate = SSL_get1_peer_certificate(m_ssl);
    if (!certificate)
        return QSslCertificate();
    unsigned char *der = nullptr;
    const int length = i2d_X509(certificate, &der);
    X509_free(certificate);
    if (length <= 0)
        return QSslCertificate();
    QSslCertificate result(QByteArray(reinterpret_cast<const char *>(der), length), QSsl::Der);
    OPENSSL_free(der);
    return result;
}

} // namespace hermes
