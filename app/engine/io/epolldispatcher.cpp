#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace hermes {

namespace {

constexpr std::int64_t NanosPerMs = 1'000'000;
constexpr std::int64_t NanosPerSecond = 1'000'000'000;
constexpr int MaxEventsPerWait = 1024;

// What each notifier type listens for, and which returned events wake it. Mirrors Qt's
// poll dispatcher: errors and hang-ups wake readers (and writers) so they see the error.
constexpr quint32 listenMask[3] = {EPOLLIN | EPOLLRDHUP, EPOLLOUT, EPOLLPRI};
constexpr quint32 wakeMask[3] = {EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR, EPOLLOUT | EPOLLERR | EPOLLHUP,
                                 EPOLLPRI};

bool heapLater(const auto &a, const auto &b)
{
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.generation > b.generation;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epollFd(::epoll_create1(EPOLL_CLOEXEC))
    , m_eventFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    , m_events(MaxEventsPerWait)
{
    if (m_epollFd < 0 || m_eventFd < 0)
        qFatal("EpollEventDispatcher: epoll_create1/eventfd failed: %s", strerror(errno));
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.fd = m_eventFd;
    if (::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_eventFd, &wake) != 0)
        qFatal("EpollEventDispatcher: cannot watch the eventfd: %s", strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_eventFd);
    ::close(m_epollFd);
}

EpollEventDispatcher::Nanoseconds EpollEventDispatcher::now()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // Same order as Qt's QEventDispatcherUNIX: posted events, then one wait, then socket
    // notifiers, then timers. A post from any thread calls wakeUp(), so an event posted
    // after sendPostedEvents() returns still ends the wait below.
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = flags.testFlag(QEventLoop::WaitForMoreEvents)
                         && !m_interrupted.load(std::memory_order_relaxed);
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    const int timeoutMs = waitTimeout(canWait, includeTimers);
    int activated = 0;
    if (includeNotifiers) {
        applyDescriptorChanges();
        int ready;
        do {
            ready = ::epoll_wait(m_epollFd, m_events.data(), int(m_events.size()), timeoutMs);
        } while (ready < 0 && errno == EINTR);
        if (ready < 0)
            qErrnoWarning("EpollEventDispatcher: epoll_wait");
        else
            activated += activateSocketNotifiers(ready);
    } else {
        // Level-triggered sockets that stay readable would end every epoll_wait at once,
        // so wait on the wake-up descriptor alone.
        if (waitOnWakeUpOnly(timeoutMs))
            ++activated;
    }
    if (includeTimers)
        activated += activateTimers();
    return activated > 0;
}

int EpollEventDispatcher::waitTimeout(bool canWait, bool includeTimers)
{
    if (!canWait)
        return 0;
    if (!includeTimers)
        return -1;
    const Nanoseconds deadline = nextDeadline();
    if (deadline < 0)
        return -1;
    const Nanoseconds left = deadline - now();
    if (left <= 0)
        return 0;
    // Round up: waking a little late is fine, waking early costs a useless iteration.
    return int(std::min<Nanoseconds>((left + NanosPerMs - 1) / NanosPerMs, std::numeric_limits<int>::max()));
}

void EpollEventDispatcher::drainWakeUps()
{
    eventfd_t value;
    (void)::eventfd_read(m_eventFd, &value);
    m_wakeUpPending.store(false, std::memory_order_release);
}

bool EpollEventDispatcher::waitOnWakeUpOnly(int timeoutMs)
{
    pollfd wake{m_eventFd, POLLIN, 0};
    int ready;
    do {
        ready = ::poll(&wake, 1, timeoutMs);
    } while (ready < 0 && errno == EINTR);
    if (ready > 0) {
        drainWakeUps();
        return true;
    }
    return false;
}

// ---- Socket notifiers ---------------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || type < 0 || type > 2) {
        qWarning("EpollEventDispatcher: invalid socket notifier (fd %d)", fd);
        return;
    }
    Descriptor &descriptor = m_descriptors[fd];
    if (descriptor.notifiers[type] && descriptor.notifiers[type] != notifier)
        qWarning("EpollEventDispatcher: multiple socket notifiers of one type on fd %d", fd);
    descriptor.notifiers[type] = notifier;
    markDirty(fd, descriptor);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    const auto it = m_descriptors.find(fd);
    if (it == m_descriptors.end() || type < 0 || type > 2 || it->notifiers[type] != notifier)
        return;
    it->notifiers[type] = nullptr;
    if (!it->notifiers[0] && !it->notifiers[1] && !it->notifiers[2]) {
        // The last notifier of this fd: leave the epoll set now, not at the next wait. The
        // socket is usually being closed, and its number can be handed to a new socket in
        // this same loop turn; a deferred change would then see "same events, already in
        // the kernel" and never add the new socket, which the kernel dropped with the old.
        if (it->inKernel)
            (void)::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
        m_descriptors.erase(it);
        return;
    }
    markDirty(fd, *it);
}

void EpollEventDispatcher::markDirty(int fd, Descriptor &descriptor)
{
    // Sockets toggle their write notifier around every buffered write; applying changes
    // only before the next wait turns an enable/disable pair into no system call at all.
    if (!descriptor.dirty) {
        descriptor.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::applyDescriptorChanges()
{
    for (const int fd : m_dirty) {
        const auto it = m_descriptors.find(fd);
        if (it == m_descriptors.end())
            continue;
        it->dirty = false;
        quint32 wanted = 0;
        for (int type = 0; type < 3; ++type) {
            if (it->notifiers[type])
                wanted |= listenMask[type];
        }
        if (wanted == 0) {
            // The fd may already be closed (the kernel then dropped it): ignore errors.
            if (it->inKernel)
                (void)::epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr);
            m_descriptors.erase(it);
            continue;
        }
        if (it->inKernel && wanted == it->kernelEvents)
            continue;
        epoll_event event{};
        event.events = wanted;
        event.data.fd = fd;
        int result = ::epoll_ctl(m_epollFd, it->inKernel ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
        // A closed fd leaves the set silently and its number can come back for a new
        // socket before we noticed: retry with the other operation.
        if (result != 0 && errno == ENOENT)
            result = ::epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &event);
        else if (result != 0 && errno == EEXIST)
            result = ::epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &event);
        if (result != 0) {
            qErrnoWarning("EpollEventDispatcher: epoll_ctl on fd %d", fd);
            it->inKernel = false;
            continue;
        }
        it->inKernel = true;
        it->kernelEvents = wanted;
    }
    m_dirty.clear();
}

int EpollEventDispatcher::activateSocketNotifiers(int count)
{
    int activated = 0;
    for (int i = 0; i < count; ++i) {
        const epoll_event &event = m_events[size_t(i)];
        const int fd = event.data.fd;
        if (fd == m_eventFd) {
            drainWakeUps();
            ++activated;
            continue;
        }
        for (int type = 0; type < 3; ++type) {
            if (!(event.events & wakeMask[type]))
                continue;
            // Look up again for every delivery: an earlier handler may have disabled or
            // deleted this notifier (which unregisters it) or others.
            const auto it = m_descriptors.constFind(fd);
            if (it == m_descriptors.cend())
                break;
            QSocketNotifier *notifier = it->notifiers[type];
            if (!notifier)
                continue;
            QEvent activation(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &activation);
            ++activated;
        }
    }
    return activated;
}

// ---- Timers ------------------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qWarning("EpollEventDispatcher::registerTimer: invalid arguments");
        return;
    }
    Timer timer;
    timer.object = object;
    timer.interval = interval;
    timer.type = timerType;
    timer.period = interval * NanosPerMs;
    if (timerType == Qt::VeryCoarseTimer) {
        // As Qt does: whole seconds, rounded to the nearest (so 400 ms becomes 0 s).
        timer.period = ((interval + 500) / 1000) * NanosPerSecond;
    }
    if (m_timers.contains(timerId))
        unregisterTimer(timerId);
    auto it = m_timers.insert(timerId, timer);
    m_timersByObject.insert(object, timerId);
    arm(timerId, *it, now() + it->period);
}

void EpollEventDispatcher::arm(int timerId, Timer &timer, Nanoseconds deadline)
{
    timer.deadline = deadline;
    timer.generation = m_nextGeneration++;
    m_heap.push_back(HeapEntry{deadline, timer.generation, timerId});
    std::push_heap(m_heap.begin(), m_heap.end(), [](const HeapEntry &a, const HeapEntry &b) { return heapLater(a, b); });
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_timersByObject.remove(it->object, timerId);
    m_timers.erase(it); // its heap entry goes stale and is dropped when it reaches the top
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const QList<int> ids = m_timersByObject.values(object);
    if (ids.isEmpty())
        return false;
    m_timersByObject.remove(object);
    for (const int id : ids)
        m_timers.remove(id);
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> infos;
    for (auto it = m_timersByObject.constFind(object); it != m_timersByObject.cend() && it.key() == object; ++it) {
        const Timer &timer = m_timers.value(it.value());
        infos.append(TimerInfo(it.value(), int(timer.interval), timer.type));
    }
    return infos;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    const Nanoseconds left = std::max<Nanoseconds>(0, it->deadline - now());
    return int((left + NanosPerMs - 1) / NanosPerMs);
}

EpollEventDispatcher::Nanoseconds EpollEventDispatcher::nextDeadline()
{
    const auto later = [](const HeapEntry &a, const HeapEntry &b) { return heapLater(a, b); };
    while (!m_heap.empty()) {
        const HeapEntry &top = m_heap.front();
        const auto it = m_timers.constFind(top.timerId);
        if (it != m_timers.cend() && it->generation == top.generation)
            return top.deadline;
        std::pop_heap(m_heap.begin(), m_heap.end(), later);
        m_heap.pop_back();
    }
    return -1;
}

int EpollEventDispatcher::activateTimers()
{
    const auto later = [](const HeapEntry &a, const HeapEntry &b) { return heapLater(a, b); };
    const Nanoseconds current = now();
    // Take every due timer first: a timer re-armed while delivering (a zero timer) waits
    // for the next iteration, so it cannot starve sockets and posted events.
    std::vector<HeapEntry> due;
    while (nextDeadline() >= 0 && m_heap.front().deadline <= current) {
        due.push_back(m_heap.front());
        std::pop_heap(m_heap.begin(), m_heap.end(), later);
        m_heap.pop_back();
    }
    int activated = 0;
    for (const HeapEntry &entry : due) {
        auto it = m_timers.find(entry.timerId);
        // Killed (or killed and re-registered) by an earlier handler in this pass.
        if (it == m_timers.end() || it->generation != entry.generation)
            continue;
        if (it->firing) {
            // Still inside its own timerEvent (a nested loop): retry later, like Qt.
            arm(entry.timerId, *it, current + std::max<Nanoseconds>(it->period, NanosPerMs));
            continue;
        }
        // Re-arm before delivery, so the handler may kill or restart it. Keep the cadence
        // unless we fell behind by a whole period, then restart from now.
        Nanoseconds next = it->deadline + it->period;
        if (next < current)
            next = current + it->period;
        arm(entry.timerId, *it, next);
        it->firing = true;
        QObject *const object = it->object;
        QTimerEvent event(entry.timerId);
        QCoreApplication::sendEvent(object, &event);
        ++activated;
        // The handler may have killed the timer or changed the hash: look it up again.
        const auto after = m_timers.find(entry.timerId);
        if (after != m_timers.end())
            after->firing = false;
    }
    return activated;
}

// ---- Wake-ups ------------------------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    // Coalesce: one eventfd write until the loop has drained it.
    if (!m_wakeUpPending.exchange(true, std::memory_order_acq_rel))
        (void)::eventfd_write(m_eventFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

} // namespace hermes
