// bench_timers: how late the broker's own timers fire, at a given number of sessions.
//
// An in-process Broker (on the epoll dispatcher, as in hermesd) with N sessions: most are
// idle offline persistent sessions (what a periodic walk over every session pays for), and
// three measured groups of `samples` each, started one every 2 ms:
//   will      - a v5 client with Will Delay 1–2 s drops its connection; the will's due time
//               is the drop + the delay, seen when a subscriber of the will topics receives
//               it (one loopback hop inside the same event loop);
//   session   - a v5 client with Session Expiry 1–2 s and a Will Delay far beyond it drops;
//               its will goes out when the session ends, so the session's end is seen exactly;
//   message   - a retained message with Message Expiry 1–2 s; its removal is seen by polling
//               the retained store every millisecond (so these figures carry up to 1 ms more);
//   queued    - a traced QoS 1 message with Message Expiry 1–2 s for one of the idle offline
//               sessions (each subscribed to its own topic); seen when the broker reports it
//               expired (Broker::tracedDelivery).
// Lateness = when it was seen - when it was due, in ms, from the same monotonic clock; the
// drop is timed when the client closes its socket, so the broker's noticing is included.
// It also reports the broker thread's CPU while idle with all N sessions (the cost of the
// periodic housekeeping), before anything is measured.
//
// Prints one line per kind: RESULT timer=KIND sessions=N samples=S p50_ms=… p99_ms=… max_ms=…
// Loopback only; every wait is bounded.
#include "engine/broker.h"
#include "engine/io/epolldispatcher.h"

#include "mqtt/codec.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace hermes;
using namespace hermes::mqtt;

namespace {

qint64 cpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return (qint64(usage.ru_utime.tv_sec) + usage.ru_stime.tv_sec) * 1000
            + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
}

/// Runs the event loop until `done` (checked every 5 ms) or `timeoutMs`; false on timeout.
bool runUntil(const std::function<bool()> &done, int timeoutMs)
{
    QEventLoop loop;
    QElapsedTimer elapsed;
    elapsed.start();
    QTimer check;
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done() || elapsed.elapsed() > timeoutMs)
            loop.quit();
    });
    check.start(5);
    if (!done())
        loop.exec();
    return done();
}

/// Runs the event loop for `ms` with nothing of its own on it.
void idleFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

/// A blocking loopback socket that has sent `connect` (and `then`); -1 on failure.
int openClient(quint16 port, const Connect &connect, const std::optional<Packet> &then = {})
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        std::perror("connect");
        return -1;
    }
    QByteArray bytes = encode(connect, ProtocolVersion::V5);
    if (then)
        bytes += encode(*then, ProtocolVersion::V5);
    if (::write(fd, bytes.constData(), size_t(bytes.size())) != bytes.size()) {
        std::perror("write");
        return -1;
    }
    return fd;
}

Connect clientConnect(const QString &clientId, quint32 sessionExpiry, std::optional<Will> will = {})
{
    Connect connect;
    connect.version = ProtocolVersion::V5;
    connect.clientId = clientId;
    connect.cleanStart = true;
    connect.keepAliveSeconds = 0;
    connect.properties.sessionExpiryInterval = sessionExpiry;
    connect.will = std::move(will);
    return connect;
}

struct Stats {
    double p50 = 0, p99 = 0, max = 0;
};

Stats statsOf(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    if (values.empty())
        return {};
    const auto at = [&](double q) { return values[std::min(values.size() - 1, size_t(q * double(values.size())))]; };
    return {at(0.50), at(0.99), values.back()};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false\nhermes.*.info=false"));
    const QStringList args = app.arguments();
    auto option = [&](const char *name, int fallback) {
        const qsizetype i = args.indexOf(QLatin1String(name));
        return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
    };
    const int sessions = option("--sessions", 10000);
    const int samples = option("--samples", 500);
    const int idleSeconds = option("--idle-seconds", 5);
    const int idleSessions = sessions - 2 * samples;
    if (idleSessions < samples) {
        std::fprintf(stderr, "--sessions must be at least 3 x --samples\n");
        return 2;
    }

    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    // Anonymous loopback clients are devices by default, and a device may not subscribe to
    // bench/...: the bench's clients are operators.
    config.anonymousRole = Role::Operator;
    Broker broker(config);
    if (!broker.start()) {
        std::fprintf(stderr, "%s\n", qPrintable(broker.errorString()));
        return 1;
    }
    const quint16 port = broker.listenAddresses().constFirst().port;
    const auto connected = [&] { return broker.counters().clientsConnected; };

    // Idle offline sessions, made in batches (a connection each while being made), each
    // subscribed to its own topic.
    for (int made = 0; made < idleSessions;) {
        const int batch = std::min(500, idleSessions - made);
        std::vector<int> fds;
        for (int i = 0; i < batch; ++i) {
            Subscribe subscribe;
            subscribe.packetId = 1;
            subscribe.subscriptions = {TopicSubscription{QStringLiteral("bench/queued/%1").arg(made + i), {QoS::AtLeastOnce}}};
            fds.push_back(openClient(port, clientConnect(QStringLiteral("idle-%1").arg(made + i), 3600), subscribe));
        }
        if (!runUntil([&] { return connected() == quint64(batch)
                                && broker.counters().subscriptionCount == quint64(made + batch); }, 30000)) {
            std::fprintf(stderr, "idle sessions did not connect\n");
            return 1;
        }
        const QByteArray disconnect = encode(Disconnect{}, ProtocolVersion::V5);
        for (const int fd : fds)
            (void)::write(fd, disconnect.constData(), size_t(disconnect.size()));
        if (!runUntil([&] { return connected() == 0; }, 30000)) {
            std::fprintf(stderr, "idle sessions did not disconnect\n");
            return 1;
        }
        for (const int fd : fds)
            ::close(fd);
        made += batch;
    }

    // The watcher: subscribed to the wills, it sees each one arrive.
    Subscribe watch;
    watch.packetId = 1;
    watch.subscriptions = {TopicSubscription{QStringLiteral("bench/will/+"), {QoS::AtMostOnce}},
                           TopicSubscription{QStringLiteral("bench/session/+"), {QoS::AtMostOnce}}};
    const int watcherFd = openClient(port, clientConnect(QStringLiteral("watcher"), 0), watch);

    // The measured clients, connected and waiting.
    const auto delayOf = [](int i) { return quint32(1 + i % 2); };
    std::vector<int> willFds, sessionFds;
    for (int i = 0; i < samples; ++i) {
        Will will{QStringLiteral("bench/will/%1").arg(i), "w", QoS::AtMostOnce, false, {}};
        will.properties.willDelayInterval = delayOf(i);
        willFds.push_back(openClient(port, clientConnect(QStringLiteral("will-%1").arg(i), 3600, will)));
        Will last{QStringLiteral("bench/session/%1").arg(i), "s", QoS::AtMostOnce, false, {}};
        last.properties.willDelayInterval = 3600;
        sessionFds.push_back(openClient(port, clientConnect(QStringLiteral("session-%1").arg(i), delayOf(i), last)));
    }
    if (!runUntil([&] { return connected() == quint64(2 * samples + 1); }, 30000)) {
        std::fprintf(stderr, "measured clients did not connect\n");
        return 1;
    }
    std::fprintf(stderr, "sessions: %llu (%llu connected)\n",
                 (unsigned long long)broker.counters().clientsTotal, (unsigned long long)connected());

    // Housekeeping cost: the broker's CPU while nothing happens.
    const qint64 idleCpuBefore = cpuMs();
    QElapsedTimer idle;
    idle.start();
    idleFor(idleSeconds * 1000);
    const double idleCpuPercent = 100.0 * double(cpuMs() - idleCpuBefore) / double(idle.elapsed());

    QElapsedTimer clock;
    clock.start();
    std::vector<double> willDue(size_t(samples), -1), sessionDue(size_t(samples), -1);
    std::vector<double> willLate, sessionLate, messageLate, queuedLate;
    std::vector<double> queuedDue(size_t(samples), -1);
    QObject::connect(&broker, &Broker::tracedDelivery, [&](quint64 trace, DeliveryStage stage, const QString &) {
        if (stage == DeliveryStage::Expired && trace >= 1 && trace <= quint64(samples))
            queuedLate.push_back(double(clock.nsecsElapsed()) / 1e6 - queuedDue[size_t(trace - 1)]);
    });
    QByteArray watched;
    QSocketNotifier watcher(watcherFd, QSocketNotifier::Read);
    QObject::connect(&watcher, &QSocketNotifier::activated, [&] {
        const double at = double(clock.nsecsElapsed()) / 1e6;
        char chunk[65536];
        const ssize_t n = ::read(watcherFd, chunk, sizeof chunk);
        if (n <= 0) {
            watcher.setEnabled(false);
            return;
        }
        watched.append(chunk, n);
        for (;;) {
            const FrameResult result = takeFrame(watched, 1 << 20);
            const auto *frame = std::get_if<Frame>(&result);
            if (!frame)
                break;
            const DecodeResult packet = decodePacket(*frame, ProtocolVersion::V5);
            const qsizetype used = frame->totalSize;
            if (const auto *publish = std::get_if<Publish>(std::get_if<Packet>(&packet))) {
                const QStringList parts = publish->topic.split(QLatin1Char('/'));
                const int i = parts.value(2).toInt();
                if (parts.value(1) == QLatin1String("will"))
                    willLate.push_back(at - willDue[size_t(i)]);
                else if (parts.value(1) == QLatin1String("session"))
                    sessionLate.push_back(at - sessionDue[size_t(i)]);
            }
            watched.remove(0, used);
        }
    });
    // Retained expiries, by polling: they leave in due order, so the k-th removal seen is
    // matched with the k-th due time.
    std::vector<double> messageDue;
    QTimer poll;
    poll.setTimerType(Qt::PreciseTimer);
    qsizetype retainedSeen = 0;
    QObject::connect(&poll, &QTimer::timeout, [&] {
        const qsizetype published = qsizetype(messageDue.size());
        const qsizetype live = broker.retained().size();
        const double at = double(clock.nsecsElapsed()) / 1e6;
        std::vector<double> due = messageDue;
        std::sort(due.begin(), due.end());
        for (qsizetype gone = published - live; retainedSeen < gone; ++retainedSeen)
            messageLate.push_back(at - due[size_t(retainedSeen)]);
    });
    poll.start(1);

    int next = 0;
    QTimer stagger;
    stagger.setTimerType(Qt::PreciseTimer);
    QObject::connect(&stagger, &QTimer::timeout, [&] {
        if (next == samples) {
            stagger.stop();
            return;
        }
        const int i = next++;
        const double now = double(clock.nsecsElapsed()) / 1e6;
        const double delayMs = delayOf(i) * 1000.0;
        willDue[size_t(i)] = now + delayMs;
        ::close(willFds[size_t(i)]);
        sessionDue[size_t(i)] = now + delayMs;
        ::close(sessionFds[size_t(i)]);
        Publish retained;
        retained.topic = QStringLiteral("bench/message/%1").arg(i);
        retained.payload = "m";
        retained.retain = true;
        retained.properties.messageExpiryInterval = delayOf(i);
        messageDue.push_back(double(clock.nsecsElapsed()) / 1e6 + delayMs);
        broker.publish(retained);
        Publish queued;
        queued.topic = QStringLiteral("bench/queued/%1").arg(i);
        queued.payload = "q";
        queued.qos = QoS::AtLeastOnce;
        queued.properties.messageExpiryInterval = delayOf(i);
        queuedDue[size_t(i)] = double(clock.nsecsElapsed()) / 1e6 + delayMs;
        broker.publishTraced(queued, QStringLiteral("idle-%1").arg(i), quint64(i) + 1);
    });
    stagger.start(2);
    const bool complete = runUntil([&] {
        return int(willLate.size()) == samples && int(sessionLate.size()) == samples
                && int(messageLate.size()) == samples && int(queuedLate.size()) == samples;
    }, 2 * samples + 10000);
    poll.stop();

    const auto report = [&](const char *kind, const std::vector<double> &late) {
        const Stats s = statsOf(late);
        std::printf("RESULT timer=%s sessions=%d samples=%d seen=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
                    kind, sessions, samples, late.size(), s.p50, s.p99, s.max);
    };
    report("will_delay", willLate);
    report("session_expiry", sessionLate);
    report("message_expiry", messageLate);
    report("queued_message_expiry", queuedLate);
    std::printf("RESULT idle sessions=%d idle_cpu_percent=%.2f over_s=%d\n", sessions, idleCpuPercent, idleSeconds);
    broker.stop();
    return complete ? 0 : 1;
}
