// hermesctl against a real hermesd (and a plain mosquitto for the broker without the admin
// API): exit codes, error messages, tables and --json, with mosquitto_sub as the device.
#include "../common/programrun.h"
#include "../common/testmain.h"
#include "table.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include <pwd.h>
#include <unistd.h>

namespace {

using Environment = QHash<QString, QString>; ///< variables to set; a null value unsets

constexpr int ProcessTimeoutMs = 15000;
const QString Password = QStringLiteral("s3cret pass");

using Run = hermes::test::ProgramRun;

/// A port nothing listens on (bound, read, released).
quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

} // namespace

class TestHermesctl : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void tableLayout_data();
    void tableLayout();
    void exitCodes_data();
    void exitCodes();
    void timesOutWithoutAdminApi_data();
    void timesOutWithoutAdminApi();
    void sessionsShowsAndKicksADevice();
    void pushesToADeviceById();
    void devicesTaggedAndListedByTag();
    void retainedListedAndDeleted();
    void pushEncodesProtobuf();
    void pushWaitsSchedulesAndReadsFiles();
    void localSocketRefusalNamesTheGroup();

private:
    Run hermesctl(const QStringList &arguments, const Environment &environment = {},
                  const QByteArray &input = {}) const;
    /// mosquitto_sub as device `id` on its push topic; returns once its subscription shows.
    QProcess *startDevice(const QString &id, const QStringList &extra = {});

    QTemporaryDir m_dir;
    QProcess m_broker;
    quint16 m_port = 0;
    QList<QProcess *> m_devices;
};

Run TestHermesctl::hermesctl(const QStringList &arguments, const Environment &environment,
                             const QByteArray &input) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HERMES_BROKER"), QStringLiteral("127.0.0.1:%1").arg(m_port));
    env.insert(QStringLiteral("HERMES_USER"), QStringLiteral("admin"));
    env.insert(QStringLiteral("HERMES_PASSWORD"), Password);
    for (auto it = environment.cbegin(); it != environment.cend(); ++it) {
        if (it.value().isNull())
            env.remove(it.key());
        else
            env.insert(it.key(), it.value());
    }
    return hermes::test::runProgram(QStringLiteral(HERMESCTL_BIN), arguments, env, input, ProcessTimeoutMs);
}

QProcess *TestHermesctl::startDevice(const QString &id, const QStringList &extra)
{
    auto *device = new QProcess(this);
    m_devices.append(device);
    device->start(QStringLiteral("mosquitto_sub"),
                  QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                              QStringLiteral("-V"), QStringLiteral("mqttv5"), QStringLiteral("-i"), id, QStringLiteral("-q"),
                              QStringLiteral("1"), QStringLiteral("-t"), QStringLiteral("devices/%1/push").arg(id)}
                          + extra);
    if (!device->waitForStarted())
        return nullptr;
    // Subscribed once the broker lists the filter in the session.
    const bool subscribed = QTest::qWaitFor([&] {
        const Run run = hermesctl({QStringLiteral("sessions"), id, QStringLiteral("--json")});
        return run.exitCode == 0 && !run.json().value(QLatin1String("subscriptionFilters")).toArray().isEmpty();
    }, 5000);
    return subscribed ? device : nullptr;
}

void TestHermesctl::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QProcess hash;
    hash.start(QStringLiteral(HERMESD_BIN), {QStringLiteral("--hash-password")});
    hash.write(Password.toUtf8() + '\n');
    hash.closeWriteChannel();
    QVERIFY(hash.waitForFinished(ProcessTimeoutMs));
    QCOMPARE(hash.exitCode(), 0);
    const QString passwordHash = QString::fromUtf8(hash.readAllStandardOutput()).trimmed();

    // An operator, a device account, and anonymous loopback clients (mosquitto_sub) as devices.
    QFile config(m_dir.filePath(QStringLiteral("hermesd.conf")));
    QVERIFY(config.open(QIODevice::WriteOnly));
    // viewer may read its replies but not publish requests; auditor may do both, so the
    // API itself answers "forbidden". Both are device accounts bound to hermesctl's client
    // IDs for them; dev may use only "dev". (No '#' in these lines: the config format cuts a line
    // at its first '#', filters included.)
    config.write(QStringLiteral("allow_anonymous loopback\nanonymous_role device\nsys_interval 0\n"
                                "account admin operator %1\naccount dev device %1\n"
                                "account viewer device %1 client_id=hermesctl-viewer-*\n"
                                "acl user:viewer read $hermes/admin/v1/replies/%c\n"
                                "account auditor device %1 client_id=hermesctl-auditor-*\n"
                                "acl user:auditor read $hermes/admin/v1/replies/%c\n"
                                "acl user:auditor write $hermes/admin/v1/+/+\n")
                         .arg(passwordHash)
                         .toUtf8());
    config.close();

    m_broker.start(QStringLiteral(HERMESD_BIN),
                   {QStringLiteral("--config"), config.fileName(), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                    QStringLiteral("--listen"), QStringLiteral("unix:") + m_dir.filePath(QStringLiteral("hermesd.sock")),
                    QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("--log-level"),
                    QStringLiteral("warning")});
    QVERIFY(m_broker.waitForStarted());
    const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
    QByteArray output;
    while (!listening.match(QString::fromUtf8(output)).hasMatch()) {
        QVERIFY2(m_broker.waitForReadyRead(ProcessTimeoutMs), m_broker.readAllStandardError().constData());
        output += m_broker.readAllStandardOutput();
    }
    m_port = quint16(listening.match(QString::fromUtf8(output)).captured(1).toUInt());
    QVERIFY(m_port != 0);
}

void TestHermesctl::cleanupTestCase()
{
    for (QProcess *device : std::as_const(m_devices)) {
        device->kill();
        device->waitForFinished();
    }
    m_broker.terminate();
    if (!m_broker.waitForFinished(5000))
        m_broker.kill();
}

void TestHermesctl::tableLayout_data()
{
    QTest::addColumn<QList<QStringList>>("rows");
    QTest::addColumn<int>("maximumWidth");
    QTest::addColumn<QString>("expected");
    // Widths come from the widest cell of each column; columns are two spaces apart; the
    // last column is not padded; the numeric column (1) is right-aligned.
    QTest::addRow("widths from content")
            << QList<QStringList>{{QStringLiteral("d1"), QStringLiteral("7"), QStringLiteral("vip")},
                                  {QStringLiteral("device-22"), QStringLiteral("1234"), QStringLiteral("")}}
            << 48
            << QStringLiteral("ID          SEQ  TAGS\n"
                              "d1            7  vip\n"
                              "device-22  1234\n");
    QTest::addRow("long cell elided")
            << QList<QStringList>{{QStringLiteral("abcdefghij"), QStringLiteral("1"), QStringLiteral("x")}}
            << 6
            << QStringLiteral("ID      SEQ  TAGS\n"
                              "abcde\u2026    1  x\n");
    QTest::addRow("newline flattened")
            << QList<QStringList>{{QStringLiteral("a\nb"), QStringLiteral("1"), QStringLiteral("x\ty")}}
            << 48
            << QStringLiteral("ID   SEQ  TAGS\n"
                              "a b    1  x y\n");
}

void TestHermesctl::tableLayout()
{
    QFETCH(QList<QStringList>, rows);
    QFETCH(int, maximumWidth);
    QFETCH(QString, expected);
    hermes::cli::Table table({QStringLiteral("ID"), QStringLiteral("SEQ"), QStringLiteral("TAGS")});
    table.setAlignment(1, hermes::cli::Table::Align::Right);
    table.setMaximumWidth(0, maximumWidth);
    for (const QStringList &row : rows)
        table.addRow(row);
    QCOMPARE(table.toString(), expected);
}

void TestHermesctl::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<Environment>("environment");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stderrContains");

    const QString unreachable = QStringLiteral("127.0.0.1:%1").arg(closedPort());
    QTest::addRow("unreachable broker: 3")
            << QStringList{QStringLiteral("sessions"), QStringLiteral("--broker"), unreachable} << Environment{}
            << 3 << QStringLiteral("hermesctl: cannot reach broker %1: Connection refused").arg(unreachable);
    QTest::addRow("unreachable broker from HERMES_BROKER: 3")
            << QStringList{QStringLiteral("kick"), QStringLiteral("d1")}
            << Environment{{QStringLiteral("HERMES_BROKER"), unreachable}} << 3
            << QStringLiteral("cannot reach broker %1").arg(unreachable);
    QTest::addRow("bad password: 4 (CONNACK 0x86)")
            << QStringList{QStringLiteral("sessions")}
            << Environment{{QStringLiteral("HERMES_PASSWORD"), QStringLiteral("wrong")}} << 4
            << QStringLiteral("refused the credentials");
    QTest::addRow("unknown user: 4")
            << QStringList{QStringLiteral("devices")}
            << Environment{{QStringLiteral("HERMES_USER"), QStringLiteral("mallory")}} << 4
            << QStringLiteral("refused the credentials");
    QTest::addRow("device account: 4 (CONNACK 0x85, hermesctl's client ID is not the device's)")
            << QStringList{QStringLiteral("sessions")}
            << Environment{{QStringLiteral("HERMES_USER"), QStringLiteral("dev")}} << 4
            << QStringLiteral("refused the credentials: Client Identifier not valid");
    QTest::addRow("device that may read replies: 4 (PUBACK 0x87 on the request)")
            << QStringList{QStringLiteral("devices")}
            << Environment{{QStringLiteral("HERMES_USER"), QStringLiteral("viewer")}} << 4
            << QStringLiteral("refused the devices/list request: Not authorized (user \"viewer\" is not an operator)");
    QTest::addRow("device allowed to publish requests: 4 (API error forbidden)")
            << QStringList{QStringLiteral("devices")}
            << Environment{{QStringLiteral("HERMES_USER"), QStringLiteral("auditor")}} << 4
            << QStringLiteral("hermesctl: forbidden: the admin API is for operators");
    QTest::addRow("anonymous device: 4 (SUBACK 0x87)")
            << QStringList{QStringLiteral("sessions")}
            << Environment{{QStringLiteral("HERMES_USER"), QString()}, {QStringLiteral("HERMES_PASSWORD"), QString()}}
            << 4 << QStringLiteral("an anonymous client is not an operator");
    QTest::addRow("--password on the command line: 0")
            << QStringList{QStringLiteral("sessions"), QStringLiteral("--user"), QStringLiteral("admin"),
                           QStringLiteral("--password"), Password}
            << Environment{{QStringLiteral("HERMES_USER"), QString()}, {QStringLiteral("HERMES_PASSWORD"), QString()}}
            << 0 << QString();
    QTest::addRow("unknown client kicked: 1 not-found")
            << QStringList{QStringLiteral("kick"), QStringLiteral("nobody")} << Environment{} << 1
            << QStringLiteral("hermesctl: not-found: client \"nobody\" is not connected");
    QTest::addRow("unknown device removed: 1 not-found")
            << QStringList{QStringLiteral("devices"), QStringLiteral("remove"), QStringLiteral("d9")} << Environment{}
            << 1 << QStringLiteral("hermesctl: not-found: unknown device \"d9\"");
    QTest::addRow("push to an unknown device: 1 not-found")
            << QStringList{QStringLiteral("push"), QStringLiteral("--device"), QStringLiteral("d9"), QStringLiteral("--text"),
                           QStringLiteral("hi")}
            << Environment{} << 1 << QStringLiteral("hermesctl: not-found:");
    QTest::addRow("unknown push report: 1 not-found")
            << QStringList{QStringLiteral("report"), QStringLiteral("nope")} << Environment{} << 1
            << QStringLiteral("hermesctl: not-found: no push \"nope\"");
    QTest::addRow("bad tag expression: 1 bad-request")
            << QStringList{QStringLiteral("devices"), QStringLiteral("--tag"), QStringLiteral("vip &&")} << Environment{}
            << 1 << QStringLiteral("hermesctl: bad-request:");
    QTest::addRow("unknown option: 2") << QStringList{QStringLiteral("sessions"), QStringLiteral("--bogus")}
                                       << Environment{} << 2 << QStringLiteral("bogus");
    QTest::addRow("kick without id: 2") << QStringList{QStringLiteral("kick")} << Environment{} << 2
                                        << QStringLiteral("exactly one client id");
    QTest::addRow("push without target: 2") << QStringList{QStringLiteral("push"), QStringLiteral("--text"), QStringLiteral("x")}
                                            << Environment{} << 2 << QStringLiteral("exactly one target");
    QTest::addRow("push with two targets: 2")
            << QStringList{QStringLiteral("push"), QStringLiteral("--all"), QStringLiteral("--topic"), QStringLiteral("t"),
                           QStringLiteral("--text"), QStringLiteral("x")}
            << Environment{} << 2 << QStringLiteral("exactly one target");
    QTest::addRow("push with invalid JSON: 2 before connecting")
            << QStringList{QStringLiteral("push"), QStringLiteral("--all"), QStringLiteral("--json"), QStringLiteral("{\"a\":")}
            << Environment{{QStringLiteral("HERMES_BROKER"), unreachable}} << 2
            << QStringLiteral("not valid JSON");
    QTest::addRow("bad --broker: 2") << QStringList{QStringLiteral("sessions"), QStringLiteral("--broker"), QStringLiteral("h:x")}
                                     << Environment{} << 2 << QStringLiteral("not HOST:PORT");
    QTest::addRow("bad --at: 2")
            << QStringList{QStringLiteral("push"), QStringLiteral("--all"), QStringLiteral("--text"), QStringLiteral("x"),
                           QStringLiteral("--at"), QStringLiteral("tomorrow")}
            << Environment{} << 2 << QStringLiteral("--at must be");
    QTest::addRow("missing password file: 2")
            << QStringList{QStringLiteral("sessions"), QStringLiteral("--password-file"), QStringLiteral("/nonexistent/pw")}
            << Environment{} << 2 << QStringLiteral("cannot read the password file");
}

void TestHermesctl::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(Environment, environment);
    QFETCH(int, exitCode);
    QFETCH(QString, stderrContains);
    const Run run = hermesctl(arguments, environment);
    QVERIFY2(run.exitCode == exitCode, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(run.exitCode).arg(run.err)));
    QVERIFY2(run.err.contains(stderrContains), qPrintable(run.err));
    if (exitCode == 0)
        QVERIFY2(run.err.isEmpty(), qPrintable(run.err));
}

void TestHermesctl::timesOutWithoutAdminApi_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("stderrContains");
    QTest::addRow("mosquitto: connected, no answer") << QStringLiteral("mosquitto") << QStringLiteral("no answer to sessions/list");
    QTest::addRow("silent TCP server: no CONNACK") << QStringLiteral("silent") << QStringLiteral("no CONNACK");
}

void TestHermesctl::timesOutWithoutAdminApi()
{
    QFETCH(QString, server);
    QFETCH(QString, stderrContains);
    QTcpServer silent;
    QProcess mosquitto;
    quint16 port = 0;
    if (server == QLatin1String("silent")) {
        // Never accept()ed: the kernel completes the handshake, nobody ever answers.
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        port = silent.serverPort();
    } else {
        port = closedPort();
        mosquitto.start(QStringLiteral("mosquitto"), {QStringLiteral("-p"), QString::number(port)});
        QVERIFY(mosquitto.waitForStarted());
        QVERIFY(QTest::qWaitFor([port] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            return probe.waitForConnected(200);
        }, 5000));
    }
    const Run run = hermesctl({QStringLiteral("sessions"), QStringLiteral("--timeout"), QStringLiteral("0.5")},
                              {{QStringLiteral("HERMES_BROKER"), QStringLiteral("127.0.0.1:%1").arg(port)},
                               {QStringLiteral("HERMES_USER"), QString()},
                               {QStringLiteral("HERMES_PASSWORD"), QString()}});
    QVERIFY2(run.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err)));
    QVERIFY2(run.err.contains(stderrContains), qPrintable(run.err));
    if (mosquitto.state() != QProcess::NotRunning) {
        mosquitto.terminate();
        mosquitto.waitForFinished();
    }
}

void TestHermesctl::sessionsShowsAndKicksADevice()
{
    QProcess *device = startDevice(QStringLiteral("sess-1"));
    QVERIFY(device);

    Run run = hermesctl({QStringLiteral("sessions")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.value(0).startsWith(QLatin1String("CLIENT ID")), qPrintable(run.out));
    const QString row = lines.filter(QRegularExpression(QStringLiteral("^sess-1 "))).value(0);
    QVERIFY2(row.contains(QLatin1String(" online ")) && row.contains(QLatin1String(" 5.0 ")), qPrintable(run.out));
    // Aligned: every column starts where its header does.
    QCOMPARE(row.indexOf(QLatin1String(" online ")) + 1, lines.value(0).indexOf(QLatin1String("STATE")));

    run = hermesctl({QStringLiteral("sessions"), QStringLiteral("sess-1")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("devices/sess-1/push")) && run.out.contains(QLatin1String("online since")),
             qPrintable(run.out));

    run = hermesctl({QStringLiteral("sessions"), QStringLiteral("--json"), QStringLiteral("--filter"), QStringLiteral("sess-")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray sessions = run.json().value(QLatin1String("sessions")).toArray();
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(sessions.at(0)[QLatin1String("clientId")].toString(), QStringLiteral("sess-1"));
    QCOMPARE(sessions.at(0)[QLatin1String("online")].toBool(), true);

    run = hermesctl({QStringLiteral("kick"), QStringLiteral("sess-1")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("kicked sess-1\n"));
    // mosquitto_sub reports the administrative DISCONNECT; the session is no longer online.
    QVERIFY(QTest::qWaitFor([&] {
        const Run after = hermesctl({QStringLiteral("sessions"), QStringLiteral("--online"), QStringLiteral("--json")});
        for (const QJsonValue &session : after.json().value(QLatin1String("sessions")).toArray()) {
            if (session[QLatin1String("clientId")].toString() == QLatin1String("sess-1"))
                return false;
        }
        return after.exitCode == 0;
    }, 5000));
    device->kill();
}

void TestHermesctl::pushesToADeviceById()
{
    QProcess *device = startDevice(QStringLiteral("push-1"), {QStringLiteral("-C"), QStringLiteral("1")});
    QVERIFY(device);

    Run run = hermesctl({QStringLiteral("push"), QStringLiteral("--device"), QStringLiteral("push-1"), QStringLiteral("--text"),
                         QStringLiteral("hello device"), QStringLiteral("--raw"), QStringLiteral("--push-id"),
                         QStringLiteral("p-raw-1"), QStringLiteral("--wait")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QLatin1String("p-raw-1")) && run.out.contains(QLatin1String("(settled)")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("\\npush-1 +- +acknowledged "))), qPrintable(run.out));

    QVERIFY(device->waitForFinished(ProcessTimeoutMs));
    QCOMPARE(QString::fromUtf8(device->readAllStandardOutput()), QStringLiteral("hello device\n"));

    run = hermesctl({QStringLiteral("report"), QStringLiteral("p-raw-1"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject report = run.json();
    QCOMPARE(report.value(QLatin1String("pushId")).toString(), QStringLiteral("p-raw-1"));
    QCOMPARE(report.value(QLatin1String("audience")).toInt(), 1);
    QCOMPARE(report.value(QLatin1String("counts"))[QLatin1String("acknowledged")].toInt(), 1);
    QCOMPARE(report.value(QLatin1String("targets"))[0][QLatin1String("device")].toString(), QStringLiteral("push-1"));

    // Without --wait: the push id and audience; the device is offline now, so it waits.
    run = hermesctl({QStringLiteral("push"), QStringLiteral("--device"), QStringLiteral("push-1"), QStringLiteral("--json"),
                     QStringLiteral("{\"title\":\"later\"}"), QStringLiteral("--ttl"), QStringLiteral("60"),
                     QStringLiteral("--output"), QStringLiteral("json")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QString pushId = run.json().value(QLatin1String("pushId")).toString();
    QVERIFY2(!pushId.isEmpty(), qPrintable(run.out));
    QCOMPARE(run.json().value(QLatin1String("audience")).toInt(), 1);

    run = hermesctl({QStringLiteral("report")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(pushId) && run.out.contains(QLatin1String("p-raw-1")), qPrintable(run.out));

    run = hermesctl({QStringLiteral("report"), pushId});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("(in progress)")) && run.out.contains(QLatin1String("TTL 60 s")), qPrintable(run.out));
}

void TestHermesctl::devicesTaggedAndListedByTag()
{
    Run run = hermesctl({QStringLiteral("devices"), QStringLiteral("set"), QStringLiteral("tv-1"), QStringLiteral("--alias"),
                         QStringLiteral("kitchen"), QStringLiteral("--tag"), QStringLiteral("vip,beta")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QLatin1String("kitchen")) && run.out.contains(QLatin1String("Tags:          beta, vip\n")), qPrintable(run.out));
    run = hermesctl({QStringLiteral("devices"), QStringLiteral("set"), QStringLiteral("tv-2"), QStringLiteral("--tag"),
                     QStringLiteral("vip")});
    QCOMPARE(run.exitCode, 0);

    run = hermesctl({QStringLiteral("devices"), QStringLiteral("--tag"), QStringLiteral("vip && !beta")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("\ntv-2 ")) && !run.out.contains(QLatin1String("tv-1")), qPrintable(run.out));

    run = hermesctl({QStringLiteral("push"), QStringLiteral("--tag"), QStringLiteral("vip"), QStringLiteral("--dry-run")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QLatin1String("audience: 2 devices\n")), qPrintable(run.out));

    run = hermesctl({QStringLiteral("devices"), QStringLiteral("set"), QStringLiteral("tv-2"), QStringLiteral("--add-tag"),
                     QStringLiteral("beta"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.json().value(QLatin1String("tags")).toArray().size(), 2);

    run = hermesctl({QStringLiteral("devices"), QStringLiteral("list"), QStringLiteral("--tag"), QStringLiteral("vip && !beta")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("no devices\n"));

    run = hermesctl({QStringLiteral("devices"), QStringLiteral("--alias"), QStringLiteral("kitchen"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray devices = run.json().value(QLatin1String("devices")).toArray();
    QCOMPARE(devices.size(), 1);
    QCOMPARE(devices.at(0)[QLatin1String("id")].toString(), QStringLiteral("tv-1"));
    QCOMPARE(devices.at(0)[QLatin1String("registered")].toBool(), true);

    run = hermesctl({QStringLiteral("devices"), QStringLiteral("remove"), QStringLiteral("tv-1")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("removed device tv-1\n"));
    run = hermesctl({QStringLiteral("devices"), QStringLiteral("remove"), QStringLiteral("tv-1")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("not-found: unknown device \"tv-1\"")), qPrintable(run.err));
}

void TestHermesctl::retainedListedAndDeleted()
{
    for (const QString &topic : {QStringLiteral("news/a"), QStringLiteral("news/b"), QStringLiteral("other/c")}) {
        const Run run = hermesctl({QStringLiteral("push"), QStringLiteral("--topic"), topic, QStringLiteral("--text"),
                                   QStringLiteral("retained on ") + topic, QStringLiteral("--retain")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    }
    Run run = hermesctl({QStringLiteral("retained"), QStringLiteral("--filter"), QStringLiteral("news/#")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QLatin1String("TOPIC ")) && run.out.contains(QLatin1String("retained on news/b"))
                     && !run.out.contains(QLatin1String("other/c")),
             qPrintable(run.out));

    run = hermesctl({QStringLiteral("retained"), QStringLiteral("delete"), QStringLiteral("news/a")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("deleted 1 retained message\n"));
    run = hermesctl({QStringLiteral("retained"), QStringLiteral("delete"), QStringLiteral("news/a")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("not-found")), qPrintable(run.err));

    run = hermesctl({QStringLiteral("retained"), QStringLiteral("delete"), QStringLiteral("--filter"), QStringLiteral("#")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("deleted 2 retained messages\n"));
    run = hermesctl({QStringLiteral("retained"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.json().value(QLatin1String("messages")).toArray().size(), 0);
}

void TestHermesctl::pushEncodesProtobuf()
{
    QFile proto(m_dir.filePath(QStringLiteral("alert.proto")));
    QVERIFY(proto.open(QIODevice::WriteOnly));
    proto.write("syntax = \"proto3\";\npackage demo;\nmessage Alert { int32 level = 1; string text = 2; }\n");
    proto.close();
    // JSON from standard input; level 150 encodes as 08 96 01, text "hi" as 12 02 68 69.
    Run run = hermesctl({QStringLiteral("push"), QStringLiteral("--topic"), QStringLiteral("proto/alert"), QStringLiteral("--file"),
                         QStringLiteral("-"), QStringLiteral("--proto"), proto.fileName(), QStringLiteral("--type"),
                         QStringLiteral("demo.Alert"), QStringLiteral("--retain")},
                        {}, "{\"level\": 150, \"text\": \"hi\"}");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = hermesctl({QStringLiteral("retained"), QStringLiteral("--filter"), QStringLiteral("proto/#"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject message = run.json().value(QLatin1String("messages"))[0].toObject();
    QCOMPARE(message.value(QLatin1String("payloadEncoding")).toString(), QStringLiteral("base64"));
    QCOMPARE(QByteArray::fromBase64(message.value(QLatin1String("payload")).toString().toLatin1()).toHex(' '),
             QByteArray("08 96 01 12 02 68 69"));

    run = hermesctl({QStringLiteral("push"), QStringLiteral("--topic"), QStringLiteral("proto/alert"), QStringLiteral("--json"),
                     QStringLiteral("{\"nope\": 1}"), QStringLiteral("--proto"), proto.fileName(), QStringLiteral("--type"),
                     QStringLiteral("demo.Alert")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("cannot encode the payload as demo.Alert")), qPrintable(run.err));
    hermesctl({QStringLiteral("retained"), QStringLiteral("delete"), QStringLiteral("proto/alert")});
}

void TestHermesctl::pushWaitsSchedulesAndReadsFiles()
{
    Run run = hermesctl({QStringLiteral("devices"), QStringLiteral("set"), QStringLiteral("late-1")});
    QCOMPARE(run.exitCode, 0);

    // The device never connects: --wait gives up after --timeout, prints the report, exits 5.
    run = hermesctl({QStringLiteral("push"), QStringLiteral("--device"), QStringLiteral("late-1"), QStringLiteral("--text"),
                     QStringLiteral("x"), QStringLiteral("--wait"), QStringLiteral("--timeout"), QStringLiteral("0.6")});
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.out.contains(QLatin1String("(in progress)")) && run.out.contains(QLatin1String("pending")), qPrintable(run.out));
    QVERIFY2(run.err.contains(QLatin1String("has not settled within 0.6 s")), qPrintable(run.err));

    // Scheduled 30 s ahead: the broker says when.
    run = hermesctl({QStringLiteral("push"), QStringLiteral("--device"), QStringLiteral("late-1"), QStringLiteral("--text"),
                     QStringLiteral("x"), QStringLiteral("--at"), QStringLiteral("+30"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const double scheduledAtMs = run.json().value(QLatin1String("scheduledAtMs")).toDouble();
    const double expectedMs = double(QDateTime::currentMSecsSinceEpoch() + 30000);
    QVERIFY2(qAbs(scheduledAtMs - expectedMs) < 10000, qPrintable(run.out));

    // A file is sent byte for byte; the retained copy shows the same text.
    QFile file(m_dir.filePath(QStringLiteral("payload.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{\"from\": \"file\"}\n");
    file.close();
    run = hermesctl({QStringLiteral("push"), QStringLiteral("--topic"), QStringLiteral("files/one"), QStringLiteral("--file"),
                     file.fileName(), QStringLiteral("--retain")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = hermesctl({QStringLiteral("retained"), QStringLiteral("--filter"), QStringLiteral("files/#")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("files/one  1      17  {\"from\": \"file\"}")), qPrintable(run.out));
    hermesctl({QStringLiteral("retained"), QStringLiteral("delete"), QStringLiteral("files/one")});
}

HERMES_TEST_GUILESS_MAIN(TestHermesctl)
#include "tst_hermesctl.moc"

/// A user outside the administration socket's group (0660) gets EACCES: hermesctl says which
/// group and how to join it, instead of a bare "Permission denied".
void TestHermesctl::localSocketRefusalNamesTheGroup()
{
    if (::geteuid() != 0)
        HERMES_SKIP("needs root: it runs hermesctl as user nobody, outside the socket's group");
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        HERMES_SKIP("setpriv is not installed (package util-linux)");
    const passwd *nobody = ::getpwnam("nobody");
    QVERIFY(nobody);
    // nobody must reach the socket and the program, and the test's directories are private.
    QTemporaryDir programDir;
    QVERIFY(programDir.isValid());
    const QString program = programDir.filePath(QStringLiteral("hermesctl"));
    QVERIFY(QFile::copy(QStringLiteral(HERMESCTL_BIN), program));
    const auto traversable = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    QVERIFY(QFile::setPermissions(programDir.path(), traversable | QFile::ReadOther));
    QVERIFY(QFile::setPermissions(program, traversable | QFile::ReadOther));
    QVERIFY(QFile::setPermissions(m_dir.path(), traversable));
    const QString socket = m_dir.filePath(QStringLiteral("hermesd.sock"));
    QVERIFY(QFileInfo(socket).permissions().testFlag(QFile::WriteGroup));
    QVERIFY(!QFileInfo(socket).permissions().testFlag(QFile::WriteOther));

    const Run run = hermes::test::runProgram(
            setpriv,
            {QStringLiteral("--reuid=%1").arg(nobody->pw_uid), QStringLiteral("--regid=%1").arg(nobody->pw_gid),
             QStringLiteral("--clear-groups"), program, QStringLiteral("sessions"), QStringLiteral("--broker"),
             QStringLiteral("unix:") + socket},
            QProcessEnvironment::systemEnvironment(), {}, ProcessTimeoutMs);
    QVERIFY2(run.exitCode == 3, qPrintable(QStringLiteral("exit %1: %2").arg(run.exitCode).arg(run.err)));
    const QString group = QFileInfo(socket).group();
    QVERIFY2(run.err.contains(QStringLiteral("%1: permission denied: only members of group %2 may connect here; add nobody "
                                             "to it (sudo adduser nobody %2) and log in again")
                                      .arg(socket, group)),
             qPrintable(run.err));
    // A socket that is not there fails at once with the reason, not after the timeout.
    const Run missing = hermesctl({QStringLiteral("sessions"), QStringLiteral("--timeout"), QStringLiteral("60"),
                                   QStringLiteral("--broker"), QStringLiteral("unix:") + m_dir.filePath(QStringLiteral("gone.sock"))});
    QVERIFY2(missing.exitCode == 3 && missing.err.contains(QLatin1String("gone.sock: No such file or directory")),
             qPrintable(missing.err));
    QFile capture(m_dir.filePath(QStringLiteral("empty.hcap")));
    QVERIFY(capture.open(QIODevice::WriteOnly));
    capture.write(R"({"format":"hermes-capture","version":1})" "\n");
    capture.close();
    const Run replayMissing = hermesctl({QStringLiteral("replay"), QStringLiteral("--timeout"), QStringLiteral("60"),
                                         QStringLiteral("--broker"), QStringLiteral("unix:") + m_dir.filePath(QStringLiteral("gone.sock")),
                                         capture.fileName()});
    QVERIFY2(replayMissing.exitCode == 3 && replayMissing.err.contains(QLatin1String("gone.sock: No such file or directory")),
             qPrintable(replayMissing.err));
    // As root (the owner) the same socket works.
    QCOMPARE(hermesctl({QStringLiteral("sessions"), QStringLiteral("--broker"), QStringLiteral("unix:") + socket},
                       {{QStringLiteral("HERMES_USER"), QString()}, {QStringLiteral("HERMES_PASSWORD"), QString()}})
                     .exitCode,
             0);
}
