#include "localengine.h"

#include "engine/broker.h"
#include "engine/io/epolldispatcher.h"
#include "engine/push/adminapi.h"
#include "engine/push/sessionwatch.h"
#include "engine/simulator/scenariorunner.h"

#include <QPointer>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>

namespace hermes {

LocalEngine::LocalEngine(BrokerConfig config, QObject *parent)
    : EngineMonitor(parent)
    , m_config(std::move(config))
{
    qRegisterMetaType<TelemetryBatch>();
    qRegisterMetaType<SessionDetail>();
    qRegisterMetaType<CloseInfo>();
    qRegisterMetaType<analytics::NetworkReport>();
    m_thread.setObjectName(QStringLiteral("hermes-engine"));
    qRegisterMetaType<sim::Scenario>();
    qRegisterMetaType<sim::ScenarioEvent>();
    qRegisterMetaType<sim::SimulationSnapshot>();
    m_simulationThread.setObjectName(QStringLiteral("hermes-simulator"));
    // A simulation connects to the ports actually bound (port 0 becomes a real one).
    connect(this, &EngineMonitor::started, this, [this](const QList<ListenAddress> &addresses) {
        m_boundAddresses = addresses;
    });
}

LocalEngine::~LocalEngine()
{
    shutdownSimulation(); // the fleet says goodbye while the broker still listens
    if (Broker *broker = std::exchange(m_broker, nullptr)) {
        // The engine thread deletes its own objects; the GUI waits for that once, at exit.
        QMetaObject::invokeMethod(broker, [broker] {
            broker->stop();
            broker->deleteLater(); // deleted when the thread finishes below
        }, Qt::BlockingQueuedConnection);
    }
    m_thread.quit();
    m_thread.wait();
}

void LocalEngine::start()
{
    if (m_running || m_broker)
        return;
    if (!m_thread.isRunning()) {
        // The engine thread holds every client socket: epoll scales where Qt's default
        // dispatcher does not. A finished thread deletes its dispatcher, so each start
        // installs a fresh one.
        m_thread.setEventDispatcher(new EpollEventDispatcher);
        m_thread.start();
    }
    // A short-lived object on the engine thread carries the start-up work there.
    auto *starter = new QObject;
    starter->moveToThread(&m_thread);
    const QPointer<LocalEngine> self(this);
    QMetaObject::invokeMethod(starter, [self, starter, config = m_config, interval = m_interval] {
        starter->deleteLater();
        QString pushProblem;
        const std::optional<PushConfig> pushConfig = PushConfig::fromSettings(config.push, &pushProblem);
        auto *broker = new Broker(config);
        if (!pushConfig || !broker->start()) {
            const QString reason = pushConfig ? broker->errorString() : pushProblem;
            const std::optional<ListenAddress> taken = pushConfig ? broker->addressInUse() : std::nullopt;
            delete broker;
            QMetaObject::invokeMethod(self, [self, reason, taken] {
                if (!self)
                    return;
                if (taken)
                    emit self->listenAddressTaken(*taken);
                emit self->startFailed(reason);
            });
            return;
        }
        broker->enableTelemetry();
        PushService &push = installPushServices(*broker, *pushConfig);
        QObject::connect(&push, &PushService::devicesChanged, broker, [self, &push] {
            QMetaObject::invokeMethod(self, [self, devices = push.devices().all()] {
                if (self)
                    emit self->devicesListed(devices);
            });
        });
        // At most one batch waits in the GUI's queue: a busy GUI skips ticks instead of
        // piling up batches; dirty sessions simply ride along in the next one.
        auto pending = std::make_shared<std::atomic_bool>(false);
        auto *tick = new QTimer(broker);
        tick->setInterval(interval);
        QObject::connect(tick, &QTimer::timeout, broker, [self, broker, pending, reportsSeen = quint64(0)]() mutable {
            if (pending->exchange(true))
                return;
            TelemetryBatch batch = broker->takeTelemetry();
            QList<PushReport> reports;
            if (auto *push = broker->findChild<PushService *>()) {
                for (const QString &pushId : push->reportsChangedAfter(reportsSeen)) {
                    if (std::optional<PushReport> report = push->report(pushId))
                        reports.append(std::move(*report));
                }
                reportsSeen = push->reportSerial();
            }
            std::optional<SessionDetail> watched;
            if (auto *watch = broker->findChild<SessionWatch *>(QString(), Qt::FindDirectChildrenOnly)) {
                if (std::optional<SessionWatch::Change> change = watch->changed(*broker))
                    watched = std::move(change->detail);
            }
            QMetaObject::invokeMethod(self, [self, pending, batch = std::move(batch), reports = std::move(reports),
                                             watched = std::move(watched)] {
                pending->store(false);
                if (!self)
                    return;
                emit self->telemetry(batch);
                if (!reports.isEmpty())
                    emit self->pushReportsChanged(reports);
                if (watched)
                    emit self->sessionDetail(*watched);
            });
        });
        tick->start();
        QObject::connect(broker, &Broker::storeError, broker, [self](const QString &message) {
            QMetaObject::invokeMethod(self, [self, message] {
                if (self)
                    emit self->storeError(message);
            });
        });
        const QList<ListenAddress> addresses = broker->listenAddresses();
        QMetaObject::invokeMethod(self, [self, broker, addresses] {
            if (!self) {
                QMetaObject::invokeMethod(broker, [broker] {
                    broker->stop();
                    broker->deleteLater();
                });
                return;
            }
            self->m_broker = broker;
            self->m_running = true;
            emit self->started(addresses);
        });
    });
}

void LocalEngine::stop()
{
    Broker *broker = std::exchange(m_broker, nullptr);
    if (!broker)
        return;
    m_running = false;
    const QPointer<LocalEngine> self(this);
    QMetaObject::invokeMethod(broker, [self, broker] {
        broker->stop(); // disconnects clients, commits the store, closes listeners
        broker->deleteLater();
        QMetaObject::invokeMethod(self, [self] {
            if (self)
                emit self->stopped();
        });
    });
}

bool LocalEngine::setListenAddresses(const QList<ListenAddress> &addresses)
{
    m_config.listeners = addresses;
    return true;
}

void LocalEngine::onEngine(std::function<void(Broker &)> work)
{
    if (Broker *broker = m_broker)
        QMetaObject::invokeMethod(broker, [broker, work = std::move(work)] { work(*broker); });
}

void LocalEngine::requestSessionDetail(const QString &clientId)
{
    const QPointer<LocalEngine> self(this);
    onEngine([self, clientId](Broker &broker) {
        std::optional<SessionDetail> detail = broker.sessionDetail(clientId);
        if (!detail)
            return;
        QMetaObject::invokeMethod(self, [self, detail = std::move(*detail)] {
            if (self)
                emit self->sessionDetail(detail);
        });
    });
}

void LocalEngine::watchSession(const QString &clientId)
{
    // The watch is a child of the broker, so the telemetry tick finds it and it ends with
    // the broker; the detail as it is now answers at once.
    const QPointer<LocalEngine> self(this);
    onEngine([self, clientId](Broker &broker) {
        delete broker.findChild<SessionWatch *>(QString(), Qt::FindDirectChildrenOnly);
        if (clientId.isEmpty())
            return;
        auto *watch = new SessionWatch(clientId, &broker);
        if (std::optional<SessionWatch::Change> now = watch->changed(broker)) {
            QMetaObject::invokeMethod(self, [self, detail = std::move(now->detail)] {
                if (self)
                    emit self->sessionDetail(detail);
            });
        }
    });
}

void LocalEngine::kick(const QString &clientId)
{
    onEngine([clientId](Broker &broker) { broker.kick(clientId); });
}

void LocalEngine::publish(const mqtt::Publish &message)
{
    onEngine([message](Broker &broker) { broker.publish(message); });
}

void LocalEngine::deleteRetained(const QString &topic)
{
    onEngine([topic](Broker &broker) { broker.deleteRetained(topic); });
}

void LocalEngine::requestRetained()
{
    const QPointer<LocalEngine> self(this);
    onEngine([self](Broker &broker) {
        QList<MessageRecord> records;
        for (auto it = broker.retained().all().cbegin(); it != broker.retained().all().cend(); ++it) {
            MessageRecord record;
            record.atMs = it->storedAtMs;
            record.topic = it.key();
            record.payload = it->publish.payload.left(MessageRecord::MaxPayload);
            record.payloadSize = it->publish.payload.size();
            record.qos = it->publish.qos;
            record.retain = true;
            record.contentType = it->publish.properties.contentType.value_or(QString());
            records.append(std::move(record));
        }
        QMetaObject::invokeMethod(self, [self, records] {
            if (self)
                emit self->retainedMessages(records);
        });
    });
}

void LocalEngine::onPushService(std::function<void(PushService &)> work)
{
    onEngine([work = std::move(work)](Broker &broker) {
        if (auto *push = broker.findChild<PushService *>())
            work(*push);
    });
}

void LocalEngine::toGui(const QPointer<LocalEngine> &self, std::function<void(LocalEngine &)> work)
{
    if (LocalEngine *engine = self.data()) {
        QMetaObject::invokeMethod(engine, [self, work = std::move(work)] {
            if (self)
                work(*self);
        });
    }
}

void LocalEngine::sendPush(const PushRequest &request)
{
    const QPointer<LocalEngine> self(this);
    onPushService([self, request](PushService &push) {
        auto result = push.send(request);
        toGui(self, [request, result = std::move(result)](LocalEngine &engine) {
            if (const auto *error = std::get_if<PushError>(&result))
                emit engine.pushRefused(request, error->message);
            else
                emit engine.pushAccepted(std::get<PushReport>(result));
        });
    });
}

void LocalEngine::requestAudience(const PushTarget &target)
{
    const QPointer<LocalEngine> self(this);
    onPushService([self, target](PushService &push) {
        const auto result = push.audience(target);
        toGui(self, [target, result](LocalEngine &engine) {
            if (const auto *error = std::get_if<PushError>(&result)) {
                emit engine.audienceResolved(target, 0, {}, error->message);
                return;
            }
            const QStringList &ids = std::get<QStringList>(result);
            emit engine.audienceResolved(target, int(ids.size()), ids.mid(0, 20), QString());
        });
    });
}

void LocalEngine::requestDevices()
{
    const QPointer<LocalEngine> self(this);
    onPushService([self](PushService &push) {
        toGui(self, [devices = push.devices().all()](LocalEngine &engine) { emit engine.devicesListed(devices); });
    });
}

void LocalEngine::changeAccounts(std::function<bool(Broker &, QString *)> change)
{
    const QPointer<LocalEngine> self(this);
    onEngine([self, change = std::move(change)](Broker &broker) {
        QString problem;
        const bool failed = change && !change(broker, &problem);
        QList<AccountInfo> accounts;
        for (const Broker::AccountEntry &entry : broker.accounts())
            accounts.append({entry.account.userName, entry.account.role, entry.fromConfig});
        toGui(self, [failed, problem, accounts](LocalEngine &engine) {
            if (failed)
                emit engine.accountChangeFailed(problem);
            emit engine.accountsListed(accounts);
        });
    });
}

void LocalEngine::requestAccounts()
{
    changeAccounts({});
}

void LocalEngine::setAccount(const QString &name, Role role, const QString &password)
{
    changeAccounts([name, role, password](Broker &broker, QString *problem) {
        return broker.setAccount(Account{name, role, PasswordHash::create(password.toUtf8()), {}}, problem);
    });
}

void LocalEngine::removeAccount(const QString &name)
{
    changeAccounts([name](Broker &broker, QString *problem) { return broker.removeAccount(name, problem); });
}

void LocalEngine::requestNetworks()
{
    const QPointer<LocalEngine> self(this);
    onEngine([self](Broker &broker) {
        toGui(self, [networks = broker.fleet().reports()](LocalEngine &engine) { emit engine.networksListed(networks); });
    });
}

// --- Simulations ------------------------------------------------------------------------
// The runner and its fleet live on m_simulationThread (epoll, like the broker's thread), so
// a thousand devices do not share an event loop with the broker they measure. The GUI
// thread owns the runner's lifetime: only it sets m_simulation and only it deleteLater()s
// it, after finished() or a failed start, so a queued stop() can never reach a dead runner.

void LocalEngine::startSimulation(const sim::Scenario &scenario)
{
    if (m_simulation) {
        emit simulationFailed(QStringLiteral("a simulation is already running"));
        return;
    }
    if (!m_running) {
        emit simulationFailed(QStringLiteral("the broker is not running"));
        return;
    }
    const auto plain = std::find_if(m_boundAddresses.cbegin(), m_boundAddresses.cend(),
                                    [](const ListenAddress &address) { return !address.tls; });
    if (plain == m_boundAddresses.cend()) {
        emit simulationFailed(QStringLiteral("the broker has no plain TCP listener"));
        return;
    }
    sim::RunOptions options;
    // A wildcard listener is reached over loopback.
    if (plain->host == QHostAddress::AnyIPv4 || plain->host == QHostAddress::Any)
        options.brokerHost = QStringLiteral("127.0.0.1");
    else if (plain->host == QHostAddress::AnyIPv6)
        options.brokerHost = QStringLiteral("::1");
    else
        options.brokerHost = plain->host.toString();
    options.brokerPort = plain->port;
    options.sampleInterval = m_simulationInterval;

    // Each relayed device costs three descriptors (its socket, the relay's two) and the
    // broker one more: take what the hard limit allows, as hermesctl does.
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (!m_simulationThread.isRunning()) {
        // A finished thread deletes its dispatcher: each start installs a fresh one.
        m_simulationThread.setEventDispatcher(new EpollEventDispatcher);
        m_simulationThread.start();
    }
    auto *runner = new sim::ScenarioRunner(scenario, options);
    runner->moveToThread(&m_simulationThread);
    m_simulation = runner;

    const QPointer<LocalEngine> self(this);
    const QList<ListenAddress> bound = m_boundAddresses;
    // Called on the simulator thread; the restart itself is the GUI thread's stop()/start().
    runner->setBrokerControl([self, bound](sim::ScenarioEvent::Kind) {
        toGui(self, [bound](LocalEngine &engine) { engine.restartBrokerForSimulation(bound); });
        return true;
    });
    // Pushes are published by the broker itself (the runner's own sender would not come
    // back after a broker restart). A burst publishes thousands in one loop: they travel to
    // the engine thread as one batch, posted when the first of them is queued.
    auto outbox = std::make_shared<QList<mqtt::Publish>>(); // touched on the simulator thread only
    runner->setPublisher([self, runner, outbox](const mqtt::Publish &message) {
        if (outbox->isEmpty()) {
            QMetaObject::invokeMethod(runner, [self, outbox] {
                toGui(self, [batch = std::exchange(*outbox, {})](LocalEngine &engine) {
                    engine.onEngine([batch](Broker &broker) {
                        for (const mqtt::Publish &publish : batch)
                            broker.publish(publish);
                    });
                });
            }, Qt::QueuedConnection);
        }
        outbox->append(message);
    });
    // Progress carries only the samples not sent yet, and at most one snapshot waits in the
    // GUI's queue (as with telemetry): a busy GUI gets the skipped samples with the next one.
    auto pending = std::make_shared<std::atomic_bool>(false);
    auto sentSamples = std::make_shared<qsizetype>(0); // touched on the simulator thread only
    connect(runner, &sim::ScenarioRunner::progress, runner,
            [self, pending, sentSamples](const sim::SimulationSnapshot &snapshot) {
                if (pending->exchange(true))
                    return;
                sim::SimulationSnapshot slice = snapshot;
                slice.samples = snapshot.samples.mid(*sentSamples);
                *sentSamples = snapshot.samples.size();
                toGui(self, [pending, slice = std::move(slice)](LocalEngine &engine) {
                    pending->store(false);
                    emit engine.simulationProgress(slice);
                });
            }, Qt::DirectConnection);
    connect(runner, &sim::ScenarioRunner::eventApplied, runner, [self](const QString &description) {
        toGui(self, [description](LocalEngine &engine) { emit engine.simulationEvent(description); });
    }, Qt::DirectConnection);
    connect(runner, &sim::ScenarioRunner::finished, runner,
            [self, runner, sentSamples](const sim::SimulationSnapshot &snapshot) {
                sim::SimulationSnapshot last = snapshot;
                last.samples = snapshot.samples.mid(*sentSamples);
                toGui(self, [runner, last = std::move(last)](LocalEngine &engine) {
                    if (engine.m_simulation == runner) {
                        engine.m_simulation = nullptr;
                        runner->deleteLater();
                    }
                    emit engine.simulationFinished(last);
                });
            }, Qt::DirectConnection);
    QMetaObject::invokeMethod(runner, [self, runner] {
        if (runner->start()) {
            toGui(self, [scenario = runner->scenario()](LocalEngine &engine) { emit engine.simulationStarted(scenario); });
            return;
        }
        toGui(self, [runner, error = runner->errorString()](LocalEngine &engine) {
            if (engine.m_simulation == runner) {
                engine.m_simulation = nullptr;
                runner->deleteLater();
            }
            emit engine.simulationFailed(error);
        });
    });
}

void LocalEngine::stopSimulation()
{
    if (sim::ScenarioRunner *runner = m_simulation)
        QMetaObject::invokeMethod(runner, [runner] { runner->stop(); });
}

void LocalEngine::applySimulationEvent(const sim::ScenarioEvent &event)
{
    if (sim::ScenarioRunner *runner = m_simulation) {
        QMetaObject::invokeMethod(runner, [runner, event] {
            if (runner->isRunning())
                runner->apply(event);
        });
    }
}

void LocalEngine::restartBrokerForSimulation(const QList<ListenAddress> &bound)
{
    if (!m_broker)
        return; // the operator stopped it: there is nothing to restart
    // The same ports as before (a configured port 0 would move), so the devices and the
    // relay find the broker again; the operator's configuration stays as it was.
    const QList<ListenAddress> configured = m_config.listeners;
    m_config.listeners = bound;
    stop();  // queued on the engine thread: every client loses its connection...
    start(); // ...and the new broker listens right after, in the same queue
    m_config.listeners = configured;
}

void LocalEngine::shutdownSimulation()
{
    if (sim::ScenarioRunner *runner = std::exchange(m_simulation, nullptr)) {
        QMetaObject::invokeMethod(runner, [runner] {
            runner->stop();
            delete runner;
        }, Qt::BlockingQueuedConnection);
    }
    m_simulationThread.quit();
    m_simulationThread.wait();
}

} // namespace hermes
