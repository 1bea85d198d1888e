#include "connectioncontext.h"

#include "engine/broker.h"
#include "connection.h"

#include <QScopeGuard>

#include <QSocketNotifier>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include <sys/epoll.h>
#include <unistd.h>

namespace hermes {

namespace {

bool later(const auto &a, const auto &b)
{
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.ticket > b.ticket;
}

} // namespace

ConnectionContext::ConnectionContext(Broker &broker, QObject *parent)
    : QObject(parent)
    , m_broker(broker)
{
    m_timer.setSingleShot(true);
    // Keep-alive closes at 1.5 T, not 1.5 T + 5 % [MQTT-3.1.2-24].
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &ConnectionContext::onTimer);
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    if (m_epoll < 0)
        qFatal("epoll_create1: %s", strerror(errno)); // nothing can be served without it
    m_readiness = new QSocketNotifier(m_epoll, QSocketNotifier::Read, this);
    connect(m_readiness, &QSocketNotifier::activated, this, &ConnectionContext::onReadiness);
}

ConnectionContext::~ConnectionContext()
{
    deleteAll();
    ::close(m_epoll);
}

// ---- Ownership ---------------------------------------------------------------------------

void ConnectionContext::adopt(Connection *connection)
{
    connection->m_slot = quint32(m_connections.size());
    m_connections.push_back(connection);
}

void ConnectionContext::retire(Connection &connection)
{
    // Swap-remove: the last connection takes this one's slot.
    Connection *last = m_connections.back();
    m_connections[connection.m_slot] = last;
    last->m_slot = connection.m_slot;
    m_connections.pop_back();
    m_retired.push_back(&connection);
    if (!m_reapPosted) {
        m_reapPosted = true;
        QMetaObject::invokeMethod(this, &ConnectionContext::reapRetired, Qt::QueuedConnection);
    }
}

void ConnectionContext::reapRetired()
{
    m_reapPosted = false;
    for (Connection *connection : std::exchange(m_retired, {}))
        destroy(connection);
}

void ConnectionContext::deleteAll()
{
    reapRetired();
    for (Connection *connection : std::exchange(m_connections, {}))
        destroy(connection);
}

void ConnectionContext::destroy(Connection *connection)
{
    m_broker.forgetConnection(*connection);
    delete connection;
}

// ---- Readiness ---------------------------------------------------------------------------

void ConnectionContext::watch(Connection &connection)
{
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.ptr = &connection;
    if (::epoll_ctl(m_epoll, EPOLL_CTL_ADD, connection.m_descriptor, &event) == 0)
        ++m_watched;
    else
        qWarning("epoll_ctl(ADD, %d): %s", connection.m_descriptor, strerror(errno));
}

void ConnectionContext::watchWritable(Connection &connection, bool writable)
{
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (writable ? EPOLLOUT : 0u);
    event.data.ptr = &connection;
    (void)::epoll_ctl(m_epoll, EPOLL_CTL_MOD, connection.m_descriptor, &event);
}

void ConnectionContext::unwatch(Connection &connection)
{
    if (::epoll_ctl(m_epoll, EPOLL_CTL_DEL, connection.m_descriptor, nullptr) == 0)
        --m_watched;
    // A connection closed while the batch is dispatched (a take-over, a kick) may still
    // have an entry further on; so may a new connection that got the same descriptor.
    for (epoll_event &event : m_dispatching) {
        if (event.data.ptr == &connection)
            event.data.ptr = nullptr;
    }
}

void ConnectionContext::onReadiness()
{
    // Level-triggered: what one pass leaves unread (a connection reads a bounded number of
    // times per wake-up) is reported again on the next.
    std::array<epoll_event, 256> events;
    const int count = ::epoll_wait(m_epoll, events.data(), int(events.size()), 0);
    if (count <= 0)
        return;
    m_dispatching = std::span(events.data(), size_t(count));
    const auto done = qScopeGuard([this] { m_dispatching = {}; });
    for (epoll_event &event : m_dispatching) {
        if (event.events & EPOLLOUT) {
            if (auto *connection = static_cast<Connection *>(event.data.ptr))
                connection->onWritable();
        }
        if (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
            // Looked up again: onWritable() may have closed it.
            if (auto *connection = static_cast<Connection *>(event.data.ptr))
                connection->onReadable();
        }
    }
}

char *ConnectionContext::acquireReadBuffer()
{
    if (m_readBufferBusy)
        return nullptr;
    m_readBufferBusy = true;
    // Allocated on first use and kept: one buffer per broker, not per connection.
    if (m_readBuffer.size() != ReadBufferSize)
        m_readBuffer.resize(ReadBufferSize);
    return m_readBuffer.data();
}

// ---- Output ------------------------------------------------------------------------------

void ConnectionContext::scheduleFlush(Connection &connection)
{
    if (connection.m_flushQueued)
        return;
    connection.m_flushQueued = true;
    m_dirty.push_back(&connection);
    if (m_batchDepth == 0 && !m_flushPosted) {
        m_flushPosted = true;
        QMetaObject::invokeMethod(this, &ConnectionContext::flushPending, Qt::QueuedConnection);
    }
}

ConnectionContext::Batch::~Batch()
{
    if (--m_context.m_batchDepth == 0)
        m_context.flushPending();
}

void ConnectionContext::flushPending()
{
    m_flushPosted = false;
    // A flush can close nothing and queue nothing new (send() only), but take the list
    // anyway so that a connection queued meanwhile is not lost.
    std::vector<Connection *> dirty;
    dirty.swap(m_dirty);
    for (Connection *connection : dirty) {
        connection->m_flushQueued = false;
        connection->flushOutput();
    }
    if (m_dirty.empty() && m_dirty.capacity() < dirty.capacity()) {
        dirty.clear();
        m_dirty.swap(dirty); // keep the larger allocation for the next turn
    }
}

// ---- Timers ------------------------------------------------------------------------------

void ConnectionContext::arm(Connection &connection, mqtt::Timestamp deadline)
{
    if (connection.m_timerTicket)
        m_armed.remove(connection.m_timerTicket);
    const quint64 ticket = m_nextTicket++;
    connection.m_timerTicket = ticket;
    m_armed.insert(ticket, &connection);
    m_heap.push_back(HeapEntry{deadline, ticket});
    std::push_heap(m_heap.begin(), m_heap.end(), [](const HeapEntry &a, const HeapEntry &b) { return later(a, b); });
    if (!m_timerDue || deadline < *m_timerDue)
        restartTimer();
}

void ConnectionContext::disarm(Connection &connection)
{
    // The heap entry stays and is dropped when it comes up: the timers are re-armed rarely
    // (connect, CONNACK, once per keep-alive period), so stale entries stay few.
    if (connection.m_timerTicket)
        m_armed.remove(std::exchange(connection.m_timerTicket, 0));
}

void ConnectionContext::forget(Connection &connection)
{
    disarm(connection);
    if (connection.m_flushQueued) {
        connection.m_flushQueued = false;
        m_dirty.erase(std::remove(m_dirty.begin(), m_dirty.end(), &connection), m_dirty.end());
    }
}

void ConnectionContext::restartTimer()
{
    const auto cmp = [](const HeapEntry &a, const HeapEntry &b) { return later(a, b); };
    while (!m_heap.empty() && !m_armed.contains(m_heap.front().ticket)) {
        std::pop_heap(m_heap.begin(), m_heap.end(), cmp);
        m_heap.pop_back();
    }
    if (m_heap.empty()) {
        m_timer.stop();
        m_timerDue.reset();
        if (m_heap.capacity() > 1024)
            std::vector<HeapEntry>().swap(m_heap);
        return;
    }
    m_timerDue = m_heap.front().deadline;
    const auto wait = std::max<qint64>(0, (*m_timerDue - m_broker.now()).count());
    m_timer.start(std::chrono::milliseconds(wait));
}

void ConnectionContext::onTimer()
{
    m_timerDue.reset();
    const mqtt::Timestamp now = m_broker.now();
    const auto cmp = [](const HeapEntry &a, const HeapEntry &b) { return later(a, b); };
    // Collect first: a handler may arm again (keep-alive re-arms for what is left), and
    // that must wait for the next pass.
    std::vector<quint64> due;
    while (!m_heap.empty() && m_heap.front().deadline <= now) {
        due.push_back(m_heap.front().ticket);
        std::pop_heap(m_heap.begin(), m_heap.end(), cmp);
        m_heap.pop_back();
    }
    {
        Batch batch(*this);
        for (const quint64 ticket : due) {
            // Looked up one by one: an earlier handler may have closed or re-armed others.
            Connection *connection = m_armed.take(ticket);
            if (!connection)
                continue;
            connection->m_timerTicket = 0;
            connection->onTimeout();
        }
    }
    if (!m_timerDue)
        restartTimer();
}

} // namespace hermes
