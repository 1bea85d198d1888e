// hermesctl simulate as a process against a Broker started in the test: the JSON summary
// and the table, progress lines, a fleet on a named network that the broker's analytics
// judge in simulated time, and the exit codes for a bad scenario, a bad command line and a
// broker that is not there.

#include "engine/broker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace hermes;
using namespace std::chrono_literals;

namespace {

struct Result {
    int exitCode = -1;
    QString out;
    QString err;
};

} // namespace

class TestHermesctlSimulate : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void runsScenarioAndPrintsJson();
    void printsTableWithProgress();
    void sourceNetworkIsWhatTheBrokerSees();
    void exitCodes_data();
    void exitCodes();

private:
    /// Runs hermesctl without blocking the event loop (the broker lives on this thread).
    Result run(const QStringList &arguments, int timeoutMs = 20000);
    QString writeScenario(const QString &name, const QString &text);

    QTemporaryDir m_dir;
    std::unique_ptr<Broker> m_broker;
    quint16 m_port = 0;
};

void TestHermesctlSimulate::initTestCase()
{
    QVERIFY(m_dir.isValid());
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.anonymousRole = Role::Operator; // watchers read every device's topics
    m_broker = std::make_unique<Broker>(config);
    QVERIFY2(m_broker->start(), qPrintable(m_broker->errorString()));
    m_port = m_broker->listenAddresses().constFirst().port;
}

Result TestHermesctlSimulate::run(const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral(HERMESCTL_BIN), QStringList{QStringLiteral("simulate")} + arguments);
    Result result;
    if (!process.waitForStarted(5000))
        return result;
    if (finished.isEmpty() && !finished.wait(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QString TestHermesctlSimulate::writeScenario(const QString &name, const QString &text)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(text.toUtf8());
    return path;
}

void TestHermesctlSimulate::runsScenarioAndPrintsJson()
{
    // 3 s real: pushes at 0.5 s, a "restart" (the relay ends every connection) at 1 s.
    const QString path = writeScenario(QStringLiteral("run.scenario"), QStringLiteral(R"(hermes-scenario 1
name cli test
devices 500
id-pattern cli-{index}
heartbeat fixed 10s
nat none
reconnect jitter 1s 5s attempts 10
connect-rate 2000
push-qos 1
signing-key k1 cli-test-signing-key-0123456789abcdef
time-scale 10
duration 30s
at 5s push 2
at 10s broker-restart
)"));
    QVERIFY(!path.isEmpty());
    const Result r = run({QStringLiteral("--scenario"), path, QStringLiteral("--devices"), QStringLiteral("40"),
                          QStringLiteral("--broker"), QStringLiteral("127.0.0.1:%1").arg(m_port),
                          QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString() + r.out));
    QCOMPARE(json.value(QStringLiteral("scenario")).toString(), QStringLiteral("cli test"));
    QVERIFY(json.value(QStringLiteral("finished")).toBool());
    const QJsonObject fleet = json.value(QStringLiteral("fleet")).toObject();
    QCOMPARE(fleet.value(QStringLiteral("devices")).toInt(), 40); // --devices overrides 500
    QCOMPARE(fleet.value(QStringLiteral("connected")).toInt(), 40);
    QCOMPARE(fleet.value(QStringLiteral("reconnectAttempts")).toInteger(), 40); // each came back once
    QCOMPARE(fleet.value(QStringLiteral("connects")).toInteger(), 80);
    QVERIFY(fleet.value(QStringLiteral("allConnectedMs")).toInteger() >= 0);
    const QJsonObject pushes = json.value(QStringLiteral("pushes")).toObject();
    QCOMPARE(pushes.value(QStringLiteral("sent")).toInteger(), 80);
    QCOMPARE(pushes.value(QStringLiteral("delivered")).toInteger(), 80);
    QCOMPARE(pushes.value(QStringLiteral("duplicates")).toInteger(), 0);
    QCOMPARE(pushes.value(QStringLiteral("rejected")).toInteger(), 0);
    QCOMPARE(pushes.value(QStringLiteral("receiptsSent")).toInteger(), 80);
    QCOMPARE(pushes.value(QStringLiteral("arrivalRate")).toDouble(), 1.0);
    const QJsonArray events = json.value(QStringLiteral("events")).toArray();
    QCOMPARE(events.size(), 2);
    QVERIFY2(events.at(1).toString().contains(QStringLiteral("40 connections closed at the relay")),
             qPrintable(events.at(1).toString()));
    QVERIFY(json.value(QStringLiteral("samples")).toArray().size() >= 2);
    // Progress goes to stderr with --json, so stdout stays one JSON document.
    QVERIFY2(r.err.contains(QStringLiteral("connected 40/40")), qPrintable(r.err));
    // The broker saw the devices' receipts come and the fleet go.
    QTRY_COMPARE_WITH_TIMEOUT(int(m_broker->sessions().size()), 0, 5000);
}

void TestHermesctlSimulate::printsTableWithProgress()
{
    const QString path = writeScenario(QStringLiteral("table.scenario"), QStringLiteral(R"(hermes-scenario 1
name table
devices 10
heartbeat smart min 2s max 10s step 2s precision 1s successes 1
nat custom 7s
pong-timeout 1s
reconnect jitter 1s 2s
time-scale 5
duration 60s
)"));
    const Result r = run({QStringLiteral("--scenario"), path, QStringLiteral("--broker"),
                          QStringLiteral("127.0.0.1:%1").arg(m_port), QStringLiteral("--time-scale"), QStringLiteral("20")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    // --time-scale 20 overrides 5: 60 s simulated take 3 s.
    QVERIFY2(r.out.contains(QStringLiteral("x20 (3.0 s)")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("] connected ")), qPrintable(r.out));
    QVERIFY2(QRegularExpression(QStringLiteral("\\ndevices +10 \\(")).match(r.out).hasMatch(), qPrintable(r.out));
    for (const char *row : {"reconnect attempts", "recommended keep-alive", "pushes delivered", "peak RSS"})
        QVERIFY2(r.out.contains(QLatin1String(row)), qPrintable(QLatin1String(row) + QLatin1Char('\n') + r.out));
    // The 7 s NAT swallowed the 8 s probe: dropped mappings and dead links were counted.
    const QRegularExpressionMatch dropped =
            QRegularExpression(QStringLiteral("NAT mappings dropped +(\\d+)")).match(r.out);
    QVERIFY2(dropped.hasMatch() && dropped.captured(1).toInt() >= 10, qPrintable(r.out));
}

void TestHermesctlSimulate::sourceNetworkIsWhatTheBrokerSees()
{
    // A broker that names 127.0.7.0/24 "mobile" and judges its fleet at ×100, as hermesd
    // with `network mobile 127.0.7.0/24` and `network_time_scale 100` does. 40 devices behind
    // a 5-minute NAT heartbeat every 2 to 40 minutes: those under 5 minutes survive their
    // gaps, which bound the timeout from below in the fleet's own seconds.
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.networks.ranges = {{QStringLiteral("mobile"), QStringLiteral("127.0.7.0/24")}};
    config.networks.timeScale = 100;
    Broker broker(config);
    QVERIFY2(broker.start(), qPrintable(broker.errorString()));
    const QString path = writeScenario(QStringLiteral("carrier.scenario"), QStringLiteral(R"(hermes-scenario 1
name carrier
devices 40
heartbeat fixed 120s 40m
nat china-mobile
reconnect jitter 1s 5s attempts 100
connect-rate 1000
time-scale 100
duration 15m
)"));
    const Result r = run({QStringLiteral("--scenario"), path, QStringLiteral("--broker"),
                          QStringLiteral("127.0.0.1:%1").arg(broker.listenAddresses().constFirst().port),
                          QStringLiteral("--source-network"), QStringLiteral("127.0.7.0/24"), QStringLiteral("--json")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("heartbeat")).toString(),
             QStringLiteral("fixed 120 s … fixed 2400 s"));

    const QList<analytics::NetworkReport> reports = broker.fleet().reports();
    QStringList names;
    for (const analytics::NetworkReport &report : reports)
        names << report.network;
    QCOMPARE(names, QStringList{QStringLiteral("mobile")}); // no 127.0/16 group: the relay kept the address
    const analytics::NetworkReport &mobile = reports.constFirst();
    QVERIFY2(mobile.connects >= 40, qPrintable(QString::number(mobile.connects)));
    // Simulated seconds: the shortest heartbeat (120 s) survived, none above the 300 s NAT.
    QVERIFY(mobile.estimate.lowerBound);
    QVERIFY2(*mobile.estimate.lowerBound >= 120s && *mobile.estimate.lowerBound <= 300s,
             qPrintable(QString::number(mobile.estimate.lowerBound->count())));
    // 15 simulated minutes are 0.25 device-hours each, not 9 real seconds' worth.
    QVERIFY2(mobile.deviceHours > 40 * 0.15 && mobile.deviceHours <= 40 * 0.25 * 1.2,
             qPrintable(QString::number(mobile.deviceHours)));
}

void TestHermesctlSimulate::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    const QString good = QStringLiteral("hermes-scenario 1\nduration 1s\n");
    QTest::newRow("help") << QStringList{QStringLiteral("--help")} << 0 << QString();
    QTest::newRow("no scenario") << QStringList{} << 2 << QStringLiteral("--scenario FILE is required");
    QTest::newRow("missing file") << QStringList{QStringLiteral("--scenario"), QStringLiteral("/nonexistent/x.scenario")}
                                  << 2 << QStringLiteral("x.scenario: cannot read");
    QTest::newRow("bad scenario names the line")
            << QStringList{QStringLiteral("--scenario"), QStringLiteral("bad.scenario")} << 2
            << QStringLiteral("bad.scenario:3: unknown key \"devcies\"");
    QTest::newRow("bad device count") << QStringList{QStringLiteral("--scenario"), QStringLiteral("good.scenario"),
                                                     QStringLiteral("--devices"), QStringLiteral("0")}
                                      << 2 << QStringLiteral("--devices");
    QTest::newRow("bad broker") << QStringList{QStringLiteral("--scenario"), QStringLiteral("good.scenario"),
                                               QStringLiteral("--broker"), QStringLiteral("localhost")}
                                << 2 << QStringLiteral("HOST:PORT");
    QTest::newRow("source network outside loopback")
            << QStringList{QStringLiteral("--scenario"), QStringLiteral("good.scenario"), QStringLiteral("--source-network"),
                           QStringLiteral("10.1.0.0/16")}
            << 2 << QStringLiteral("--source-network is a range within 127.0.0.0/8");
    QTest::newRow("source network not a range")
            << QStringList{QStringLiteral("--scenario"), QStringLiteral("good.scenario"), QStringLiteral("--source-network"),
                           QStringLiteral("127.0.1.0")}
            << 2 << QStringLiteral("--source-network is a range");
    QTest::newRow("nobody listens") << QStringList{QStringLiteral("--scenario"), QStringLiteral("good.scenario"),
                                                   QStringLiteral("--broker"), QStringLiteral("DEADPORT")}
                                    << 3 << QStringLiteral("cannot reach");
}

void TestHermesctlSimulate::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const QString good = writeScenario(QStringLiteral("good.scenario"), QStringLiteral("hermes-scenario 1\nduration 1s\n"));
    const QString bad = writeScenario(QStringLiteral("bad.scenario"),
                                      QStringLiteral("hermes-scenario 1\nduration 1s\ndevcies 5\n"));
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        deadPort = probe.serverPort();
    }
    for (QString &argument : arguments) {
        if (argument == QLatin1String("good.scenario"))
            argument = good;
        else if (argument == QLatin1String("bad.scenario"))
            argument = bad;
        else if (argument == QLatin1String("DEADPORT"))
            argument = QStringLiteral("127.0.0.1:%1").arg(deadPort);
    }
    const Result r = run(arguments);
    QCOMPARE(r.exitCode, exitCode);
    if (exitCode == 0)
        QVERIFY2(r.out.contains(QStringLiteral("--time-scale")), qPrintable(r.out));
    else
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
}

int main(int argc, char *argv[])
{
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false\nhermes.broker.info=false"));
    QCoreApplication app(argc, argv);
    TestHermesctlSimulate test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_hermesctl_simulate.moc"
