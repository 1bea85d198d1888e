// bench_remoteidle: what an attached console costs a running hermesd (scripts/bench-remote.sh).
//
// Against a hermesd that already holds a fleet (hermesctl simulate), it measures the
// broker's CPU (utime+stime from /proc/PID/stat) for --seconds with no console, then attaches
// a RemoteEngine (the console's real engine) and measures the same window again; then, in a
// window of its own (so the CPU figure is the console's alone), a byte counter subscribed to
// exactly what the engine receives when nothing is published (session stream, v2
// telemetry). Prints one line:
//   RESULT sessions=N snapshot_ms=… baseline_cpu_pct=… attached_cpu_pct=… console_bytes_per_s=…
#include "engine/mqttclient.h"
#include "engine/remote/remoteengine.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <unistd.h>

#include <cstdio>
#include <cstring>

using namespace hermes;

namespace {

/// utime + stime of `pid` in clock ticks, -1 when unreadable.
long long cpuTicks(int pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray text = stat.readAll();
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong(); // fields 14 and 15
}

void waitFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double cpuPercent(int pid, int seconds)
{
    const long long before = cpuTicks(pid);
    QElapsedTimer clock;
    clock.start();
    waitFor(seconds * 1000);
    const long long after = cpuTicks(pid);
    return 100.0 * double(after - before) / double(sysconf(_SC_CLK_TCK)) / (double(clock.elapsed()) / 1000.0);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int port = 1883, pid = 0, seconds = 30;
    QString user, password;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--port")) port = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--pid")) pid = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--seconds")) seconds = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--user")) user = QString::fromLocal8Bit(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--password")) password = QString::fromLocal8Bit(argv[i + 1]);
    }
    if (pid <= 0) {
        std::fprintf(stderr, "usage: bench_remoteidle --port P --pid HERMESD_PID [--seconds S] [--user U --password PW]\n");
        return 2;
    }

    const double baseline = cpuPercent(pid, seconds);

    RemoteEngineOptions options;
    options.port = quint16(port);
    options.userName = user;
    options.password = password.toUtf8();
    RemoteEngine engine(options);
    qsizetype sessions = 0;
    QObject::connect(&engine, &EngineMonitor::telemetry, &engine, [&](const TelemetryBatch &batch) {
        if (batch.full)
            sessions = batch.changedSessions.size();
    });
    QSignalSpy started(&engine, &EngineMonitor::started);
    QSignalSpy failed(&engine, &EngineMonitor::startFailed);
    QElapsedTimer attach;
    attach.start();
    engine.start();
    if (!QTest::qWaitFor([&] { return !started.isEmpty() || !failed.isEmpty(); }, 60000) || started.isEmpty()) {
        std::fprintf(stderr, "attach failed: %s\n", failed.isEmpty() ? "timeout" : qPrintable(failed.first().first().toString()));
        return 1;
    }
    const qint64 snapshotMs = attach.elapsed();
    waitFor(2000); // the snapshot's aftermath settles
    const double attached = cpuPercent(pid, seconds);

    // Counts what the console receives while no application message flows.
    MqttClient counter;
    ClientOptions counterOptions;
    counterOptions.port = quint16(port);
    counterOptions.connect.version = mqtt::ProtocolVersion::V5;
    counterOptions.connect.clientId = QStringLiteral("bench-remoteidle-counter");
    if (!user.isEmpty()) {
        counterOptions.connect.userName = user;
        counterOptions.connect.password = password.toUtf8();
    }
    counter.setOptions(counterOptions);
    counter.setAutoPing(true);
    qint64 bytes = 0, batches = 0;
    QObject::connect(&counter, &MqttClient::connected, &counter, [&] {
        counter.subscribe({{QStringLiteral("$hermes/admin/v2/sessions/events"), {}}, {QStringLiteral("$hermes/admin/v2/telemetry"), {}}});
    });
    QObject::connect(&counter, &MqttClient::messageReceived, &counter, [&](const mqtt::Publish &publish) {
        bytes += publish.payload.size() + publish.topic.size() + 2 + 2 + 3 + 24; // header, length, topic length, content type
        batches += publish.topic.endsWith(QLatin1String("events")) ? 1 : 0;
    });
    counter.connectToBroker();
    waitFor(2000);
    bytes = 0;
    batches = 0;
    waitFor(seconds * 1000);
    std::printf("RESULT sessions=%lld snapshot_ms=%lld baseline_cpu_pct=%.2f attached_cpu_pct=%.2f console_cpu_pct=%.2f "
                "console_bytes_per_s=%.0f event_batches_per_s=%.2f\n",
                qlonglong(sessions), qlonglong(snapshotMs), baseline, attached, attached - baseline,
                double(bytes) / seconds, double(batches) / seconds);
    engine.stop();
    return 0;
}
