#pragma once
/// Debian's mosquitto as a test peer: a broker that is not Hermes, started on a loopback port
/// with the configuration a test needs ("user root" keeps it from dropping to the mosquitto
/// user, which could not read the test's files).

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

namespace hermes::test {

/// A loopback port nothing listens on (at the moment of asking).
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

/// mosquitto on 127.0.0.1:port with `extra` configuration lines, killed on destruction.
class Mosquitto
{
public:
    static QString executable()
    {
        return QStandardPaths::findExecutable(QStringLiteral("mosquitto"), {QStringLiteral("/usr/sbin")});
    }
    static bool installed() { return !executable().isEmpty(); }

    Mosquitto(const QTemporaryDir &dir, quint16 port, const QStringList &extra = {})
        : m_dir(dir.path())
        , m_port(port)
        , m_extra(extra)
    {
    }
    ~Mosquitto() { stop(); }

    bool start()
    {
        QFile config(m_dir + QStringLiteral("/mosquitto-%1.conf").arg(m_port));
        if (!config.open(QIODevice::WriteOnly))
            return false;
        QStringList lines{QStringLiteral("listener %1 127.0.0.1").arg(m_port), QStringLiteral("user root")};
        lines += m_extra;
        config.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
        config.close();
        m_process.start(executable(), {QStringLiteral("-c"), config.fileName()});
        if (!m_process.waitForStarted())
            return false;
        return QTest::qWaitFor([this] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            return probe.waitForConnected(200);
        }, 10000);
    }
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished();
    }

private:
    QString m_dir;
    quint16 m_port;
    QStringList m_extra;
    QProcess m_process;
};

} // namespace hermes::test
