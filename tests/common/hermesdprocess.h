#pragma once
/// hermesd as a separate process for tests of the console attached to it: a config with an
/// operator account ("admin") and a device account ("dev"), both with Password, anonymous
/// loopback clients as devices (mosquitto_sub), a local administration socket, and a data directory that survives a
/// restart on the same port. Needs HERMESD_BIN defined by the test's CMake target.

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace hermes::test {

class HermesdProcess
{
public:
    static inline const QString Password = QStringLiteral("s3cret-pass");
    static constexpr int TimeoutMs = 30000;

    ~HermesdProcess() { stop(); }

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
        if (m_config.isEmpty() && !writeConfig())
            return false;
        m_process.start(QStringLiteral(HERMESD_BIN),
                        {QStringLiteral("--config"), m_config, QStringLiteral("--listen"),
                         QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--listen"),
                         QStringLiteral("unix:") + localSocket(), QStringLiteral("--data-dir"),
                         m_dir.filePath(QStringLiteral("data")), QStringLiteral("--log-level"), QStringLiteral("warning")});
        if (!m_process.waitForStarted())
            return fail(QStringLiteral("hermesd did not start"));
        const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
        QByteArray output;
        while (!listening.match(QString::fromUtf8(output)).hasMatch()) {
            if (!m_process.waitForReadyRead(TimeoutMs))
                return fail(QString::fromUtf8(m_process.readAllStandardError()));
            output += m_process.readAllStandardOutput();
        }
        m_port = quint16(listening.match(QString::fromUtf8(output)).captured(1).toUInt());
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
    /// Its local administration socket: this test's user is an operator there (SO_PEERCRED).
    QString localSocket() const { return m_dir.filePath(QStringLiteral("hermesd.sock")); }
    QString error() const { return m_error; }

private:
    bool writeConfig()
    {
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        QProcess hash;
        hash.start(QStringLiteral(HERMESD_BIN), {QStringLiteral("--hash-password")});
        hash.write(Password.toUtf8() + '\n');
        hash.closeWriteChannel();
        if (!hash.waitForFinished(TimeoutMs) || hash.exitCode() != 0)
            return fail(QStringLiteral("hermesd --hash-password failed"));
        const QString passwordHash = QString::fromUtf8(hash.readAllStandardOutput()).trimmed();
        QFile config(m_dir.filePath(QStringLiteral("hermesd.conf")));
        if (!config.open(QIODevice::WriteOnly))
            return fail(config.errorString());
        config.write(QStringLiteral("allow_anonymous loopback\nanonymous_role device\nsys_interval 0\n"
                                    "account admin operator %1\naccount dev device %1\n%2\n")
                         .arg(passwordHash, m_extraConfig)
                         .toUtf8());
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
    QString m_extraConfig;
    QProcess m_process;
    QByteArray m_stderr;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace hermes::test
