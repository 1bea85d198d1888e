#pragma once
/// The client side of TLS for MqttClient: the QSslConfiguration a ClientOptions::Tls
/// describes, and a failed handshake told in words that name what to fix (the CA file, the
/// name, the date, the certificate and key).

#include "engine/mqttclient.h"

#include <QCoreApplication>
#include <QList>
#include <QSsl>
#include <QSslConfiguration>
#include <QSslError>

#include <optional>

namespace hermes {

class ClientTls
{
    Q_DECLARE_TR_FUNCTIONS(hermes::ClientTls)
public:
    /// Reads the CA file (empty: the system's CAs) and the optional client certificate and
    /// key. Nullopt with `error` naming the file when one cannot be read or holds no PEM
    /// certificate or unencrypted key.
    static std::optional<QSslConfiguration> configuration(const ClientOptions::Tls &tls, QString *error);

    /// Why the broker's certificate was refused: "TLS handshake failed: the broker's
    /// certificate is not trusted by CA file /x/ca.pem: …", a name it does not carry, or its
    /// validity dates. `peerName` is the name it had to carry.
    static QString verificationFailure(const QList<QSslError> &errors, const ClientOptions::Tls &tls,
                                       const QString &peerName);

    /// A handshake that failed without a certificate verdict, with the socket's own
    /// explanation.
    static QString handshakeFailure(const QString &socketError);

    /// The broker ended the handshake with a fatal alert: most often it wants a client
    /// certificate, or does not trust the one in `tls`.
    static QString brokerAlert(QSsl::AlertType type, const QString &description, const ClientOptions::Tls &tls);

    /// The client certificate and key could not be used together (they do not match).
    static QString unusableClientCertificate(const ClientOptions::Tls &tls, const QString &socketError);

    /// The broker closed the TCP connection before the handshake finished: most often a
    /// plain MQTT port.
    static QString closedDuringHandshake(const QString &address);

    /// The handshake did not finish within the connect timeout.
    static QString handshakeTimedOut(const QString &address, std::chrono::milliseconds timeout);
};

} // namespace hermes
