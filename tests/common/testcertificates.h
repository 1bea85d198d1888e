#pragma once
/// Certificates for TLS tests, made by the openssl CLI in one directory: CAs (self-signed)
/// and certificates they sign, RSA 2048, valid two days unless asked otherwise. NAME.pem and
/// NAME.key per call.

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>

namespace hermes::test {

class TestCertificates
{
public:
    explicit TestCertificates(QString directory)
        : m_dir(std::move(directory))
    {
    }

    static bool opensslInstalled() { return !QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty(); }

    QString path(const QString &file) const { return m_dir + QLatin1Char('/') + file; }

    /// A self-signed CA: NAME.pem, NAME.key.
    bool makeCa(const QString &name, const QString &commonName)
    {
        return openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                        QStringLiteral("-nodes"), QStringLiteral("-keyout"), name + QStringLiteral(".key"),
                        QStringLiteral("-out"), name + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=") + commonName});
    }

    /// NAME.pem, NAME.key for `commonName`, signed by the CA `ca` (made by makeCa()), with
    /// the subjectAltName `altNames` when given ("DNS:localhost,IP:127.0.0.1"), valid for
    /// `days` from now (-1: expired yesterday).
    bool makeSigned(const QString &name, const QString &ca, const QString &commonName, const QString &altNames = {},
                    int days = 2)
    {
        const QString request = name + QStringLiteral(".csr");
        if (!openssl({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                      QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"), request,
                      QStringLiteral("-subj"), QStringLiteral("/CN=") + commonName}))
            return false;
        QStringList sign{QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), request,
                         QStringLiteral("-CA"), ca + QStringLiteral(".pem"), QStringLiteral("-CAkey"), ca + QStringLiteral(".key"),
                         QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), name + QStringLiteral(".pem"),
                         QStringLiteral("-days"), QString::number(days)};
        if (!altNames.isEmpty()) {
            QFile extensions(path(name + QStringLiteral(".ext")));
            if (!extensions.open(QIODevice::WriteOnly))
                return false;
            extensions.write("subjectAltName=" + altNames.toUtf8() + '\n');
            extensions.close();
            sign << QStringLiteral("-extfile") << extensions.fileName();
        }
        return openssl(sign);
    }

private:
    bool openssl(const QStringList &arguments) const
    {
        QProcess process;
        process.setWorkingDirectory(m_dir);
        process.start(QStringLiteral("openssl"), arguments);
        return process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }

    QString m_dir;
};

} // namespace hermes::test
