// Topic matching benchmark: SubscriptionTree with 100k subscriptions of realistic shapes.
// Plain executable (no QtTest); prints Markdown tables for docs/BENCHMARKS.md. Runs in a
// few seconds: every timed loop stops after a fixed time budget.

#include "mqtt/subscriptiontree.h"
#include "mqtt/topic.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QRandomGenerator>
#include <QStringList>
#include <QThread>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <functional>
#include <malloc.h>
#include <unistd.h>

using namespace hermes::mqtt;

// Allocation counting (matchAllocatesOnlyResults / allocs per op): see the header.
#include "../common/allocationcounter.h"

namespace {

constexpr int Subscriptions = 100'000;
constexpr qint64 BudgetNs = 300'000'000; // per timed loop

qint64 rssBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

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

// Bytes the allocator has handed out and not got back (glibc): unlike RSS, this does not
// depend on what earlier phases freed.
qint64 heapInUse()
{
    return qint64(mallinfo2().uordblks);
}

// CPU time of this thread: other processes on a shared machine do not inflate it.
qint64 cpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    return QString::fromLatin1(file.readAll().split(' ').mid(0, 3).join(' '));
}

volatile qsizetype g_sink = 0; // keeps results alive so the loops are not optimised away

struct Timing {
    double nsPerOp; // median round
    double opsPerSecond; // from the median
    double bestNsPerOp; // fastest round
    double allocationsPerOp; // malloc + calloc + realloc calls; -1 when not counted
};

// Runs `op(i)` over i = 0, 1, 2, ... in Rounds rounds of BudgetNs / Rounds CPU time each
// (the clock is read every 1024 calls) and keeps the median and the best round: on a shared
// machine single rounds vary with what the neighbours do to the caches.
Timing timeLoop(const std::function<qsizetype(qsizetype)> &op)
{
    constexpr int Rounds = 5;
    std::array<double, Rounds> nsPerOp{};
    quint64 allocations = 0;
    qsizetype totalOps = 0;
    qsizetype sink = 0;
    for (int round = 0; round < Rounds; ++round) {
        const quint64 allocationsBefore = hermes::testing::allocationCount();
        const qint64 start = cpuNs();
        qsizetype ops = 0;
        do {
            for (int k = 0; k < 1024; ++k, ++ops)
                sink += op(totalOps + ops);
        } while (cpuNs() - start < BudgetNs / Rounds);
        nsPerOp[round] = double(cpuNs() - start) / double(ops);
        allocations += hermes::testing::allocationCount() - allocationsBefore;
        totalOps += ops;
    }
    g_sink = g_sink + sink;
    std::sort(nsPerOp.begin(), nsPerOp.end());
    const double median = nsPerOp[Rounds / 2];
    return Timing{median, 1e9 / median, nsPerOp.front(),
                  HERMES_COUNT_ALLOCATIONS ? double(allocations) / double(totalOps) : -1};
}

void printMatchRow(const char *tree, const char *topicKind, const QStringList &topics,
                   const SubscriptionTree &subscriptions, qsizetype expectedPerTopic)
{
    // Check the shape first so the numbers are about what the row claims.
    qsizetype hits = 0;
    for (const QString &t : topics)
        hits += subscriptions.match(t).subscribers.size();
    const double perTopic = double(hits) / double(topics.size());
    if (expectedPerTopic >= 0 && perTopic != double(expectedPerTopic))
        std::printf("<!-- WARNING: %s expected %lld subscribers per topic, got %.2f -->\n",
                    topicKind, qint64(expectedPerTopic), perTopic);
    const qsizetype mask = topics.size() - 1; // topics.size() is a power of two
    const Timing t = timeLoop(
        [&](qsizetype i) { return subscriptions.match(topics[i & mask]).subscribers.size(); });
    std::printf("| %s | match: %s | %.0f | %.0f | %.0f | %.2f | %.1f subscribers/topic |\n", tree,
                topicKind, t.nsPerOp, t.bestNsPerOp, t.opsPerSecond, t.allocationsPerOp, perTopic);
}

QStringList topics(int count, const std::function<QString(int)> &make)
{
    QStringList out;
    out.reserve(count);
    for (int i = 0; i < count; ++i)
        out.append(make(i));
    return out;
}

QString device(int i)
{
    return QStringLiteral("dev-%1").arg(i, 6, 10, QLatin1Char('0'));
}

} // namespace

int main()
{
    const qint64 wallStart = cpuNs();
    QElapsedTimer wall;
    wall.start();
    QRandomGenerator rng(42);
    SubscribeOptions qos1;
    qos1.maximumQoS = QoS::AtLeastOnce;

    std::printf("Machine: %d logical CPUs, %s; load average at start: %s\n",
                QThread::idealThreadCount(), qPrintable(cpuModel()), qPrintable(loadAverage()));
    std::printf(
        "Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), so other processes do not\n"
        "inflate them; each match row loops over 4096 pre-built topics, 5 rounds of %lld ms of "
        "CPU.\n\n",
        BudgetNs / 5'000'000);
    std::printf("| tree (100k subscriptions) | operation | ns/op (median) | ns/op (best) | ops/s | "
                "allocs/op | notes |\n");
    std::printf("|---|---|---:|---:|---:|---:|---|\n");

    // ---- Tree A: one exact filter per device, "devices/{id}/push" -------------------------
    // Kept alive to the end so that the mixed tree below gets fresh memory and its RSS
    // delta means something.
    auto devices = std::make_unique<SubscriptionTree>();
    {
        SubscriptionTree &tree = *devices;
        const qint64 rssStart = rssBytes();
        const QStringList filters = topics(
            Subscriptions, [](int i) { return QStringLiteral("devices/%1/push").arg(device(i)); });
        const qint64 rssFilters = rssBytes();
        const qint64 heapFilters = heapInUse();
        qint64 t0 = cpuNs();
        for (int i = 0; i < Subscriptions; ++i)
            tree.subscribe(SubscriberId(i + 1), filters[i], qos1);
        const qint64 insertNs = cpuNs() - t0;
        const qint64 rssTree = rssBytes();
        const qint64 heapTree = heapInUse();
        std::printf("| devices | subscribe (insert) | %.0f | | %.0f | | %lld nodes |\n",
                    double(insertNs) / Subscriptions, Subscriptions * 1e9 / double(insertNs),
                    qint64(tree.nodeCount()));
        std::printf(
            "| devices | memory per subscription | | | | | RSS %+.0f B, heap in use %+.0f B; "
            "the filter text (%.0f B RSS) is the caller's QString, shared |\n",
            double(rssTree - rssFilters) / Subscriptions,
            double(heapTree - heapFilters) / Subscriptions,
            double(rssFilters - rssStart) / Subscriptions);

        printMatchRow("devices", "one subscriber",
                      topics(4096,
                             [&](int) {
                                 return QStringLiteral("devices/%1/push")
                                     .arg(device(int(rng.bounded(Subscriptions))));
                             }),
                      tree, 1);
        // The same with only 64 distinct devices: the touched nodes stay in cache, which
        // shows how much of the row above is memory latency.
        printMatchRow(
            "devices", "one subscriber, 64 hot devices",
            topics(4096,
                   [&](int i) {
                       return QStringLiteral("devices/%1/push").arg(device((i % 64) * 1'531));
                   }),
            tree, 1);
        printMatchRow(
            "devices", "none (unknown device)",
            topics(4096,
                   [&](int i) {
                       return QStringLiteral("devices/%1/push").arg(device(Subscriptions + i));
                   }),
            tree, 0);
        printMatchRow(
            "devices", "none (unknown first level)",
            topics(4096,
                   [&](int i) { return QStringLiteral("weather/city-%1/temperature").arg(i); }),
            tree, 0);

        // The same question answered by scanning every filter with topicMatches.
        const QString probe = QStringLiteral("devices/%1/push").arg(device(77'777));
        const Timing scan = timeLoop([&](qsizetype i) {
            return qsizetype(topicMatches(filters[i % Subscriptions], probe));
        });
        std::printf("| devices | topicMatches on one filter (brute-force scan) | %.0f | %.0f | "
                    "%.0f | %.2f | "
                    "scanning all 100k filters: %.2f ms/topic |\n",
                    scan.nsPerOp, scan.bestNsPerOp, scan.opsPerSecond, scan.allocationsPerOp,
                    scan.nsPerOp * Subscriptions / 1e6);

        t0 = cpuNs();
        for (int i = 0; i < Subscriptions; ++i)
            tree.removeSubscriber(SubscriberId(i + 1));
        const qint64 removeNs = cpuNs() - t0;
        // What stays allocated in an empty tree: the node vector's and the hash tables'
        // capacity, which the next subscriptions reuse.
        const qint64 heapRetained = heapInUse() - heapFilters;
        std::printf("| devices | removeSubscriber (1 subscription each) | %.0f | | %.0f | | then "
                    "%lld node left; "
                    "%.1f MB of %.1f MB stay allocated as capacity |\n",
                    double(removeNs) / Subscriptions, Subscriptions * 1e9 / double(removeNs),
                    qint64(tree.nodeCount()), double(heapRetained) / 1e6,
                    double(heapTree - heapFilters) / 1e6);

        // Churn: subscribe 100k different filters and remove them, three times, then
        // 100k once more. Pruned node slots and hash buckets are reused, so the tree ends
        // up the size of the first build.
        const QStringList other = topics(Subscriptions, [](int i) {
            return QStringLiteral("devices/%1/push").arg(device(Subscriptions + i));
        });
        const qint64 heapOther = heapInUse(); // filters + other + the empty tree's capacity
        for (int round = 0; round < 3; ++round) {
            const QStringList &use = round % 2 ? filters : other;
            for (int i = 0; i < Subscriptions; ++i)
                tree.subscribe(SubscriberId(i + 1), use[i], qos1);
            for (int i = 0; i < Subscriptions; ++i)
                tree.removeSubscriber(SubscriberId(i + 1));
        }
        for (int i = 0; i < Subscriptions; ++i)
            tree.subscribe(SubscriberId(i + 1), other[i], qos1);
        const qint64 treeAfterChurn = heapInUse() - heapOther + heapRetained;
        std::printf(
            "| devices | churn: 3 x (subscribe 100k, remove 100k), then 100k again | | | | | "
            "tree heap %.1f MB vs %.1f MB after the first build; %lld nodes |\n",
            double(treeAfterChurn) / 1e6, double(heapTree - heapFilters) / 1e6,
            qint64(tree.nodeCount()));
    }

    // ---- Tree B: mixed shapes ---------------------------------------------------------
    // 85,000 exact  devices/{id}/push               (one subscriber per device)
    // 10,000 '+'    region/r{00..99}/+/status       (100 subscribers per region filter)
    //  4,950 '#'    devices/{id}/#  for the first 4,950 devices (a per-device watcher)
    //     50 '#'    region/#                        (50 region-wide monitors)
    {
        const QStringList exact = topics(
            85'000, [](int i) { return QStringLiteral("devices/%1/push").arg(device(i)); });
        const QStringList plus = topics(10'000, [](int i) {
            return QStringLiteral("region/r%1/+/status").arg(i % 100, 2, 10, QLatin1Char('0'));
        });
        const QStringList hash = topics(5'000, [](int i) {
            return i < 4'950 ? QStringLiteral("devices/%1/#").arg(device(i))
                             : QStringLiteral("region/#");
        });
        const qint64 rssBefore = rssBytes();
        const qint64 heapBefore = heapInUse();
        SubscriptionTree tree;
        const qint64 t0 = cpuNs();
        SubscriberId next = 1;
        for (const QStringList *list : {&exact, &plus, &hash}) {
            for (const QString &filter : *list)
                tree.subscribe(next++, filter, qos1);
        }
        const qint64 insertNs = cpuNs() - t0;
        std::printf(
            "| mixed | subscribe (insert) | %.0f | | %.0f | | %lld subscriptions, %lld nodes |\n",
            double(insertNs) / Subscriptions, Subscriptions * 1e9 / double(insertNs),
            qint64(tree.size()), qint64(tree.nodeCount()));
        std::printf("| mixed | memory per subscription | | | | | RSS %+.0f B, heap in use %+.0f B "
                    "(filter text excluded) |\n",
                    double(rssBytes() - rssBefore) / Subscriptions,
                    double(heapInUse() - heapBefore) / Subscriptions);

        printMatchRow("mixed", "one subscriber",
                      topics(4096,
                             [&](int) {
                                 return QStringLiteral("devices/%1/push")
                                     .arg(device(4'950 + int(rng.bounded(80'050))));
                             }),
                      tree, 1);
        printMatchRow(
            "mixed", "two (exact + devices/{id}/#)",
            topics(
                4096,
                [&](int) {
                    return QStringLiteral("devices/%1/push").arg(device(int(rng.bounded(4'950))));
                }),
            tree, 2);
        printMatchRow("mixed", "many (region/+ and region/#)",
                      topics(4096,
                             [&](int i) {
                                 return QStringLiteral("region/r%1/%2/status")
                                     .arg(i % 100, 2, 10, QLatin1Char('0'))
                                     .arg(device(i));
                             }),
                      tree, 150);
        printMatchRow(
            "mixed", "none (unknown device)",
            topics(4096,
                   [&](int i) {
                       return QStringLiteral("devices/%1/push").arg(device(Subscriptions + i));
                   }),
            tree, 0);
        printMatchRow(
            "mixed", "none (unknown first level)",
            topics(4096,
                   [&](int i) { return QStringLiteral("weather/city-%1/temperature").arg(i); }),
            tree, 0);
    }

    // ---- Why fromRawData: the exact-level lookup, 100k keys ----------------------------
    {
        QHash<QString, int> levels;
        for (int i = 0; i < Subscriptions; ++i)
            levels.insert(device(i), i);
        const QString text = QStringLiteral("devices/%1/push").arg(device(54'321));
        const QStringView level = QStringView(text).sliced(8, 10);
        const Timing copy
            = timeLoop([&](qsizetype) { return qsizetype(levels.value(level.toString(), -1)); });
        const Timing raw = timeLoop([&](qsizetype) {
            return qsizetype(levels.value(QString::fromRawData(level.data(), level.size()), -1));
        });
        std::printf("| (QHash<QString,int>, 100k keys) | lookup, key built with QString(view) | "
                    "%.1f | %.1f | %.0f | %.2f | |\n",
                    copy.nsPerOp, copy.bestNsPerOp, copy.opsPerSecond, copy.allocationsPerOp);
        std::printf("| (QHash<QString,int>, 100k keys) | lookup, key built with "
                    "QString::fromRawData | %.1f | %.1f | %.0f | %.2f | what the tree does |\n",
                    raw.nsPerOp, raw.bestNsPerOp, raw.opsPerSecond, raw.allocationsPerOp);
    }

    std::printf("\nRun time: %.1f s wall, %.1f s CPU; load average at end: %s\n",
                double(wall.nsecsElapsed()) / 1e9, double(cpuNs() - wallStart) / 1e9,
                qPrintable(loadAverage()));
    return 0;
}
