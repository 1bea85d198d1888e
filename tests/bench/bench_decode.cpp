// Protobuf decode benchmark (goal: >= 200k small messages per second on one core).
// Plain executable (no QtTest); one thread; prints a Markdown table for docs/BENCHMARKS.md.
// Every timed loop runs for a fixed time budget, so it takes a few seconds whatever the
// machine. Usage: bench_decode [budget-ms per row, default 1000] [only rows containing TEXT]
#include "schema/payloadinterpreter.h"
#include "schema/rawdecoder.h"
#include "schema/schemaregistry.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <ctime>
#include <functional>

using namespace hermes::schema;

namespace {

QString cpuModel()
{
    QFile info(QStringLiteral("/proc/cpuinfo"));
    if (!info.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    for (const QByteArray &line : info.readAll().split('\n')) {
        if (line.startsWith("model name"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    }
    return QStringLiteral("unknown");
}

struct Row {
    QString what;
    qsizetype bytes = 0;
    double perCpuSecond = 0; ///< messages per second of this thread's CPU time
    double perWallSecond = 0;
};

qint64 threadCpuNs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

/// Runs `body` in batches until `budgetNs` of this thread's CPU time is spent. The machine
/// is shared with builds: CPU time is what one core delivers, wall time what was left to us.
Row measure(const QString &what, qsizetype bytes, qint64 budgetNs, const std::function<int()> &body)
{
    if (budgetNs <= 0)
        return Row{what, bytes, 0, 0};
    // Warm-up: caches, the factory's prototypes, the name tables.
    for (int i = 0; i < 200; ++i)
        body();
    QElapsedTimer wall;
    wall.start();
    const qint64 cpuStart = threadCpuNs();
    qint64 messages = 0;
    int sink = 0;
    while (threadCpuNs() - cpuStart < budgetNs) {
        for (int i = 0; i < 64; ++i)
            sink += body();
        messages += 64;
    }
    const qint64 cpu = threadCpuNs() - cpuStart;
    const qint64 elapsed = wall.nsecsElapsed();
    if (sink == 42) // keeps the work observable
        std::fputs("", stderr);
    return Row{what, bytes, double(messages) * 1e9 / double(cpu), double(messages) * 1e9 / double(elapsed)};
}

QByteArray mustEncode(const SchemaRegistry &registry, const QString &type, const QString &json)
{
    const EncodeResult encoded = registry.encodeJson(type, json);
    if (!encoded.ok())
        qFatal("bench_decode: cannot encode the sample: %s", qPrintable(encoded.error));
    return encoded.bytes;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const qint64 budgetNs = (argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000) * 1'000'000;
    const QString only = argc > 2 ? QString::fromLocal8Bit(argv[2]) : QString(); // for profiling one row

    SchemaRegistry registry;
    registry.addImportPath(QStringLiteral(HERMES_SOURCE_DIR "/tests/protocol/fixtures/proto"));
    for (const char *file : {"telemetry.proto", "wkt.proto"}) {
        if (!registry.loadProtoFile(QString::fromLatin1(file)).isEmpty())
            qFatal("bench_decode: cannot load %s", file);
    }
    const QString telemetry = QStringLiteral("hermes.test.Telemetry");
    // The same schemas, decoding JSON through protobuf's converter: the path before the
    // fast writer (fastjson.cpp), for comparison.
    SchemaRegistry converterOnly;
    converterOnly.loadSources(registry.sources());

    // Small: a typical sensor report, five fields and a nested message, ~30 bytes.
    const QByteArray small = mustEncode(registry, telemetry,
                                        QStringLiteral(R"({"deviceId":"dev-0042","sequence":"123456","severity":"SEVERITY_ALERT",)"
                                                       R"("location":{"lat":52.52,"lon":13.405},"crc":3735928559})"));
    // 4 KB: a batch of readings with a few counters and tags.
    QString readings;
    for (int i = 0; i < 160; ++i) {
        readings += QStringLiteral(R"(%1{"sensorId":"sensor-%2","value":%3,"unit":"UNIT_CELSIUS"})")
                            .arg(i ? QStringLiteral(",") : QString())
                            .arg(i, 3, 10, QLatin1Char('0'))
                            .arg(20.0 + i * 0.125);
    }
    const QByteArray large = mustEncode(registry, telemetry,
                                        QStringLiteral(R"({"deviceId":"dev-0042","sequence":"123456","readings":[%1],)"
                                                       R"("counters":{"boot":3,"errors":0,"frames":1024},"deltas":[1,-2,3,-4,5],)"
                                                       R"("tags":[{"key":"site","value":"berlin"},{"key":"rack","value":"r7"}]})")
                                                .arg(readings));

    TopicBindings bindings;
    bindings.bind(QStringLiteral("telemetry/+/state"), telemetry);

    QList<Row> rows;
    const auto budgetFor = [&](const QString &what) { return only.isEmpty() || what.contains(only) ? budgetNs : 0; };
    const auto add = [&](const QString &what, const QByteArray &payload, const std::function<int()> &body) {
        rows << measure(what, payload.size(), budgetFor(what), body);
    };
    for (const auto &[name, payload] : {std::pair{QStringLiteral("small"), small}, std::pair{QStringLiteral("4 KB"), large}}) {
        add(name + QStringLiteral(": typed, tree + JSON (SchemaRegistry::decode)"), payload, [&] {
            const DecodeResult r = registry.decode(telemetry, payload);
            return int(r.json.size() + r.root.children.size());
        });
        add(name + QStringLiteral(": typed, tree + JSON, protobuf's converter only"), payload, [&] {
            converterOnly.setFastJsonEnabled(false);
            const DecodeResult r = converterOnly.decode(telemetry, payload);
            return int(r.json.size() + r.root.children.size());
        });
        add(name + QStringLiteral(": bound topic, tree + JSON (interpretPayload)"), payload, [&] {
            const InterpretedPayload r = interpretPayload(registry, bindings, u"telemetry/d1/state", payload);
            return int(r.decoded.json.size());
        });
        add(name + QStringLiteral(": raw, tree (decodeRaw)"), payload, [&] {
            return int(decodeRaw(payload).root.children.size());
        });
    }

    std::printf("CPU: %s; one thread; %lld ms of CPU time per row; Qt %s\n\n", qPrintable(cpuModel()),
                static_cast<long long>(budgetNs / 1'000'000), qVersion());
    std::printf("| decode | payload bytes | messages/s (CPU time) | µs/message | messages/s (wall) |\n"
                "|---|---:|---:|---:|---:|\n");
    for (const Row &row : std::as_const(rows)) {
        if (row.perCpuSecond == 0)
            continue;
        std::printf("| %s | %lld | %.0f | %.2f | %.0f |\n", qPrintable(row.what), static_cast<long long>(row.bytes),
                    row.perCpuSecond, 1e6 / row.perCpuSecond, row.perWallSecond);
    }
    return 0;
}
