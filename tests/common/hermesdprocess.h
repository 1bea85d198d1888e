#pragma once
/// hermesd as a separate process for tests of the console attached to it: a config with an
/// operator account ("admin") and a device account ("dev"), both with Password, anonymous
/// loopback clients as devices (mosquitto_sub), a local administration socket, and a data directory that survives a
/// restart on the same port; on request a TLS listener too. Needs HERMESD_BIN defined by the test's CMake target.

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <optional>
#include <utility>

namespace hermes::test {

class HermesdProcess
{
public:
    static inline const QString Password = QStringLiteral("s3cret-pass");
    static constexpr int TimeoutMs = 30000;

    /// A TLS listener on 127.0.0.1 (any free port) beside the plain one.
    struct TlsListener {
        QString certificateFile; ///< PEM
        QString keyFile;         ///< PEM, unencrypted
        /// When set, clients must present a certificate this CA signed, and its common name
        /// is their user name (use_identity_as_username).
        QString clientCaFile;
    };

    ~HermesdProcess() { stop(); }

    /// Takes effect at the next start().
    void setTls(const TlsListener &tls) { m_tls = tls; }
    /// One more account with the same Password; takes effect at the next start().
    void addAccount(const QString &name, const QString &role) { m_extraAccounts.append({name, role}); }
    /// Lines added to the config file (before start()).
    void setExtraConfig(const QString &lines) { m_extraConfig = lines; }
    /// A file in the process's temporary directory (e.g. a secret its config names).
    QString filePath(const QString &name) const { return m_dir.filePath(name); }
    /// What hermesd wrote to standard error so far.
    QByteArray standardError() { return m_stderr += m_process.readAllStandardError(); }

    /// Writes the config (once) and starts hermesd on 127.0.0.1:port (0: any free port);
    /// false with error() when it does not come up.
    bool start(quint16 port = 0)
    {
        if (!writeConfig(port))
            return false;
        QStringList arguments{QStringLiteral("--config"), m_config, QStringLiteral("--data-dir"),
                              m_dir.filePath(QStringLiteral("data")), QStringLiteral("--log-level"), QStringLiteral("warning")};
        // --listen replaces every listener of the file, TLS ones included.
        if (!m_tls)
            arguments << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:%1").arg(port) << QStringLiteral("--listen")
                      << QStringLiteral("unix:") + localSocket();
        m_process.start(QStringLiteral(HERMESD_BIN), arguments);
        if (!m_process.waitForStarted())
            return fail(QStringLiteral("hermesd did not start"));
        // The whole line: a read may end inside the port number.
        const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)\\n"));
        const QRegularExpression listeningTls(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+) \\(TLS\\)"));
        QString output;
        while (!listening.match(output).hasMatch() || (m_tls && !listeningTls.match(output).hasMatch())) {
            if (!m_process.waitForReadyRead(TimeoutMs))
                return fail(QString::fromUtf8(m_process.readAllStandardError()));
            output += QString::fromUtf8(m_process.readAllStandardOutput());
        }
        m_port = quint16(listening.match(output).captured(1).toUInt());
        m_tlsPort = m_tls ? quint16(listeningTls.match(output).captured(1).toUInt()) : 0;
        return m_port != 0;
    }

    /// SIGKILL, as a crash would end it.
    bool kill()
    {
        m_process.kill();
        return m_process.waitForFinished(TimeoutMs);
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
    }

    quint16 port() const { return m_port; }
    /// The TLS listener's port (0 without setTls()).
    quint16 tlsPort() const { return m_tlsPort; }
    /// Its local administration socket: this test's user is an operator there (SO_PEERCRED).
    QString localSocket() const { return m_dir.filePath(QStringLiteral("hermesd.sock")); }
    QString error() const { return m_error; }

private:
    bool writeConfig(quint16 port)
    {
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        if (m_passwordHash.isEmpty()) {
            QProcess hash;
            hash.start(QStringLiteral(HERMESD_BIN), {QStringLiteral("--hash-password")});
            hash.write(Password.toUtf8() + '\n');
            hash.closeWriteChannel();
            if (!hash.waitForFinished(TimeoutMs) || hash.exitCode() != 0)
                return fail(QStringLiteral("hermesd --hash-password failed"));
            m_passwordHash = QString::fromUtf8(hash.readAllStandardOutput()).trimmed();
        }
        QFile config(m_dir.filePath(QStringLiteral("hermesd.conf")));
        if (!config.open(QIODevice::WriteOnly))
            return fail(config.errorString());
        QString text = QStringLiteral("allow_anonymous loopback\nanonymous_role device\nsys_interval 0\n"
                                      "account admin operator %1\naccount dev device %1\n")
                           .arg(m_passwordHash);
        for (const auto &[name, role] : std::as_const(m_extraAccounts))
            text += QStringLiteral("account %1 %2 %3\n").arg(name, role, m_passwordHash);
        if (m_tls) {
            text += QStringLiteral("listener 127.0.0.1:%1\nlistener unix:%2\nlistener_tls 127.0.0.1:0\n"
                                   "tls_certificate %3\ntls_key %4\n")
                        .arg(QString::number(port), localSocket(), m_tls->certificateFile, m_tls->keyFile);
            if (!m_tls->clientCaFile.isEmpty())
                text += QStringLiteral("tls_ca %1\ntls_require_client_certificate true\nuse_identity_as_username true\n")
                            .arg(m_tls->clientCaFile);
        }
        text += m_extraConfig + QLatin1Char('\n');
        config.write(text.toUtf8());
        m_config = config.fileName();
        return true;
    }

    bool fail(const QString &error)
    {
        m_error = error;
        return false;
    }

    QTemporaryDir m_dir;
    QString m_config;
    QString m_passwordHash;
    std::optional<TlsListener> m_tls;
    QList<std::pair<QString, QString>> m_extraAccounts; ///< name, role
    QString m_extraConfig;
    QProcess m_process;
    QByteArray m_stderr;
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
    QString m_error;
};

} // namespace hermes::test
