// The epoll event dispatcher on a real QThread: timers, socket notifiers, wake-ups, quit,
// and then an in-process broker served by it, driven by clients on the test's thread.
#include "../common/testmain.h"
#include "engine/broker.h"
#include "engine/io/connectioncontext.h"
#include "engine/io/epolldispatcher.h"
#include "rawclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QLoggingCategory>
#include <QPointer>
#include <QScopeGuard>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace hermes;
using namespace hermes::mqtt;
using hermes::testing::RawClient;

namespace {

/// Records its timer events: which id, and when (ms since the recorder was created).
class TimerRecorder : public QObject
{
public:
    struct Shot {
        int id;
        qint64 atMs;
    };
    std::function<void(int id, int count)> onShot;
    QList<Shot> shots;
    QElapsedTimer clock;

    TimerRecorder() { clock.start(); }
    int count(int id) const
    {
        return int(std::count_if(shots.cbegin(), shots.cend(), [id](const Shot &s) { return s.id == id; }));
    }

protected:
    void timerEvent(QTimerEvent *event) override
    {
        shots.append({event->timerId(), clock.elapsed()});
        if (onShot)
            onShot(event->timerId(), count(event->timerId()));
    }
};

/// A loop on the dispatcher's thread, ended by quit() or a 5 s safety net.
int runLoop(QEventLoop &loop)
{
    QTimer::singleShot(5000, &loop, [&loop] { loop.exit(1); });
    return loop.exec();
}

QByteArray connectBytes(const QString &clientId)
{
    Connect connect;
    connect.clientId = clientId;
    connect.cleanStart = true;
    connect.keepAliveSeconds = 60;
    return encode(connect, ProtocolVersion::V3_1_1);
}

} // namespace

class TestEpollDispatcher : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void usesTheEpollDispatcher();
    void singleShotTimersFireInDeadlineOrder_data();
    void singleShotTimersFireInDeadlineOrder();
    void repeatingTimerKeepsItsInterval();
    void killInsideCallbackStopsTimer();
    void killingADueTimerInsideAnotherCallbackSuppressesIt();
    void zeroTimerDoesNotStarveOtherTimersOrSockets();
    void registeredTimersAndRemainingTime();
    void socketNotifierReadAndWriteOnSocketpair();
    void excludeSocketNotifiersHoldsActivations();
    void queuedInvokeWakesABlockedThread();
    void deleteLaterDeletes();
    void quitStopsTheThread();

    void brokerConnectSubscribeAndQos1RoundTrip();
    void brokerKeepAliveClosesAtOneAndAHalfTimes();
    void brokerAcceptsAndClosesTwoThousandConnections();
    void brokerKeepsWhatASlowReaderCannotTakeInOrder();

private:
    /// Runs `f` on the dispatcher's thread and waits for it.
    template <typename F>
    void onThread(F &&f)
    {
        QVERIFY(QMetaObject::invokeMethod(m_context, std::forward<F>(f), Qt::BlockingQueuedConnection));
    }
    EpollEventDispatcher *dispatcher() const
    {
        return qobject_cast<EpollEventDispatcher *>(m_thread->eventDispatcher());
    }
    void startBroker();
    void stopBroker();

    std::unique_ptr<QThread> m_thread;
    QObject *m_context = nullptr; ///< lives on m_thread; deleted there at finish
    Broker *m_broker = nullptr;   ///< lives on m_thread
    quint16 m_port = 0;
    std::atomic<int> m_blocks{0};
};

void TestEpollDispatcher::initTestCase()
{
    // 2,000 connections would log 4,000 debug lines.
    QLoggingCategory::setFilterRules(QStringLiteral("hermes.*.debug=false"));
}

void TestEpollDispatcher::init()
{
    m_thread = std::make_unique<QThread>();
    // Ownership passes to the thread (Qt deletes it when the thread ends).
    auto *epoll = new EpollEventDispatcher;
    connect(epoll, &QAbstractEventDispatcher::aboutToBlock, epoll, [this] { ++m_blocks; }, Qt::DirectConnection);
    m_thread->setEventDispatcher(epoll);
    m_context = new QObject;
    m_context->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
    m_thread->start();
    m_blocks = 0;
}

void TestEpollDispatcher::cleanup()
{
    stopBroker();
    m_thread->quit();
    QVERIFY(m_thread->wait(5000));
    m_thread.reset();
}

void TestEpollDispatcher::usesTheEpollDispatcher()
{
    QVERIFY(dispatcher());
    QThread *ranOn = nullptr;
    onThread([&] { ranOn = QThread::currentThread(); });
    QCOMPARE(ranOn, m_thread.get());
    QCOMPARE(QAbstractEventDispatcher::instance(m_thread.get()), dispatcher());
}

void TestEpollDispatcher::singleShotTimersFireInDeadlineOrder_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::newRow("precise") << Qt::PreciseTimer;
    QTest::newRow("coarse") << Qt::CoarseTimer;
}

void TestEpollDispatcher::singleShotTimersFireInDeadlineOrder()
{
    QFETCH(Qt::TimerType, type);
    QList<TimerRecorder::Shot> shots;
    QList<int> ids;
    onThread([&] {
        QEventLoop loop;
        TimerRecorder recorder;
        // Started in the "wrong" order; each kills itself after one shot.
        for (const int interval : {60, 20, 40, 0})
            ids.append(recorder.startTimer(interval, type));
        recorder.onShot = [&](int id, int) {
            recorder.killTimer(id);
            if (recorder.shots.size() == 4)
                loop.quit();
        };
        QCOMPARE(runLoop(loop), 0);
        shots = recorder.shots;
    });
    QCOMPARE(shots.size(), 4);
    const QList<int> expectedOrder{ids[3], ids[1], ids[2], ids[0]};
    const QList<qint64> intervals{0, 20, 40, 60};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(shots[i].id, expectedOrder[i]);
        // Never early; late by at most a scheduling hiccup.
        QVERIFY2(shots[i].atMs >= intervals[i] && shots[i].atMs <= intervals[i] + 50,
                 qPrintable(QStringLiteral("shot %1 at %2 ms").arg(i).arg(shots[i].atMs)));
    }
}

void TestEpollDispatcher::repeatingTimerKeepsItsInterval()
{
    QList<TimerRecorder::Shot> shots;
    onThread([&] {
        QEventLoop loop;
        TimerRecorder recorder;
        recorder.startTimer(15, Qt::PreciseTimer);
        recorder.onShot = [&](int, int count) {
            if (count == 6)
                loop.quit();
        };
        QCOMPARE(runLoop(loop), 0);
        shots = recorder.shots;
    });
    QCOMPARE(shots.size(), 6);
    for (int i = 0; i < shots.size(); ++i) {
        // The cadence is kept from the start, not from each delivery.
        const qint64 due = 15 * (i + 1);
        QVERIFY2(shots[i].atMs >= due && shots[i].atMs <= due + 50,
                 qPrintable(QStringLiteral("shot %1 at %2 ms").arg(i).arg(shots[i].atMs)));
    }
}

void TestEpollDispatcher::killInsideCallbackStopsTimer()
{
    int fastShots = 0;
    int remainingTimers = -1;
    onThread([&] {
        QEventLoop loop;
        TimerRecorder recorder;
        const int fast = recorder.startTimer(5, Qt::PreciseTimer);
        const int end = recorder.startTimer(80, Qt::PreciseTimer);
        recorder.onShot = [&](int id, int count) {
            if (id == fast && count == 3)
                recorder.killTimer(fast);
            if (id == end) {
                recorder.killTimer(end);
                loop.quit();
            }
        };
        QCOMPARE(runLoop(loop), 0);
        fastShots = recorder.count(fast);
        remainingTimers = dispatcher()->registeredTimers(&recorder).size();
    });
    // 80 ms would have been 16 shots; the kill in the third callback ends it.
    QCOMPARE(fastShots, 3);
    QCOMPARE(remainingTimers, 0);
}

void TestEpollDispatcher::killingADueTimerInsideAnotherCallbackSuppressesIt()
{
    QList<TimerRecorder::Shot> shots;
    int victim = 0;
    onThread([&] {
        QEventLoop loop;
        TimerRecorder recorder;
        // Same interval, started in this order: both are due in the same pass.
        const int killer = recorder.startTimer(10, Qt::PreciseTimer);
        victim = recorder.startTimer(10, Qt::PreciseTimer);
        const int end = recorder.startTimer(50, Qt::PreciseTimer);
        recorder.onShot = [&](int id, int) {
            recorder.killTimer(id);
            if (id == killer)
                recorder.killTimer(victim);
            if (id == end)
                loop.quit();
        };
        QCOMPARE(runLoop(loop), 0);
        shots = recorder.shots;
    });
    QCOMPARE(shots.size(), 2);
    QVERIFY(shots[0].id != victim && shots[1].id != victim);
}

void TestEpollDispatcher::zeroTimerDoesNotStarveOtherTimersOrSockets()
{
    int zeroShots = 0;
    bool socketSeen = false;
    qint64 endAtMs = -1;
    onThread([&] {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        QEventLoop loop;
        TimerRecorder recorder;
        const int zero = recorder.startTimer(0);
        const int end = recorder.startTimer(30, Qt::PreciseTimer);
        QSocketNotifier readable(fds[0], QSocketNotifier::Read);
        connect(&readable, &QSocketNotifier::activated, &loop, [&] {
            socketSeen = true;
            readable.setEnabled(false);
        });
        QCOMPARE(::write(fds[1], "x", 1), 1);
        recorder.onShot = [&](int id, int) {
            if (id == end) {
                endAtMs = recorder.clock.elapsed();
                loop.quit();
            }
        };
        QCOMPARE(runLoop(loop), 0);
        zeroShots = recorder.count(zero);
        ::close(fds[0]);
        ::close(fds[1]);
    });
    QVERIFY(socketSeen);
    QVERIFY2(endAtMs >= 30 && endAtMs <= 80, qPrintable(QString::number(endAtMs)));
    // A zero timer fires once per iteration: many times in 30 ms, but not in one pass.
    QVERIFY2(zeroShots > 10, qPrintable(QString::number(zeroShots)));
}

void TestEpollDispatcher::registeredTimersAndRemainingTime()
{
    QList<QAbstractEventDispatcher::TimerInfo> infos;
    int preciseLeft = -2, veryCoarseLeft = -2, unknownLeft = -2, afterKill = -2;
    bool unregisteredAll = false;
    onThread([&] {
        TimerRecorder recorder;
        const int precise = recorder.startTimer(300, Qt::PreciseTimer);
        // Very coarse timers run on whole seconds, as in Qt: 1,400 ms becomes 1 s.
        const int veryCoarse = recorder.startTimer(1400, Qt::VeryCoarseTimer);
        infos = dispatcher()->registeredTimers(&recorder);
        preciseLeft = dispatcher()->remainingTime(precise);
        veryCoarseLeft = dispatcher()->remainingTime(veryCoarse);
        unknownLeft = dispatcher()->remainingTime(987654);
        unregisteredAll = dispatcher()->unregisterTimers(&recorder);
        afterKill = dispatcher()->remainingTime(precise);
    });
    QCOMPARE(infos.size(), 2);
    std::sort(infos.begin(), infos.end(), [](const auto &a, const auto &b) { return a.interval < b.interval; });
    QCOMPARE(infos[0].interval, 300);
    QCOMPARE(infos[0].timerType, Qt::PreciseTimer);
    QCOMPARE(infos[1].interval, 1400);
    QCOMPARE(infos[1].timerType, Qt::VeryCoarseTimer);
    QVERIFY2(preciseLeft > 250 && preciseLeft <= 300, qPrintable(QString::number(preciseLeft)));
    QVERIFY2(veryCoarseLeft > 950 && veryCoarseLeft <= 1000, qPrintable(QString::number(veryCoarseLeft)));
    QCOMPARE(unknownLeft, -1);
    QVERIFY(unregisteredAll);
    QCOMPARE(afterKill, -1);
}

void TestEpollDispatcher::socketNotifierReadAndWriteOnSocketpair()
{
    int reads = 0, writes = 0;
    QByteArray received;
    int watchedWithBoth = -1, watchedWithRead = -1, watchedAfter = -1;
    onThread([&] {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        QEventLoop loop;
        const int before = dispatcher()->watchedDescriptorCount();
        {
            QSocketNotifier readable(fds[0], QSocketNotifier::Read);
            QSocketNotifier writable(fds[0], QSocketNotifier::Write);
            watchedWithBoth = dispatcher()->watchedDescriptorCount() - before;
            // An empty send buffer is writable at once: the write notifier sends, then
            // turns itself off (EPOLL_CTL_MOD keeps the read side).
            connect(&writable, &QSocketNotifier::activated, &loop, [&] {
                ++writes;
                writable.setEnabled(false);
                QCOMPARE(::write(fds[1], "ping", 4), 4); // the peer answers
            });
            connect(&readable, &QSocketNotifier::activated, &loop, [&] {
                ++reads;
                char buffer[16];
                const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
                if (n > 0)
                    received.append(buffer, n);
                loop.quit();
            });
            QCOMPARE(runLoop(loop), 0);
            writable.setEnabled(false);
            watchedWithRead = dispatcher()->watchedDescriptorCount() - before;
        }
        // Both notifiers are gone: the fd leaves the set at the next wait.
        QCoreApplication::processEvents();
        watchedAfter = dispatcher()->watchedDescriptorCount() - before;
        ::close(fds[0]);
        ::close(fds[1]);
    });
    QCOMPARE(writes, 1);
    QCOMPARE(reads, 1);
    QCOMPARE(received, QByteArray("ping"));
    QCOMPARE(watchedWithBoth, 1);
    QCOMPARE(watchedWithRead, 1);
    QCOMPARE(watchedAfter, 0);
}

void TestEpollDispatcher::excludeSocketNotifiersHoldsActivations()
{
    int whileExcluded = -1, afterwards = -1;
    onThread([&] {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        int activations = 0;
        QSocketNotifier readable(fds[0], QSocketNotifier::Read);
        connect(&readable, &QSocketNotifier::activated, &readable, [&] { ++activations; });
        QCOMPARE(::write(fds[1], "x", 1), 1);
        dispatcher()->processEvents(QEventLoop::ExcludeSocketNotifiers);
        whileExcluded = activations;
        dispatcher()->processEvents(QEventLoop::AllEvents);
        afterwards = activations;
        ::close(fds[0]);
        ::close(fds[1]);
    });
    QCOMPARE(whileExcluded, 0);
    QCOMPARE(afterwards, 1);
}

void TestEpollDispatcher::queuedInvokeWakesABlockedThread()
{
    // Let the thread block in epoll_wait (it has no timers), then post to it.
    QTRY_VERIFY(m_blocks.load() > 0);
    std::atomic<bool> ran{false};
    QElapsedTimer sincePost;
    sincePost.start();
    QVERIFY(QMetaObject::invokeMethod(m_context, [&ran] { ran = true; }, Qt::QueuedConnection));
    QTRY_VERIFY_WITH_TIMEOUT(ran.load(), 1000);
    QVERIFY2(sincePost.elapsed() < 500, qPrintable(QString::number(sincePost.elapsed())));
}

void TestEpollDispatcher::deleteLaterDeletes()
{
    std::atomic<bool> destroyed{false};
    onThread([&] {
        auto *doomed = new QObject(m_context);
        connect(doomed, &QObject::destroyed, doomed, [&destroyed] { destroyed = true; }, Qt::DirectConnection);
        doomed->deleteLater();
    });
    QTRY_VERIFY_WITH_TIMEOUT(destroyed.load(), 2000);
}

void TestEpollDispatcher::quitStopsTheThread()
{
    QTRY_VERIFY(m_blocks.load() > 0); // blocked in epoll_wait, so quit must wake it
    QElapsedTimer sinceQuit;
    sinceQuit.start();
    m_thread->quit();
    QVERIFY(m_thread->wait(2000));
    QVERIFY2(sinceQuit.elapsed() < 500, qPrintable(QString::number(sinceQuit.elapsed())));
    QVERIFY(m_thread->isFinished());
}

// ---- The broker on the epoll thread ---------------------------------------------------------

void TestEpollDispatcher::startBroker()
{
    bool started = false;
    onThread([&] {
        BrokerConfig config;
        config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
        config.persistence = false;
        config.sysIntervalSeconds = 0;
        config.anonymousRole = Role::Operator; // its clients publish on any topic
        m_broker = new Broker(config, m_context);
        started = m_broker->start();
        if (started)
            m_port = m_broker->listenAddresses().constFirst().port;
    });
    QVERIFY(started);
}

void TestEpollDispatcher::stopBroker()
{
    if (!m_broker)
        return;
    onThread([&] {
        m_broker->stop();
        delete m_broker;
        m_broker = nullptr;
    });
}

void TestEpollDispatcher::brokerConnectSubscribeAndQos1RoundTrip()
{
    startBroker();
    RawClient subscriber;
    QVERIFY(subscriber.connectTo(m_port));
    Connect connect;
    connect.clientId = QStringLiteral("sub");
    connect.keepAliveSeconds = 60;
    const auto connack = subscriber.handshake(connect);
    QVERIFY(connack);
    QCOMPARE(connack->reasonCode, ReasonCode::Success);

    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions.append(TopicSubscription{QStringLiteral("devices/+/cmd"), SubscribeOptions{QoS::AtLeastOnce}});
    subscriber.send(subscribe);
    QVERIFY(subscriber.waitFor(PacketType::Suback));

    RawClient publisher;
    QVERIFY(publisher.connectTo(m_port));
    connect.clientId = QStringLiteral("pub");
    QVERIFY(publisher.handshake(connect));
    Publish publish;
    publish.topic = QStringLiteral("devices/7/cmd");
    publish.payload = "reboot";
    publish.qos = QoS::AtLeastOnce;
    publish.packetId = 42;
    publisher.send(publish);

    // [MQTT-4.3.2-4] the broker acknowledges QoS 1 with PUBACK carrying the same id.
    const auto puback = publisher.waitFor(PacketType::Puback);
    QVERIFY(puback);
    QCOMPARE(std::get<Puback>(*puback).packetId, quint16(42));
    const auto delivered = subscriber.waitFor(PacketType::Publish);
    QVERIFY(delivered);
    const auto &message = std::get<Publish>(*delivered);
    QCOMPARE(message.topic, QStringLiteral("devices/7/cmd"));
    QCOMPARE(message.payload, QByteArray("reboot"));
    QCOMPARE(message.qos, QoS::AtLeastOnce);
    QVERIFY(message.packetId);
    Puback ack;
    ack.packetId = *message.packetId;
    subscriber.send(ack);

    quint64 publishReceived = 0;
    onThread([&] { publishReceived = m_broker->counters().publishReceived; });
    QCOMPARE(publishReceived, quint64(1));
}

void TestEpollDispatcher::brokerKeepAliveClosesAtOneAndAHalfTimes()
{
    startBroker();
    RawClient silent;
    QVERIFY(silent.connectTo(m_port));
    Connect connect;
    connect.clientId = QStringLiteral("silent");
    connect.keepAliveSeconds = 1;
    QElapsedTimer sinceLastPacket;
    QVERIFY(silent.handshake(connect));
    sinceLastPacket.start();
    // Keep-alive 1 s: closed after 1.5 s of silence [MQTT-3.1.2-24], driven by a timer
    // on the epoll thread.
    QVERIFY(silent.waitForClosed(4000));
    const qint64 observed = sinceLastPacket.elapsed();
    QVERIFY2(observed >= 1400 && observed <= 1600, qPrintable(QString::number(observed)));
}

void TestEpollDispatcher::brokerAcceptsAndClosesTwoThousandConnections()
{
    startBroker();
    constexpr int Count = 2000;
    int watchedBefore = -1;
    onThread([&] { watchedBefore = dispatcher()->watchedDescriptorCount(); });

    // Plain sockets rather than RawClient: its waits sleep between polls, 2,000 of them
    // one after another would take minutes. Every socket writes CONNECT once connected and
    // counts a CONNACK (4 bytes: 0x20, length 2, flags, return code 0).
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    int connacked = 0;
    QElapsedTimer clock;
    clock.start();
    // In batches: the listen backlog (Qt's default 50) drops a burst of SYNs, and each drop
    // costs a one-second retransmission.
    constexpr int Batch = 100;
    for (int i = 0; i < Count; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        const QByteArray hello = connectBytes(QStringLiteral("c%1").arg(i));
        QObject::connect(raw, &QTcpSocket::connected, raw, [raw, hello] { raw->write(hello); });
        QObject::connect(raw, &QTcpSocket::readyRead, raw, [raw, &connacked] {
            if (raw->bytesAvailable() >= 4 && raw->read(4) == QByteArray("\x20\x02\x00\x00", 4))
                ++connacked;
        });
        raw->connectToHost(QHostAddress::LocalHost, m_port);
        sockets.push_back(std::move(socket));
        if ((i + 1) % Batch == 0)
            QTRY_COMPARE_WITH_TIMEOUT(connacked, i + 1, 10000);
    }
    const qint64 connectMs = clock.elapsed();

    quint64 online = 0;
    int watchedOpen = -1;
    qsizetype connectionsWatched = -1;
    int timersOpen = -1;
    qsizetype keepAlivesOpen = -1;
    onThread([&] {
        online = m_broker->counters().clientsConnected;
        watchedOpen = dispatcher()->watchedDescriptorCount();
        connectionsWatched = m_broker->connectionContext().watchedConnections();
        timersOpen = dispatcher()->timerCount();
        keepAlivesOpen = m_broker->connectionContext().armedTimers();
    });
    QCOMPARE(online, quint64(Count));
    // Every descriptor is in the broker's own epoll set, which the dispatcher watches as
    // one: 2,000 connections add no socket notifiers.
    QCOMPARE(connectionsWatched, qsizetype(Count));
    QCOMPARE(watchedOpen, watchedBefore);
    // One keep-alive deadline per connection, all behind the broker's one timer: the
    // dispatcher holds a handful of timers, not 2,000.
    QCOMPARE(keepAlivesOpen, qsizetype(Count));
    QVERIFY2(timersOpen < 10, qPrintable(QString::number(timersOpen)));

    clock.restart();
    for (auto &socket : sockets)
        socket->abort();
    sockets.clear();
    // Every close reaches the broker and every fd leaves the epoll set.
    qsizetype watchedClosed = -1;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            onThread([&] {
                online = m_broker->counters().clientsConnected;
                watchedClosed = m_broker->connectionContext().watchedConnections();
            });
            return online == 0 && watchedClosed == 0;
        }(),
        15000);
    qInfo("epoll broker: %d connects in %lld ms, closed in %lld ms", Count, connectMs, clock.elapsed());
}

void TestEpollDispatcher::brokerKeepsWhatASlowReaderCannotTakeInOrder()
{
    startBroker();
    // The subscriber is a plain blocking socket, outside the event loop: it reads nothing
    // until the broker has taken every message, whatever this thread's loop does meanwhile.
    const int subscriber = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(subscriber >= 0);
    const auto closeSubscriber = qScopeGuard([subscriber] { ::close(subscriber); });
    const timeval fiveSeconds{5, 0};
    ::setsockopt(subscriber, SOL_SOCKET, SO_RCVTIMEO, &fiveSeconds, sizeof fiveSeconds);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    QVERIFY(::connect(subscriber, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
    QByteArray received;
    // The next packet from the subscriber's socket (blocking, 5 s per read).
    const auto nextPacket = [&]() -> std::optional<Packet> {
        for (;;) {
            const FrameResult frame = takeFrame(received, 1024 * 1024);
            if (const auto *complete = std::get_if<Frame>(&frame)) {
                const DecodeResult decoded = decodePacket(*complete, ProtocolVersion::V3_1_1);
                received.remove(0, complete->totalSize);
                if (const auto *packet = std::get_if<Packet>(&decoded))
                    return *packet;
                return std::nullopt;
            }
            if (std::holds_alternative<DecodeError>(frame))
                return std::nullopt;
            char chunk[64 * 1024];
            const ssize_t n = ::recv(subscriber, chunk, sizeof chunk, 0);
            if (n <= 0)
                return std::nullopt;
            received.append(chunk, n);
        }
    };
    Subscribe subscribe;
    subscribe.packetId = 1;
    subscribe.subscriptions.append(TopicSubscription{QStringLiteral("bulk"), SubscribeOptions{QoS::AtMostOnce}});
    const QByteArray hello = connectBytes(QStringLiteral("slow")) + encode(subscribe, ProtocolVersion::V3_1_1);
    QCOMPARE(::send(subscriber, hello.constData(), size_t(hello.size()), MSG_NOSIGNAL), ssize_t(hello.size()));
    const auto connack = nextPacket();
    QVERIFY(connack && packetType(*connack) == PacketType::Connack);
    const auto suback = nextPacket();
    QVERIFY(suback && packetType(*suback) == PacketType::Suback);

    RawClient publisher;
    QVERIFY(publisher.connectTo(m_port));
    Connect connect;
    connect.clientId = QStringLiteral("fast");
    QVERIFY(publisher.handshake(connect));
    // 1,000 × 8 KiB = 8 MiB: more than the kernel holds towards a reader that does not read
    // (its receive buffer only grows as it consumes; the broker's send buffer stops at 4 MiB).
    constexpr int Count = 1000;
    QByteArray all;
    for (int i = 0; i < Count; ++i) {
        Publish publish;
        publish.topic = QStringLiteral("bulk");
        publish.payload = QByteArray::number(i).leftJustified(8 * 1024, '.');
        all += encode(publish, ProtocolVersion::V3_1_1);
    }
    publisher.sendBytes(all);
    // The broker takes all of it although the subscriber has not read a byte.
    quint64 publishReceived = 0;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            onThread([&] { publishReceived = m_broker->counters().publishReceived; });
            return publishReceived == quint64(Count);
        }(),
        10000);
    quint64 backPressure = 0;
    onThread([&] { backPressure = m_broker->connectionContext().backPressureEvents(); });
    QVERIFY(backPressure > 0); // the path under test was taken

    // Now read: every message arrives, once, in publish order [MQTT-4.6.0-6].
    for (int i = 0; i < Count; ++i) {
        const auto packet = nextPacket();
        QVERIFY2(packet && packetType(*packet) == PacketType::Publish,
                 qPrintable(QStringLiteral("message %1 missing").arg(i)));
        const QByteArray payload = std::get<Publish>(*packet).payload;
        QCOMPARE(payload.size(), 8 * 1024);
        QCOMPARE(payload.left(payload.indexOf('.')), QByteArray::number(i));
    }
}

HERMES_TEST_MAIN(TestEpollDispatcher)
#include "tst_epolldispatcher.moc"
