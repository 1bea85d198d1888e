#include "localengine.h"

#include "broker.h"
#include "epolldispatcher.h"
#include "push/adminapi.h"

#include <QPointer>
#include <QTimer>

#include <atomic>

namespace hermes {

LocalEngine::LocalEngine(BrokerConfig config, QObject *parent)
    : EngineMonitor(parent)
    , m_config(std::move(config))
{
    qRegisterMetaType<TelemetryBatch>();
    qRegisterMetaType<SessionDetail>();
    qRegisterMetaType<CloseInfo>();
    m_thread.setObjectName(QStringLiteral("hermes-engine"));
}

LocalEngine::~LocalEngine()
{
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
            delete broker;
            QMetaObject::invokeMethod(self, [self, reason] {
                if (self)
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
        QObject::connect(tick, &QTimer::timeout, broker, [self, broker, pending] {
            if (pending->exchange(true))
                return;
            TelemetryBatch batch = broker->takeTelemetry();
            QList<PushReport> reports;
            if (auto *push = broker->findChild<PushService *>()) {
                for (const QString &pushId : push->takeChangedReports()) {
                    if (std::optional<PushReport> report = push->report(pushId))
                        reports.append(std::move(*report));
                }
            }
            QMetaObject::invokeMethod(self, [self, pending, batch = std::move(batch), reports = std::move(reports)] {
                pending->store(false);
                if (!self)
                    return;
                emit self->telemetry(batch);
                if (!reports.isEmpty())
                    emit self->pushReportsChanged(reports);
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
        return broker.setAccount(Account{name, role, PasswordHash::create(password.toUtf8())}, problem);
    });
}

void LocalEngine::removeAccount(const QString &name)
{
    changeAccounts([name](Broker &broker, QString *problem) { return broker.removeAccount(name, problem); });
}

} // namespace hermes
