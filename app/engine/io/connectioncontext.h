#pragma once
/// What every Connection of one broker shares: the read buffer, the output flush and the
/// protocol timers.

#include "mqtt/sessionmachine.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <optional>
#include <span>
#include <vector>

class QSocketNotifier;
struct epoll_event; // <sys/epoll.h>, kept out of the header

namespace hermes {

class Broker;
class Connection;

/// Per-connection state that only matters for a moment lives here once instead of in every
/// connection (docs/BENCHMARKS.md, "RSS per idle connection"):
/// - one receive buffer that every plain-TCP connection reads into (the SessionMachine keeps
///   only the bytes of an incomplete frame);
/// - readiness: every plain-TCP connection's descriptor sits in one epoll set, and one
///   QSocketNotifier watches that set (a QSocketNotifier per connection would cost ~190 bytes);
/// - the list of connections with unsent output, flushed once per event-loop turn so that
///   the packets one turn produces for a connection leave in one send();
/// - the connections' timers (connect timeout, keep-alive) in one min-heap behind a single
///   precise QTimer, instead of a QTimer per connection.
/// - ownership of the connections: a closed one is deleted at the start of the next
///   event-loop turn, after every handler that may still hold it has returned.
/// Lives on the broker's thread; owned by the Broker.
class ConnectionContext : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionContext(Broker &broker, QObject *parent = nullptr);
    ~ConnectionContext() override;

    /// Size of the shared receive buffer: what one recv() may return.
    static constexpr qsizetype ReadBufferSize = 64 * 1024;

    /// The shared receive buffer, or nullptr while a read on this thread still parses from
    /// it (a nested event loop inside a handler): then the caller uses its own.
    char *acquireReadBuffer();
    void releaseReadBuffer() { m_readBufferBusy = false; }

    /// Takes ownership of a new connection.
    void adopt(Connection *connection);
    /// A closed connection: deleted on the next event-loop turn.
    void retire(Connection &connection);
    /// Connections not retired, in no particular order.
    const std::vector<Connection *> &connections() const { return m_connections; }
    /// Deletes every connection now, retired or not (the broker stopping).
    void deleteAll();

    /// Watches the connection's descriptor for input (Connection::onReadable()).
    void watch(Connection &connection);
    /// Also for writability (Connection::onWritable()) while output waits for the kernel.
    void watchWritable(Connection &connection, bool writable);
    /// Before the descriptor is closed: no more readiness for it, not even from the batch
    /// being dispatched.
    void unwatch(Connection &connection);

    /// Queues `connection` for the next flush: at the end of the current batch (see Batch),
    /// or in a posted event when no batch is open.
    void scheduleFlush(Connection &connection);
    /// Output of everything produced inside a Batch leaves when the outermost one ends.
    class Batch
    {
    public:
        explicit Batch(ConnectionContext &context) : m_context(context) { ++m_context.m_batchDepth; }
        ~Batch();
        Batch(const Batch &) = delete;
        Batch &operator=(const Batch &) = delete;

    private:
        ConnectionContext &m_context;
    };

    /// Arms `connection`'s one timer (replacing what was armed) for `deadline` on the
    /// broker's clock; Connection::onTimeout() runs when it is due.
    void arm(Connection &connection, mqtt::Timestamp deadline);
    void disarm(Connection &connection);
    /// Called by ~Connection: no flush, no timer for it any more.
    void forget(Connection &connection);

    /// Descriptors in the epoll set now (introspection for tests).
    qsizetype watchedConnections() const { return m_watched; }
    /// Timers armed now (introspection for tests).
    qsizetype armedTimers() const { return m_armed.size(); }
    /// How often a connection's output did not fit the kernel's send buffer and waited for
    /// its socket to become writable (introspection for tests).
    quint64 backPressureEvents() const { return m_backPressureEvents; }
    void countBackPressure() { ++m_backPressureEvents; }

private:
    void reapRetired();
    void destroy(Connection *connection);
    void onReadiness();
    void flushPending();
    void onTimer();
    void restartTimer();

    struct HeapEntry {
        mqtt::Timestamp deadline;
        quint64 ticket; ///< the arm() it came from; stale once it is not in m_armed
    };

    Broker &m_broker;
    std::vector<Connection *> m_connections; ///< owned; Connection::m_slot is the index
    std::vector<Connection *> m_retired;     ///< owned; closed, deleted on the next turn
    bool m_reapPosted = false;
    int m_epoll = -1;
    QSocketNotifier *m_readiness = nullptr; ///< child; watches m_epoll
    std::span<epoll_event> m_dispatching;   ///< the batch onReadiness() is working through
    qsizetype m_watched = 0;
    QByteArray m_readBuffer;
    bool m_readBufferBusy = false;

    std::vector<Connection *> m_dirty;
    int m_batchDepth = 0;
    bool m_flushPosted = false;

    QHash<quint64, Connection *> m_armed;
    std::vector<HeapEntry> m_heap;
    quint64 m_nextTicket = 1;
    QTimer m_timer;
    std::optional<mqtt::Timestamp> m_timerDue;
    quint64 m_backPressureEvents = 0;
};

} // namespace hermes
