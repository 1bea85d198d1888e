// bench_guistall: how responsive the console stays under load.
//
// The console's MainWindow runs with its embedded broker (LocalEngine on its own thread)
// while a forked load process (no Qt, one thread, edge-triggered epoll, so the client side
// does not share the GUI process's file descriptor limit or CPU accounting) opens N MQTT
// 3.1.1 clients, each subscribed to its own topic and pinging every 30 s, and then floods
// QoS 0 publishes at a fixed rate to those topics through a few publisher connections.
//
// With --attach the window shows instead the engine attachEngine() gives for a running
// hermesd (a RemoteEngine; the operator account from $HERMES_USER and $HERMES_PASSWORD, or
// none over a unix: socket). The sessions are then hermesd's own (scripts/bench-remote.sh
// --guistall holds a simulated fleet there), the load process opens only the publishers,
// as that account, and the connect phase is the attach: from start() until the sessions
// snapshot is in the views and the publishers are connected; the flood follows.
//
// On the GUI thread a 10 ms precise QTimer measures its own lateness: every millisecond
// of lateness is a millisecond the event loop could not run (model updates, painting).
// RSS is sampled every few seconds to show memory stays bounded. The docks are raised in
// turn so every view paints while the flood runs. Prints a summary; never fails on timing
// (exit 0 unless the broker or the load process broke).
//
//   QT_QPA_PLATFORM=offscreen bench_guistall [--clients 10000] [--rate 20000]
//       [--duration 60] [--topics 10000] [--publishers 4] [--payload 64] [--sample 5] [--pins 10]
//       [--attach HOST:PORT|unix:PATH] [--topic-format gs/{index}/state] [--watch gs-0000]
// ({index} is the topic number, zero-padded to the width of the largest; --watch is the
// session whose detail stays open; --clients defaults to 0 with --attach.)
#include "mqtt/codec.h"
#include "mqtt/packets.h"

#include "dashboardview.h"
#include "mainwindow.h"
#include "messagesview.h"
#include "sessiondetailview.h"
#include "sessionsview.h"
#include "topicsview.h"
#include "topictreemodel.h"
#include "valuecharts.h"

#include "engine/brokeroptions.h"
#include "engine/local/localengine.h"
#include "engine/remote/attach.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QSettings>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTimer>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    int clients = 10000;
    int rate = 20000;       ///< publishes per second, total
    double duration = 60;   ///< flood seconds
    int topics = 10000;     ///< distinct topics published to (client i subscribes to topic i % topics)
    int publishers = 4;
    int payload = 64;
    double sample = 5;      ///< RSS / progress line period, seconds
    int pins = 0;           ///< value-chart fields pinned on the flooded topics, two per chart
    double connectTimeout = 180;
    std::string attach;     ///< empty: the embedded broker; else where hermesd listens
    std::string topicFormat = "gs/{index}/state";
    std::string watch = "gs-0";    ///< the session whose detail is open during the flood
    std::string user;       ///< attached: the operator account, also the publishers'
    std::string password;
    int brokerPid = 0;      ///< attached: hermesd, whose CPU over the flood is reported

    /// Topic number `index`, zero-padded to the width of the largest.
    std::string topic(size_t index) const
    {
        const size_t width = std::to_string(std::max(topics - 1, 0)).size();
        std::string number = std::to_string(index);
        if (number.size() < width)
            number.insert(0, width - number.size(), '0');
        std::string text = topicFormat;
        const size_t at = text.find("{index}");
        return at == std::string::npos ? text : text.replace(at, 7, number);
    }
};

// ---- Load process ----------------------------------------------------------------------

struct Conn {
    int fd = -1;
    bool connected = false;   ///< TCP connected and CONNECT written
    bool acked = false;       ///< something (CONNACK) came back
    std::string out;          ///< bytes not yet accepted by the kernel
    std::string hello;        ///< CONNECT + SUBSCRIBE
};

std::string toStd(const QByteArray &bytes)
{
    return std::string(bytes.constData(), size_t(bytes.size()));
}

std::string helloFor(const std::string &clientId, const QString &filter, const std::string &user = {},
                     const std::string &password = {})
{
    using namespace hermes::mqtt;
    Connect connect;
    connect.clientId = QString::fromStdString(clientId);
    connect.keepAliveSeconds = 60;
    if (!user.empty()) {
        connect.userName = QString::fromStdString(user);
        connect.password = QByteArray::fromStdString(password);
    }
    std::string bytes = toStd(encode(connect, ProtocolVersion::V3_1_1));
    if (!filter.isEmpty()) {
        Subscribe subscribe;
        subscribe.packetId = 1;
        subscribe.subscriptions = {{filter, SubscribeOptions{QoS::AtMostOnce}}};
        bytes += toStd(encode(subscribe, ProtocolVersion::V3_1_1));
    }
    return bytes;
}

void flushOut(Conn &c)
{
    while (!c.out.empty()) {
        const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            c.out.erase(0, size_t(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        return; // broken: the broker side will show it
    }
}

/// Connects to 127.0.0.1:`port`, or to the Unix socket `localPath` when it is not empty.
bool openSocket(Conn &c, int epoll, int port, const std::string &localPath, size_t key)
{
    c.fd = ::socket(localPath.empty() ? AF_INET : AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0)
        return false;
    int connected = 0;
    if (localPath.empty()) {
        const int one = 1;
        ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(quint16(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected = ::connect(c.fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    } else {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, localPath.c_str(), sizeof address.sun_path - 1);
        connected = ::connect(c.fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    }
    if (connected < 0 && errno != EINPROGRESS && errno != EAGAIN)
        return false;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLET;
    event.data.u64 = key;
    return ::epoll_ctl(epoll, EPOLL_CTL_ADD, c.fd, &event) == 0;
}

void say(int fd, const std::string &line)
{
    const std::string text = line + "\n";
    [[maybe_unused]] const ssize_t n = ::write(fd, text.data(), text.size());
}

/// The load process: reads the broker's port (or "unix:PATH") from `in`, reports "READY n"
/// and "DONE ..." on `out`.
int runLoad(const Options &o, int in, int out)
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);

    char buffer[256] = {};
    const ssize_t got = ::read(in, buffer, sizeof buffer - 1);
    if (got <= 0)
        return 1;
    const std::string where(buffer);
    const std::string localPath = where.rfind("unix:", 0) == 0 ? where.substr(5) : std::string();
    const int port = std::atoi(buffer);

    const int epoll = ::epoll_create1(EPOLL_CLOEXEC);
    const size_t total = size_t(o.clients + o.publishers);
    std::vector<Conn> conns(total);
    for (int i = 0; i < o.clients; ++i)
        conns[size_t(i)].hello = helloFor("gs-" + std::to_string(i),
                                          QString::fromStdString(o.topic(size_t(i % o.topics))));
    for (int p = 0; p < o.publishers; ++p)
        conns[size_t(o.clients + p)].hello = helloFor("gs-pub-" + std::to_string(p), QString(), o.user, o.password);

    const auto started = Clock::now();
    const auto seconds = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
    std::vector<char> sink(64 * 1024);
    std::vector<epoll_event> events(1024);
    size_t opened = 0;
    size_t acked = 0;
    constexpr size_t MaxOpening = 256;
    const auto pump = [&](int timeoutMs) {
        const int n = ::epoll_wait(epoll, events.data(), int(events.size()), timeoutMs);
        for (int e = 0; e < n; ++e) {
            Conn &c = conns[size_t(events[size_t(e)].data.u64)];
            if ((events[size_t(e)].events & EPOLLOUT) && !c.connected) {
                c.connected = true;
                c.out += c.hello;
            }
            if (events[size_t(e)].events & EPOLLOUT)
                flushOut(c);
            if (events[size_t(e)].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                for (;;) {
                    const ssize_t r = ::recv(c.fd, sink.data(), sink.size(), 0);
                    if (r > 0) {
                        if (!c.acked) {
                            c.acked = true;
                            ++acked;
                        }
                        continue;
                    }
                    break;
                }
            }
        }
    };

    // Connect storm, at most MaxOpening handshakes in progress.
    while (acked < total && seconds(Clock::now() - started) < o.connectTimeout) {
        while (opened < total && opened - acked < MaxOpening) {
            if (!openSocket(conns[opened], epoll, port, localPath, opened)) {
                std::fprintf(stderr, "load: socket %zu: %s\n", opened, std::strerror(errno));
                return 1;
            }
            ++opened;
        }
        pump(10);
    }
    say(out, "READY " + std::to_string(acked) + " " + std::to_string(seconds(Clock::now() - started)));

    // Flood: publishes paced by the clock; a publisher whose socket is full skips its share
    // (counted) rather than queueing without bound.
    const std::string payloadFill(size_t(std::max(16, o.payload)), 'x');
    unsigned long long sent = 0;
    unsigned long long skipped = 0;
    unsigned long long pings = 0;
    size_t pingCursor = 0;
    size_t topicCursor = 0;
    const auto floodStart = Clock::now();
    while (true) {
        const double elapsed = seconds(Clock::now() - floodStart);
        if (elapsed >= o.duration)
            break;
        const auto due = static_cast<unsigned long long>(elapsed * o.rate);
        while (sent + skipped < due) {
            Conn &pub = conns[size_t(o.clients) + size_t((sent + skipped) % unsigned(o.publishers))];
            if (pub.out.size() > 256 * 1024) {
                ++skipped;
                continue;
            }
            const std::string topic = o.topic(topicCursor++ % size_t(o.topics));
            const std::string body = "{\"seq\":" + std::to_string(sent) + ",\"v\":\"";
            std::string payload = body + payloadFill.substr(0, payloadFill.size() > body.size() + 2
                                                                   ? payloadFill.size() - body.size() - 2 : 0) + "\"}";
            // PUBLISH QoS 0: fixed header 0x30, remaining length, topic (u16 + bytes), payload.
            const size_t remaining = 2 + topic.size() + payload.size();
            std::string frame(1, char(0x30));
            size_t value = remaining;
            do {
                char byte = char(value % 128);
                value /= 128;
                if (value > 0)
                    byte = char(byte | 0x80);
                frame += byte;
            } while (value > 0);
            frame += char(topic.size() >> 8);
            frame += char(topic.size() & 0xff);
            frame += topic;
            frame += payload;
            pub.out += frame;
            ++sent;
        }
        // Each subscriber pings once per 30 s, spread evenly [MQTT-3.1.2-23].
        const auto pingDue = static_cast<size_t>(elapsed / 30.0 * o.clients);
        while (pingCursor < pingDue) {
            Conn &c = conns[pingCursor % size_t(o.clients)];
            c.out += std::string("\xC0\x00", 2);
            flushOut(c);
            ++pingCursor;
            ++pings;
        }
        for (int p = 0; p < o.publishers; ++p)
            flushOut(conns[size_t(o.clients + p)]);
        pump(1);
    }
    say(out, "DONE sent=" + std::to_string(sent) + " skipped=" + std::to_string(skipped)
                 + " pings=" + std::to_string(pings));
    // Stay connected until the console has taken its last sample (it closes the pipe).
    char ignored = 0;
    [[maybe_unused]] const ssize_t closed = ::read(in, &ignored, 1);
    return 0;
}

// ---- Console process -----------------------------------------------------------------

qint64 rssKb(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atoll(line.c_str() + 6);
    }
    return 0;
}

/// utime + stime of `pid` in seconds (fields 14 and 15 of /proc/PID/stat), -1 when unreadable.
double cpuSeconds(pid_t pid)
{
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(stat, text);
    const size_t end = text.rfind(')');
    if (end == std::string::npos)
        return -1;
    std::istringstream fields(text.substr(end + 2));
    std::string field;
    long long ticks = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i >= 14)
            ticks += std::atoll(field.c_str());
    }
    return double(ticks) / double(::sysconf(_SC_CLK_TCK));
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size())));
    return values[index];
}

struct Phase {
    std::vector<double> lateMs;
    qint64 startNs = 0;
    QStringList slowTicks; ///< "at+late" in ms from the phase's start, for ticks over 50 ms

    void add(qint64 nowNs, double late)
    {
        lateMs.push_back(late);
        if (late > 50 && slowTicks.size() < 20)
            slowTicks.append(QStringLiteral("%1+%2").arg(double(nowNs - startNs) / 1e6, 0, 'f', 0).arg(late, 0, 'f', 0));
    }

    QString summary(const char *name) const
    {
        const qsizetype over50 = std::count_if(lateMs.cbegin(), lateMs.cend(), [](double v) { return v > 50; });
        return QStringLiteral("%1: ticks=%2 stall_p50_ms=%3 stall_p99_ms=%4 stall_max_ms=%5 ticks_over_50ms=%6")
            .arg(QLatin1String(name))
            .arg(lateMs.size())
            .arg(percentile(lateMs, 0.50), 0, 'f', 2)
            .arg(percentile(lateMs, 0.99), 0, 'f', 2)
            .arg(lateMs.empty() ? 0.0 : *std::max_element(lateMs.cbegin(), lateMs.cend()), 0, 'f', 2)
            .arg(over50)
            + (slowTicks.isEmpty() ? QString() : QStringLiteral(" at_ms=") + slowTicks.join(QLatin1Char(',')));
    }
};

} // namespace

int main(int argc, char *argv[])
{
    Options o;
    bool clientsGiven = false;
    // Options are parsed by hand before anything else so the load process can be forked
    // before Qt starts threads.
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const double value = std::atof(argv[i + 1]);
        if (key == "--clients") {
            o.clients = int(value);
            clientsGiven = true;
        }
        else if (key == "--attach") o.attach = argv[i + 1];
        else if (key == "--topic-format") o.topicFormat = argv[i + 1];
        else if (key == "--watch") o.watch = argv[i + 1];
        else if (key == "--broker-pid") o.brokerPid = int(value);
        else if (key == "--rate") o.rate = std::max(1, int(value));
        else if (key == "--duration") o.duration = std::max(1.0, value);
        else if (key == "--topics") o.topics = std::max(1, int(value));
        else if (key == "--publishers") o.publishers = std::max(1, int(value));
        else if (key == "--payload") o.payload = std::max(16, int(value));
        else if (key == "--sample") o.sample = std::max(0.5, value);
        else if (key == "--pins") o.pins = std::max(0, int(value));
        else {
            std::fprintf(stderr,
                         "usage: bench_guistall [--clients N] [--rate MSG_PER_S] [--duration S] [--topics N]\n"
                         "                      [--publishers N] [--payload BYTES] [--sample S] [--pins N]\n"
                         "                      [--attach HOST:PORT|unix:PATH] [--topic-format TOPIC_WITH_{index}]\n"
                         "                      [--watch CLIENT_ID] [--broker-pid HERMESD_PID]\n"
                         "Run with QT_QPA_PLATFORM=offscreen (or under xvfb-run). With --attach, the operator\n"
                         "account comes from $HERMES_USER and $HERMES_PASSWORD.\n");
            return 2;
        }
    }
    const bool attached = !o.attach.empty();
    if (attached) {
        if (!clientsGiven)
            o.clients = 0; // hermesd's own sessions are the ones shown
        if (const char *user = std::getenv("HERMES_USER"))
            o.user = user;
        if (const char *password = std::getenv("HERMES_PASSWORD"))
            o.password = password;
    }
    o.clients = std::max(o.clients, attached ? 0 : 1);

    int toLoad[2];
    int fromLoad[2];
    if (::pipe2(toLoad, O_CLOEXEC) != 0 || ::pipe2(fromLoad, O_CLOEXEC) != 0)
        return 1;
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(toLoad[1]);
        ::close(fromLoad[0]);
        ::_exit(runLoad(o, toLoad[0], fromLoad[1]));
    }
    ::close(toLoad[0]);
    ::close(fromLoad[1]);

    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);

    QApplication app(argc, argv);
    QTemporaryDir settingsDir; // never touch the user's layout or language
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("HermesBench"));
    QCoreApplication::setApplicationName(QStringLiteral("bench_guistall"));

    std::unique_ptr<hermes::EngineMonitor> engineOwner;
    QString loadTarget; // what the load process connects to once attached: a port or unix:PATH
    if (attached) {
        std::optional<hermes::RemoteEngineOptions> where = hermes::parseAttachAddress(QString::fromStdString(o.attach));
        if (!where) {
            std::fprintf(stderr, "--attach %s: expected HOST:PORT or unix:PATH\n", o.attach.c_str());
            return 2;
        }
        where->userName = QString::fromStdString(o.user);
        where->password = QByteArray::fromStdString(o.password);
        loadTarget = where->localPath.isEmpty() ? QString::number(where->port) : QStringLiteral("unix:") + where->localPath;
        engineOwner = hermes::attachEngine(*where);
        if (!qobject_cast<hermes::RemoteEngine *>(engineOwner.get())) {
            std::fprintf(stderr, "%s does not answer the admin API to %s (not hermesd, or not an operator)\n",
                         qPrintable(where->address()), o.user.empty() ? "an anonymous client" : o.user.c_str());
            return 1;
        }
    } else {
        hermes::BrokerConfig config;
        config.listeners = {hermes::ListenAddress{QHostAddress::LocalHost, 0}};
        config.persistence = false;
        config.sysIntervalSeconds = 0;
        // The flood publishes to arbitrary topics from anonymous loopback clients.
        config.anonymousRole = hermes::Role::Operator;
        config.logLevel = hermes::LogLevel::Warning;
        hermes::applyLogLevel(config.logLevel);
        engineOwner = std::make_unique<hermes::LocalEngine>(config);
    }
    hermes::EngineMonitor &engine = *engineOwner;
    hermes::ui::MainWindow window(engine);
    window.setInteractive(false);
    window.resize(1600, 1000);
    window.show();
    // Every flooded payload is {"seq":N,…}: each pin reads it from every captured message.
    const QString pinFilter = QString::fromStdString(o.topicFormat).replace(QLatin1String("{index}"), QLatin1String("+"));
    for (int i = 0; i < o.pins; ++i)
        window.valueCharts()->addPin(hermes::ui::ValuePin{pinFilter, QStringLiteral("seq"), i / 2});

    std::printf("bench_guistall: clients=%d rate=%d/s duration=%.0fs topics=%d publishers=%d payload=%d pins=%d platform=%s "
                "broker=%s\n",
                o.clients, o.rate, o.duration, o.topics, o.publishers, o.payload, o.pins,
                qPrintable(QGuiApplication::platformName()), attached ? o.attach.c_str() : "embedded");
    std::fflush(stdout);

    enum class Stage { Starting, Connecting, Flooding, Done } stage = Stage::Starting;
    Phase connecting;
    Phase flooding;
    std::vector<qint64> floodRss;
    hermes::BrokerCounters counters;
    hermes::BrokerCounters atFloodStart;
    QElapsedTimer floodClock;
    QElapsedTimer clock;
    clock.start();
    QString loadDone;
    int exitCode = 0;

    // The probe: lateness of a 10 ms timer is time the GUI thread was busy elsewhere.
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    qint64 lastNs = clock.nsecsElapsed();
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double late = std::max(0.0, double(now - lastNs) / 1e6 - 10.0);
        lastNs = now;
        if (stage == Stage::Connecting)
            connecting.add(now, late);
        else if (stage == Stage::Flooding)
            flooding.add(now, late);
    });
    probe.start();

    double brokerCpuAtFloodStart = -1;
    double brokerCpuPct = -1; ///< over the flood; 100 = one core
    quint64 captured = 0;
    quint64 notCaptured = 0;
    QElapsedTimer attachClock;
    bool snapshotShown = false;
    QObject::connect(&engine, &hermes::EngineMonitor::telemetry, [&](const hermes::TelemetryBatch &batch) {
        counters = batch.counters;
        if (stage == Stage::Flooding) {
            captured += quint64(batch.messages.size());
            notCaptured += batch.messagesNotCaptured;
        }
        // Attached, the first (full) batch is the sessions snapshot; this runs after the
        // window's own handler, so the views hold it now: the flood may start.
        if (attached && batch.full && !snapshotShown) {
            snapshotShown = true;
            std::printf("snapshot of %lld sessions shown %lld ms after start()\n",
                        static_cast<long long>(batch.changedSessions.size()), static_cast<long long>(attachClock.elapsed()));
            std::fflush(stdout);
            const QByteArray target = loadTarget.toLocal8Bit();
            [[maybe_unused]] const ssize_t n = ::write(toLoad[1], target.constData(), size_t(target.size()));
        }
    });
    QObject::connect(&engine, &hermes::EngineMonitor::startFailed, [&](const QString &reason) {
        std::fprintf(stderr, "broker did not start: %s\n", qPrintable(reason));
        exitCode = 1;
        app.quit();
    });
    QObject::connect(&engine, &hermes::EngineMonitor::started, [&](const QList<hermes::ListenAddress> &addresses) {
        if (attached) {
            std::printf("attached to %s in %lld ms; loading the sessions…\n", o.attach.c_str(),
                        static_cast<long long>(attachClock.elapsed()));
            std::fflush(stdout);
            return;
        }
        const std::string port = std::to_string(addresses.first().port);
        [[maybe_unused]] const ssize_t n = ::write(toLoad[1], port.data(), port.size());
        stage = Stage::Connecting;
        connecting.startNs = clock.nsecsElapsed();
        std::printf("broker listening on %s; connecting %d clients…\n", qPrintable(addresses.first().toString()),
                    o.clients);
        std::fflush(stdout);
    });

    QObject::connect(&engine, &hermes::EngineMonitor::linkChanged, [&](bool up, const QString &message) {
        std::fprintf(stderr, "link to hermesd %s: %s\n", up ? "back" : "lost", qPrintable(message));
    });

    // Every dock gets its turn on screen, so every view paints during the flood.
    const QList<QDockWidget *> docks = window.findChildren<QDockWidget *>();
    int dockTurn = 0;
    QTimer rotate;
    rotate.setInterval(5000);
    QObject::connect(&rotate, &QTimer::timeout, [&] {
        if (docks.isEmpty())
            return;
        docks.at(dockTurn++ % docks.size())->raise();
    });

    QTimer sampler;
    sampler.setInterval(int(o.sample * 1000));
    qsizetype lastTick = 0;
    QObject::connect(&sampler, &QTimer::timeout, [&] {
        const qint64 rss = rssKb(::getpid());
        floodRss.push_back(rss);
        const std::vector<double> recent(flooding.lateMs.begin() + lastTick, flooding.lateMs.end());
        lastTick = qsizetype(flooding.lateMs.size());
        std::printf("t=%5.0fs rss_mb=%.1f load_rss_mb=%.1f connected=%llu in=%llu out=%llu topics=%lld "
                    "stall_p99_ms=%.1f stall_max_ms=%.1f\n",
                    double(floodClock.elapsed()) / 1000, double(rss) / 1024, double(rssKb(child)) / 1024,
                    static_cast<unsigned long long>(counters.clientsConnected),
                    static_cast<unsigned long long>(counters.publishReceived - atFloodStart.publishReceived),
                    static_cast<unsigned long long>(counters.publishSent - atFloodStart.publishSent),
                    static_cast<long long>(window.topics()->model()->topicCount()), percentile(recent, 0.99),
                    recent.empty() ? 0.0 : *std::max_element(recent.cbegin(), recent.cend()));
        std::fflush(stdout);
    });

    QSocketNotifier fromLoadNotifier(fromLoad[0], QSocketNotifier::Read);
    QByteArray lineBuffer;
    QObject::connect(&fromLoadNotifier, &QSocketNotifier::activated, [&] {
        char chunk[512];
        const ssize_t n = ::read(fromLoad[0], chunk, sizeof chunk);
        if (n <= 0) {
            fromLoadNotifier.setEnabled(false);
            if (stage != Stage::Done) {
                std::fprintf(stderr, "load process ended early\n");
                exitCode = 1;
                app.quit();
            }
            return;
        }
        lineBuffer.append(chunk, n);
        while (lineBuffer.contains('\n')) {
            const qsizetype end = lineBuffer.indexOf('\n');
            const QByteArray line = lineBuffer.left(end);
            lineBuffer.remove(0, end + 1);
            if (line.startsWith("READY")) {
                const QList<QByteArray> parts = line.split(' ');
                std::printf("%s clients answered in %s s; flooding %d msg/s for %.0f s\n",
                            parts.value(1).constData(), parts.value(2).constData(), o.rate, o.duration);
                std::fflush(stdout);
                // Show one live session's heartbeat timeline during the flood.
                emit window.sessions()->sessionActivated(QString::fromStdString(o.watch));
                atFloodStart = counters;
                brokerCpuAtFloodStart = o.brokerPid > 0 ? cpuSeconds(o.brokerPid) : -1;
                stage = Stage::Flooding;
                flooding.startNs = clock.nsecsElapsed();
                floodClock.start();
                sampler.start();
                rotate.start();
            } else if (line.startsWith("DONE")) {
                loadDone = QString::fromLatin1(line.mid(5));
                if (brokerCpuAtFloodStart >= 0)
                    brokerCpuPct = 100 * (cpuSeconds(o.brokerPid) - brokerCpuAtFloodStart)
                        / std::max(0.001, double(floodClock.elapsed()) / 1000);
                // One more telemetry tick for the final counters, then the summary.
                QTimer::singleShot(600, &app, [&] {
                    stage = Stage::Done;
                    app.quit();
                });
            }
        }
    });

    if (attached) {
        // The attach and the snapshot are this phase. It begins once the window's first
        // layout and paint are over (one or two ticks of 80-160 ms on the 2-core machine):
        // they belong to opening the window, not to attaching. (The embedded broker starts
        // within that first paint, so its connect phase includes it.)
        QTimer::singleShot(1000, &app, [&] {
            stage = Stage::Connecting;
            connecting.startNs = clock.nsecsElapsed();
            attachClock.start();
            engine.start();
        });
    } else {
        engine.start();
    }
    app.exec();
    sampler.stop();
    probe.stop();

    const double floodSeconds = std::max(0.001, double(floodClock.elapsed()) / 1000);
    std::printf("\nSUMMARY clients=%d rate_target=%d/s duration_s=%.0f platform=%s broker=%s\n", o.clients, o.rate,
                floodSeconds, qPrintable(QGuiApplication::platformName()), attached ? o.attach.c_str() : "embedded");
    std::printf("  load: %s\n", qPrintable(loadDone));
    std::printf("  broker: connected=%llu publish_in_per_s=%.0f publish_out_per_s=%.0f dropped=%llu\n",
                static_cast<unsigned long long>(counters.clientsConnected),
                double(counters.publishReceived - atFloodStart.publishReceived) / floodSeconds,
                double(counters.publishSent - atFloodStart.publishSent) / floodSeconds,
                static_cast<unsigned long long>(counters.publishDropped));
    if (brokerCpuPct >= 0)
        std::printf("  hermesd_cpu_pct_during_flood=%.0f (100 = one core)\n", brokerCpuPct);
    std::printf("  console: messages_captured=%llu messages_not_captured=%llu (%.0f/s and %.0f/s)\n",
                static_cast<unsigned long long>(captured), static_cast<unsigned long long>(notCaptured),
                double(captured) / floodSeconds, double(notCaptured) / floodSeconds);
    std::printf("  %s\n", qPrintable(connecting.summary("connect_phase")));
    std::printf("  %s\n", qPrintable(flooding.summary("flood_phase")));
    if (!floodRss.empty()) {
        const auto [minRss, maxRss] = std::minmax_element(floodRss.cbegin(), floodRss.cend());
        const size_t half = floodRss.size() / 2;
        std::printf("  rss_mb: first=%.1f min=%.1f max=%.1f last=%.1f (second half max %.1f)\n",
                    double(floodRss.front()) / 1024, double(*minRss) / 1024, double(*maxRss) / 1024,
                    double(floodRss.back()) / 1024,
                    double(*std::max_element(floodRss.cbegin() + qsizetype(half), floodRss.cend())) / 1024);
    }
    std::printf("  topics_in_view=%lld messages_rows=%d\n", static_cast<long long>(window.topics()->model()->topicCount()),
                window.messages()->model()->rowCount());

    ::close(toLoad[1]); // releases the load process
    int status = 0;
    ::waitpid(child, &status, 0);
    window.close();
    return exitCode;
}
