#pragma once
/// An epoll-based Qt event dispatcher for threads that hold thousands of sockets.

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QMultiHash>

#include <atomic>
#include <cstdint>
#include <vector>

class QSocketNotifier;
struct epoll_event; // <sys/epoll.h>, kept out of the header

namespace hermes {

/// Qt's glib and poll dispatchers hand every open fd to the kernel on every iteration, scan
/// a list on each notifier enable/disable and insert timers linearly; with 10,000 client
/// sockets that dominates the broker. This one keeps one epoll set (a notifier change is one
/// deferred EPOLL_CTL_MOD per fd), a binary min-heap of timer deadlines with lazy deletion,
/// and an eventfd for wake-ups. Install it before the thread runs:
/// QThread::setEventDispatcher() or QCoreApplication::setEventDispatcher().
/// Everything except wakeUp() and interrupt() runs on the dispatcher's own thread.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    /// Descriptors with at least one registered notifier (introspection for tests).
    int watchedDescriptorCount() const { return int(m_descriptors.size()); }
    /// Timers currently registered (introspection for tests).
    int timerCount() const { return int(m_timers.size()); }

private:
    using Nanoseconds = std::int64_t;

    struct Descriptor {
        QSocketNotifier *notifiers[3] = {}; ///< QSocketNotifier::Read, Write, Exception
        quint32 kernelEvents = 0;           ///< what epoll currently watches for this fd
        bool inKernel = false;
        bool dirty = false;                 ///< queued in m_dirty
    };
    struct Timer {
        QObject *object = nullptr;
        qint64 interval = 0;         ///< as registered (ms)
        Nanoseconds period = 0;      ///< what re-arming adds (VeryCoarse: whole seconds)
        Nanoseconds deadline = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        quint64 generation = 0;      ///< matches the live heap entry; others are stale
        bool firing = false;         ///< its QTimerEvent is being delivered (no recursion)
    };
    struct HeapEntry {
        Nanoseconds deadline;
        quint64 generation; ///< global, also orders equal deadlines by arming time
        int timerId;
    };

    static Nanoseconds now();
    void markDirty(int fd, Descriptor &descriptor);
    void applyDescriptorChanges();
    int activateSocketNotifiers(int count);
    int activateTimers();
    void arm(int timerId, Timer &timer, Nanoseconds deadline);
    /// Pops stale heap entries; the next live deadline, or -1 when there is none.
    Nanoseconds nextDeadline();
    /// Milliseconds to block: -1 forever, 0 not at all.
    int waitTimeout(bool canWait, bool includeTimers);
    void drainWakeUps();
    bool waitOnWakeUpOnly(int timeoutMs);

    int m_epollFd = -1;
    int m_eventFd = -1;
    std::vector<::epoll_event> m_events;
    QHash<int, Descriptor> m_descriptors;
    std::vector<int> m_dirty;

    QHash<int, Timer> m_timers;
    QMultiHash<QObject *, int> m_timersByObject;
    std::vector<HeapEntry> m_heap;
    quint64 m_nextGeneration = 1;

    std::atomic<bool> m_wakeUpPending{false};
    std::atomic<bool> m_interrupted{false};
};

} // namespace hermes
