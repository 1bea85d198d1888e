// simulate: runs a device fleet from a scenario file against a broker (docs/SIMULATOR.md).
#include "commands.h"

#include "engine/io/epolldispatcher.h"
#include "engine/simulator/brokerlist.h"
#include "engine/simulator/scenario.h"
#include "engine/simulator/scenariorunner.h"
#include "engine/simulator/statistics.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonObject>
#include <QHostAddress>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTextStream>
#include <QThread>
#include <QTimer>

#include <sys/resource.h>

#include <atomic>
#include <cmath>
#include <csignal>

namespace hermes::cli {

namespace {

/// Ephemeral ports one source address can use towards one broker address (Linux default
/// range 32768–60999, less some headroom).
constexpr int DevicesPerSourceAddress = 25000;
/// In a --source-network, addresses are spread like a carrier's: several devices per address.
constexpr int DevicesPerNetworkAddress = 25;

/// A fleet holds one descriptor per device and the relay two more: take what the hard
/// limit allows.
void raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

qint64 descriptorLimit()
{
    rlimit limit{};
    return getrlimit(RLIMIT_NOFILE, &limit) == 0 ? qint64(limit.rlim_cur) : -1;
}

/// SIGINT or SIGTERM: end the run early, still printing what was measured.
std::atomic<int> stopRequested{0};

extern "C" void requestStop(int signal)
{
    stopRequested.store(signal);
}

/// Peak resident set size of this process in KiB (VmHWM), -1 when unknown.
qint64 peakRssKiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

int runSimulateCommand(const QStringList &arguments)
{
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("Runs a simulated device fleet from a scenario file against a running MQTT broker\n"
                           "(Hermes or any other) and prints its statistics. See docs/SIMULATOR.md."));
    parser.addHelpOption();
    const QCommandLineOption scenarioOption(QStringLiteral("scenario"), QStringLiteral("The scenario file."),
                                            QStringLiteral("FILE"));
    const QCommandLineOption devicesOption(QStringLiteral("devices"), QStringLiteral("Overrides the number of devices."),
                                           QStringLiteral("N"));
    const QCommandLineOption brokerOption(
            QStringLiteral("broker"),
            QStringLiteral("The broker (default: the scenario's, else 127.0.0.1:1883), or a cluster's nodes "
                           "A:PORT,B:PORT: devices are spread over them round robin and reconnect to the next "
                           "one when theirs is lost (needs \"nat direct\")."),
            QStringLiteral("HOST:PORT[,HOST:PORT…]"));
    const QCommandLineOption userOption(QStringLiteral("user"), QStringLiteral("The devices' MQTT user name."),
                                        QStringLiteral("NAME"));
    const QCommandLineOption passwordFileOption(
            QStringLiteral("password-file"),
            QStringLiteral("A file whose first line is the devices' MQTT password (with --user)."),
            QStringLiteral("FILE"));
    const QCommandLineOption scaleOption(QStringLiteral("time-scale"),
                                         QStringLiteral("Simulated seconds per real second (overrides the scenario)."),
                                         QStringLiteral("X"));
    const QCommandLineOption jsonOption(QStringLiteral("json"),
                                        QStringLiteral("Print the result as JSON on stdout (progress goes to stderr)."));
    const QCommandLineOption quietOption(QStringLiteral("quiet"), QStringLiteral("No progress lines."));
    const QCommandLineOption sourcesOption(
            QStringLiteral("source-addresses"),
            QStringLiteral("Bind the devices to N loopback addresses 127.0.0.2… (more ephemeral ports; default: "
                           "one per %1 devices against a loopback broker).").arg(DevicesPerSourceAddress),
            QStringLiteral("N"));
    const QCommandLineOption networkOption(
            QStringLiteral("source-network"),
            QStringLiteral("Bind the devices to addresses of CIDR (within 127.0.0.0/8), seen by the broker even "
                           "behind the scenario's NAT: one simulated carrier network for hermesd's network "
                           "analytics. With --source-addresses N, N of them (default: one per 25 devices)."),
            QStringLiteral("CIDR"));
    parser.addOptions({scenarioOption, devicesOption, brokerOption, userOption, passwordFileOption, scaleOption,
                       jsonOption, quietOption, sourcesOption, networkOption});
    if (!parser.parse(arguments)) {
        err << "hermesctl simulate: " << parser.errorText() << '\n';
        return UsageError;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText().replace(QStringLiteral("simulate [options]"),
                                                         QStringLiteral("hermesctl simulate [options]"));
        return Success;
    }
    if (!parser.positionalArguments().isEmpty()) {
        err << "hermesctl simulate: unexpected argument \"" << parser.positionalArguments().first() << "\"\n";
        return UsageError;
    }
    if (!parser.isSet(scenarioOption)) {
        err << "hermesctl simulate: --scenario FILE is required\n";
        return UsageError;
    }

    const auto loaded = sim::loadScenario(parser.value(scenarioOption));
    if (const auto *error = std::get_if<sim::ScenarioError>(&loaded)) {
        err << "hermesctl simulate: " << error->toString() << '\n';
        return UsageError;
    }
    sim::RunOptions options;
    if (parser.isSet(devicesOption)) {
        bool ok = false;
        const int devices = parser.value(devicesOption).toInt(&ok);
        if (!ok || devices < 1 || devices > 1000000) {
            err << "hermesctl simulate: --devices needs a number from 1 to 1000000\n";
            return UsageError;
        }
        options.devices = devices;
    }
    if (parser.isSet(brokerOption)) {
        QString bad;
        const auto nodes = sim::parseBrokerList(parser.value(brokerOption), &bad);
        if (!nodes) {
            err << "hermesctl simulate: --broker is HOST:PORT or HOST:PORT,HOST:PORT…; \"" << bad
                << "\" is not an address\n";
            return UsageError;
        }
        options.brokerHost = nodes->first().host;
        options.brokerPort = nodes->first().port;
        options.moreBrokers = nodes->mid(1);
    }
    if (parser.isSet(passwordFileOption) && !parser.isSet(userOption)) {
        err << "hermesctl simulate: --password-file needs --user\n";
        return UsageError;
    }
    if (parser.isSet(userOption)) {
        options.userName = parser.value(userOption);
        if (parser.isSet(passwordFileOption)) {
            // A file, never the command line: other users can read a process's arguments.
            QFile file(parser.value(passwordFileOption));
            if (!file.open(QIODevice::ReadOnly)) {
                err << "hermesctl simulate: cannot read --password-file " << file.fileName() << ": "
                    << file.errorString() << '\n';
                return UsageError;
            }
            options.password = file.readLine().trimmed();
        }
    }
    if (parser.isSet(scaleOption)) {
        bool ok = false;
        const double scale = parser.value(scaleOption).toDouble(&ok);
        if (!ok || !(scale > 0) || !std::isfinite(scale)) {
            err << "hermesctl simulate: --time-scale needs a number above zero\n";
            return UsageError;
        }
        options.timeScale = scale;
    }
    const bool json = parser.isSet(jsonOption);
    const bool quiet = parser.isSet(quietOption);

    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false\nhermes.sim.runner.info=false"));
    auto *runner = new sim::ScenarioRunner(std::get<sim::Scenario>(loaded), options);

    int sources = 0;
    const QHostAddress brokerAddress(runner->brokerHost());
    const bool loopback = brokerAddress.isLoopback() || runner->brokerHost() == QLatin1String("localhost");
    std::optional<QPair<QHostAddress, int>> network;
    if (parser.isSet(networkOption)) {
        network = QHostAddress::parseSubnet(parser.value(networkOption));
        // Linux routes all of 127.0.0.0/8 to lo, so any address there can be bound; others
        // would need interfaces this machine may not have.
        if (network->second < 0 || network->first.protocol() != QAbstractSocket::IPv4Protocol
            || network->second < 8 || network->second > 30 || !network->first.isInSubnet(QHostAddress::parseSubnet(QStringLiteral("127.0.0.0/8")))) {
            err << "hermesctl simulate: --source-network is a range within 127.0.0.0/8 of at least 4 addresses "
                   "(e.g. 127.0.1.0/24), not \"" << parser.value(networkOption) << "\"\n";
            delete runner;
            return UsageError;
        }
        if (!loopback) {
            err << "hermesctl simulate: --source-network needs a broker on this machine (127.0.0.1), not "
                << runner->brokerHost() << '\n';
            delete runner;
            return UsageError;
        }
    }
    if (parser.isSet(sourcesOption)) {
        bool ok = false;
        sources = parser.value(sourcesOption).toInt(&ok);
        if (!ok || sources < 0 || sources > 250) {
            err << "hermesctl simulate: --source-addresses needs a number from 0 to 250\n";
            delete runner;
            return UsageError;
        }
    } else if (network) {
        sources = (runner->scenario().devices + DevicesPerNetworkAddress - 1) / DevicesPerNetworkAddress;
    } else if (loopback && runner->scenario().devices > DevicesPerSourceAddress) {
        sources = (runner->scenario().devices + DevicesPerSourceAddress - 1) / DevicesPerSourceAddress;
    }
    if (network) {
        // The network's hosts from .1 on, never its network or broadcast address.
        const quint32 first = network->first.toIPv4Address() + 1;
        const int hosts = (1 << (32 - network->second)) - 2;
        sources = std::clamp(sources, 1, hosts);
        QList<QHostAddress> addresses;
        for (int i = 0; i < sources; ++i)
            addresses.append(QHostAddress(first + quint32(i)));
        delete runner;
        options.localAddresses = addresses;
        options.keepSourceAddress = true;
        runner = new sim::ScenarioRunner(std::get<sim::Scenario>(loaded), options);
    } else if (sources > 0) {
        // Linux routes all of 127.0.0.0/8 to lo: any of them can be bound without setup.
        QList<QHostAddress> addresses;
        for (int i = 0; i < sources; ++i)
            addresses.append(QHostAddress(QStringLiteral("127.0.0.%1").arg(i + 2)));
        delete runner;
        options.localAddresses = addresses;
        runner = new sim::ScenarioRunner(std::get<sim::Scenario>(loaded), options);
    }

    const sim::Scenario &scenario = runner->scenario();
    raiseDescriptorLimit();
    const bool relayed = scenario.network != sim::Scenario::Network::Direct;
    const qint64 needed = qint64(scenario.devices) * (relayed ? 3 : 1) + 64;
    if (descriptorLimit() > 0 && needed > descriptorLimit()) {
        err << "hermesctl simulate: warning: " << scenario.devices << " devices need about " << needed
            << " file descriptors (" << (relayed ? "one per device and two per relay mapping; " : "")
            << "the limit is " << descriptorLimit() << "); some will fail to connect\n";
    }

    // Is anybody there? One probe per address before a thousand devices find out one by one;
    // with a cluster, a node that is down is only a warning (its devices move to the next).
    {
        const QList<sim::BrokerNode> nodes = runner->brokers();
        int reachable = 0;
        QStringList problems;
        for (const sim::BrokerNode &node : nodes) {
            QTcpSocket probe;
            probe.connectToHost(node.host, node.port);
            if (probe.waitForConnected(5000))
                ++reachable;
            else
                problems.append(QStringLiteral("cannot reach %1: %2").arg(node.toString(), probe.errorString()));
            probe.abort();
        }
        if (reachable == 0) {
            err << "hermesctl simulate: " << problems.join(QLatin1String("; ")) << '\n';
            delete runner;
            return Unreachable;
        }
        for (const QString &problem : std::as_const(problems))
            err << "hermesctl simulate: warning: " << problem << '\n';
    }

    // Thousands of sockets on one thread: epoll, as hermesd does. QCoreApplication already
    // installed the default dispatcher on the main thread, so the fleet gets its own thread.
    QThread thread;
    thread.setObjectName(QStringLiteral("simulator"));
    thread.setEventDispatcher(new EpollEventDispatcher);
    runner->moveToThread(&thread);

    QStringList brokerNames;
    for (const sim::BrokerNode &node : runner->brokers())
        brokerNames.append(node.toString());
    QTextStream out(stdout);
    QTextStream &progressOut = json ? err : out;
    if (!quiet) {
        progressOut << "simulating \"" << scenario.name << "\": " << scenario.devices << " devices, "
                    << scenario.networkName() << ", against " << brokerNames.join(QLatin1String(", "))
                    << ", " << sim::formatDuration(scenario.duration) << " at x" << scenario.timeScale << " ("
                    << QString::number(double(scenario.realDuration().count()) / 1000.0, 'f', 1) << " s)\n";
        progressOut.flush();
    }
    int exitCode = Success;
    // Both run on the simulator thread (direct connections); main only waits.
    QObject::connect(runner, &sim::ScenarioRunner::progress, runner,
                     [&](const sim::SimulationSnapshot &snapshot) {
                         if (quiet)
                             return;
                         progressOut << sim::formatProgress(snapshot) << '\n';
                         progressOut.flush();
                     }, Qt::DirectConnection);
    QObject::connect(runner, &sim::ScenarioRunner::eventApplied, runner,
                     [&](const QString &line) {
                         if (quiet)
                             return;
                         progressOut << "event " << line << '\n';
                         progressOut.flush();
                     }, Qt::DirectConnection);
    QObject::connect(runner, &sim::ScenarioRunner::finished, runner,
                     [&, runner](const sim::SimulationSnapshot &snapshot) {
                         const qint64 rss = peakRssKiB();
                         if (json) {
                             QJsonObject root = sim::toJson(snapshot);
                             root.insert(QStringLiteral("peakRssKiB"), rss);
                             out << QJsonDocument(root).toJson(QJsonDocument::Indented);
                         } else {
                             out << '\n' << sim::formatSummary(snapshot)
                                 << QStringLiteral("peak RSS").leftJustified(22) << QString::number(double(rss) / 1024.0, 'f', 1)
                                 << " MiB (hermesctl)\n";
                         }
                         out.flush();
                         if (snapshot.fleet.connects == 0)
                             exitCode = Unreachable;
                         runner->deleteLater();
                         QThread::currentThread()->quit();
                     }, Qt::DirectConnection);
    QObject::connect(&thread, &QThread::finished, QCoreApplication::instance(), &QCoreApplication::quit,
                     Qt::QueuedConnection);
    // A signal handler may only set a flag; the main thread looks at it and asks the runner
    // (on its own thread) to finish, which prints the statistics as at the scheduled end.
    std::atomic<bool> finishedRun{false};
    QObject::connect(runner, &sim::ScenarioRunner::finished, runner, [&finishedRun] { finishedRun = true; },
                     Qt::DirectConnection);
    stopRequested.store(0);
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    QTimer stopWatch;
    stopWatch.setInterval(100);
    bool stopAsked = false;
    QObject::connect(&stopWatch, &QTimer::timeout, [&] {
        if (stopRequested.load() == 0 || stopAsked || finishedRun.load())
            return;
        stopAsked = true;
        if (!quiet)
            err << "hermesctl simulate: stopping early (signal " << stopRequested.load() << ")\n";
        err.flush();
        QMetaObject::invokeMethod(runner, [runner] { runner->stop(); }, Qt::QueuedConnection);
    });
    stopWatch.start();
    QString startError;
    thread.start();
    QMetaObject::invokeMethod(runner, [runner, &startError] {
        if (!runner->start()) {
            startError = runner->errorString();
            runner->deleteLater();
            QThread::currentThread()->quit();
        }
    }, Qt::QueuedConnection);
    QCoreApplication::exec();
    stopWatch.stop();
    thread.wait();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!startError.isEmpty()) {
        err << "hermesctl simulate: " << startError << '\n';
        return RequestFailed;
    }
    return exitCode;
}

} // namespace hermes::cli
