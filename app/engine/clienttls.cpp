#include "clienttls.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>

#include <utility>

namespace hermes {

namespace {

/// The file's bytes, or nullopt with "cannot read the CA file X: No such file…".
std::optional<QByteArray> readFile(const QString &path, const QString &what, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = ClientTls::tr("TLS: cannot read the %1 %2: %3").arg(what, path, file.errorString());
        return std::nullopt;
    }
    return file.readAll();
}

std::optional<QList<QSslCertificate>> readCertificates(const QString &path, const QString &what, QString *error)
{
    const std::optional<QByteArray> pem = readFile(path, what, error);
    if (!pem)
        return std::nullopt;
    QList<QSslCertificate> certificates = QSslCertificate::fromData(*pem, QSsl::Pem);
    if (certificates.isEmpty()) {
        *error = ClientTls::tr("TLS: the %1 %2 holds no PEM certificate").arg(what, path);
        return std::nullopt;
    }
    return certificates;
}

/// Errors that say the chain does not lead to a CA this client trusts.
bool isTrustError(QSslError::SslError error)
{
    switch (error) {
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
    case QSslError::CertificateUntrusted:
    case QSslError::CertificateRejected:
    case QSslError::CertificateSignatureFailed:
    case QSslError::UnableToDecryptCertificateSignature:
    case QSslError::UnableToDecodeIssuerPublicKey:
    case QSslError::InvalidCaCertificate:
    case QSslError::PathLengthExceeded:
        return true;
    default:
        return false;
    }
}

/// The names a certificate is valid for: its common name and its DNS and IP alternatives.
QStringList certificateNames(const QSslCertificate &certificate)
{
    QStringList names = certificate.subjectInfo(QSslCertificate::CommonName);
    const auto alternatives = certificate.subjectAlternativeNames();
    for (const QSsl::AlternativeNameEntryType type : {QSsl::DnsEntry, QSsl::IpAddressEntry})
        names += alternatives.values(type);
    names.removeDuplicates();
    return names;
}

} // namespace

std::optional<QSslConfiguration> ClientTls::configuration(const ClientOptions::Tls &tls, QString *error)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    // Never VerifyNone or QueryPeer: a broker whose certificate fails is not talked to.
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    if (!tls.caFile.isEmpty()) {
        const auto authorities = readCertificates(tls.caFile, tr("CA file"), error);
        if (!authorities)
            return std::nullopt;
        configuration.setCaCertificates(*authorities);
    }
    if (tls.certificateFile.isEmpty() != tls.keyFile.isEmpty()) {
        *error = tls.keyFile.isEmpty()
            ? tr("TLS: the client certificate %1 needs its private key file").arg(tls.certificateFile)
            : tr("TLS: the private key %1 needs its client certificate file").arg(tls.keyFile);
        return std::nullopt;
    }
    if (!tls.certificateFile.isEmpty()) {
        const auto chain = readCertificates(tls.certificateFile, tr("client certificate"), error);
        if (!chain)
            return std::nullopt;
        const std::optional<QByteArray> pem = readFile(tls.keyFile, tr("private key"), error);
        if (!pem)
            return std::nullopt;
        QSslKey key(*pem, QSsl::Rsa);
        if (key.isNull())
            key = QSslKey(*pem, QSsl::Ec);
        if (key.isNull()) {
            *error = tr("TLS: the private key %1 is not an unencrypted PEM RSA or EC key").arg(tls.keyFile);
            return std::nullopt;
        }
        configuration.setLocalCertificateChain(*chain);
        configuration.setPrivateKey(key);
    }
    return configuration;
}

QString ClientTls::verificationFailure(const QList<QSslError> &errors, const ClientOptions::Tls &tls,
                                       const QString &peerName)
{
    QStringList problems;
    bool trustReported = false;
    for (const QSslError &error : errors) {
        const QSslCertificate certificate = error.certificate();
        if (isTrustError(error.error())) {
            // One chain problem is one problem, however many links OpenSSL reports.
            if (std::exchange(trustReported, true))
                continue;
            problems += tls.caFile.isEmpty()
                ? tr("the broker's certificate is not trusted by the system's CAs: %1").arg(error.errorString())
                : tr("the broker's certificate is not trusted by CA file %1: %2").arg(tls.caFile, error.errorString());
        } else if (error.error() == QSslError::HostNameMismatch) {
            problems += tr("the broker's certificate does not name %1 (it names %2)")
                            .arg(peerName, certificateNames(certificate).join(QLatin1String(", ")));
        } else if (error.error() == QSslError::CertificateExpired) {
            problems += tr("the broker's certificate expired on %1")
                            .arg(certificate.expiryDate().toUTC().toString(Qt::ISODate));
        } else if (error.error() == QSslError::CertificateNotYetValid) {
            problems += tr("the broker's certificate is not valid before %1")
                            .arg(certificate.effectiveDate().toUTC().toString(Qt::ISODate));
        } else if (error.error() == QSslError::NoPeerCertificate) {
            problems += tr("the broker presented no certificate");
        } else {
            problems += tr("the broker's certificate was refused: %1").arg(error.errorString());
        }
    }
    return handshakeFailure(problems.join(QLatin1String("; ")));
}

QString ClientTls::handshakeFailure(const QString &socketError)
{
    return tr("TLS handshake failed: %1").arg(socketError);
}

QString ClientTls::brokerAlert(QSsl::AlertType type, const QString &description, const ClientOptions::Tls &tls)
{
    switch (type) {
    case QSsl::AlertType::CertificateRequired:
    case QSsl::AlertType::NoCertificate:
        return handshakeFailure(tr("the broker requires a client certificate"));
    case QSsl::AlertType::BadCertificate:
    case QSsl::AlertType::UnsupportedCertificate:
    case QSsl::AlertType::CertificateRevoked:
    case QSsl::AlertType::CertificateExpired:
    case QSsl::AlertType::CertificateUnknown:
    case QSsl::AlertType::UnknownCa:
    case QSsl::AlertType::AccessDenied:
        if (!tls.certificateFile.isEmpty())
            return handshakeFailure(tr("the broker refused the client certificate %1 (%2)").arg(tls.certificateFile, description));
        break;
    default:
        break;
    }
    return handshakeFailure(tr("the broker refused it (%1)").arg(description));
}

QString ClientTls::unusableClientCertificate(const ClientOptions::Tls &tls, const QString &socketError)
{
    return tr("TLS: the client certificate %1 and the private key %2 cannot be used together: %3")
        .arg(tls.certificateFile, tls.keyFile, socketError);
}

QString ClientTls::closedDuringHandshake(const QString &address)
{
    return handshakeFailure(tr("the broker closed the connection (is %1 a TLS listener?)").arg(address));
}

QString ClientTls::handshakeTimedOut(const QString &address, std::chrono::milliseconds timeout)
{
    return handshakeFailure(tr("%1 did not finish it within %2 ms (is it a TLS listener?)").arg(address).arg(timeout.count()));
}

} // namespace hermes
