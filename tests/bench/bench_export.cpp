// bench_export: how long exporting captured messages takes, and how smooth the console
// stays meanwhile. The console's MainWindow runs with its embedded broker; 100,000 messages
// (JSON payloads of ~60 bytes, as telemetry is) are copied and written by an ExportJob on
// its worker thread as the Messages view has it done, once per format.
// A 10 ms precise QTimer on the GUI thread measures its own lateness (as bench_guistall):
// lateness is time the event loop could not run. Prints a summary; never fails on timing.
//
//   QT_QPA_PLATFORM=offscreen bench_export [--messages 100000]
#include "mainwindow.h"
#include "messageexport.h"

#include "engine/local/localengine.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(std::min(values.size() - 1, size_t(p * double(values.size()))));
}

QList<hermes::MessageRecord> syntheticMessages(int count)
{
    QList<hermes::MessageRecord> messages;
    messages.reserve(count);
    const qint64 start = 1'790'000'000'000;
    for (int i = 0; i < count; ++i) {
        hermes::MessageRecord m;
        m.atMs = start + i * 7;
        m.topic = QStringLiteral("telemetry/meter-%1/power").arg(i % 1000, 4, 10, QLatin1Char('0'));
        m.payload = QStringLiteral("{\"watts\": %1, \"voltage\": 229.%2, \"seq\": %3, \"ok\": true}")
                        .arg(100 + i % 900).arg(i % 10).arg(i).toUtf8();
        m.payloadSize = m.payload.size();
        m.qos = hermes::mqtt::QoS(i % 2);
        m.fromClientId = QStringLiteral("meter-%1").arg(i % 1000, 4, 10, QLatin1Char('0'));
        messages.append(m);
    }
    return messages;
}

} // namespace

int main(int argc, char *argv[])
{
    int count = 100'000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--messages") == 0)
            count = std::max(1, std::atoi(argv[i + 1]));
    }
    QApplication app(argc, argv);
    QTemporaryDir scratch; // settings and the exported files
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, scratch.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_export"));

    hermes::BrokerConfig config;
    config.listeners = {hermes::ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    hermes::LocalEngine engine(config);
    hermes::ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1600, 1000);
    window.show();
    engine.start();

    const QList<hermes::MessageRecord> captured = syntheticMessages(count);
    std::printf("bench_export: messages=%d platform=%s\n", count, qPrintable(QGuiApplication::platformName()));

    QElapsedTimer clock;
    clock.start();
    std::vector<double> lateMs;
    bool measuring = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    qint64 lastNs = clock.nsecsElapsed();
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring)
            lateMs.push_back(std::max(0.0, double(now - lastNs) / 1e6 - 10.0));
        lastNs = now;
    });
    probe.start();

    const struct {
        const char *name;
        hermes::ui::MessageExportFormat format;
        const char *suffix;
    } formats[] = {
        {"csv", hermes::ui::MessageExportFormat::Csv, "csv"},
        {"ndjson_text", hermes::ui::MessageExportFormat::NdjsonText, "ndjson"},
        {"ndjson_base64", hermes::ui::MessageExportFormat::NdjsonBase64, "ndjson"},
        {"capture", hermes::ui::MessageExportFormat::Capture, "hcap"},
    };
    // Wait for the broker and the first paints, then measure an idle baseline: on a shared
    // machine the GUI thread is late without any export too.
    {
        QElapsedTimer settle;
        settle.start();
        while (!engine.isRunning() || settle.elapsed() < 1000)
            app.processEvents(QEventLoop::WaitForMoreEvents, 50);
        lateMs.clear();
        measuring = true;
        settle.restart();
        while (settle.elapsed() < 3000)
            app.processEvents(QEventLoop::WaitForMoreEvents, 50);
        measuring = false;
        std::printf("  %-14s %7.2f s  gui_stall_p99_ms=%.1f max_ms=%.1f samples=%zu\n", "idle", 3.0,
                    percentile(lateMs, 0.99), lateMs.empty() ? 0.0 : *std::max_element(lateMs.cbegin(), lateMs.cend()),
                    lateMs.size());
    }
    int exitCode = 0;
    for (const auto &format : formats) {
        lateMs.clear();
        lastNs = clock.nsecsElapsed();
        measuring = true;
        QElapsedTimer elapsed;
        elapsed.start();
        // The snapshot as MessagesView::exportMessages() has it taken: by the worker.
        const QString path = scratch.filePath(QStringLiteral("export.") + QLatin1String(format.suffix));
        hermes::ui::ExportJob job(
            captured.size(),
            [&captured] {
                QList<hermes::MessageRecord> snapshot;
                snapshot.reserve(captured.size());
                for (const hermes::MessageRecord &m : captured)
                    snapshot.append(m);
                return snapshot;
            },
            path, format.format, {});
        double snapshotMs = 0;
        QObject::connect(&job, &hermes::ui::ExportJob::snapshotTaken,
                         [&] { snapshotMs = double(elapsed.nsecsElapsed()) / 1e6; });
        bool done = false;
        QString error;
        QObject::connect(&job, &hermes::ui::ExportJob::finished, [&](bool, const QString &e) {
            done = true;
            error = e;
        });
        job.start();
        while (!done)
            app.processEvents(QEventLoop::WaitForMoreEvents);
        const double seconds = double(elapsed.nsecsElapsed()) / 1e9;
        measuring = false;
        if (!error.isEmpty()) {
            std::fprintf(stderr, "%s: %s\n", format.name, qPrintable(error));
            exitCode = 1;
        }
        std::printf("  %-14s %7.2f s  %6.1f MB  %8.0f msg/s  snapshot_done_at_ms=%.1f gui_stall_p99_ms=%.1f max_ms=%.1f samples=%zu\n",
                    format.name, seconds, double(QFileInfo(path).size()) / 1e6, count / seconds, snapshotMs,
                    percentile(lateMs, 0.99), lateMs.empty() ? 0.0 : *std::max_element(lateMs.cbegin(), lateMs.cend()),
                    lateMs.size());
        std::fflush(stdout);
    }
    engine.stop();
    return exitCode;
}
