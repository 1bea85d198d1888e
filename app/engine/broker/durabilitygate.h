#pragma once
/// The broker's promise to clients: nothing leaves that says more than the disk holds.
/// Owns the store and commits what a turn of the event loop wrote as one transaction
/// (group commit). Output that rests on an uncommitted write waits for that commit: the
/// acknowledgement and the forwards of a message whose handling wrote to the store, and
/// whatever may carry an earlier input's write (a stored copy, a push envelope, a retained
/// message, a resumed session's CONNACK). Every other connection's traffic goes on.

#include "mqtt/sessionmachine.h"

#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>

namespace hermes {

class Connection;
class Store;

class DurabilityGate : public QObject
{
    Q_OBJECT
public:
    explicit DurabilityGate(QObject *parent = nullptr);
    ~DurabilityGate() override;

    /// Null when persistence is off.
    Store *store() const { return m_store.get(); }
    void setStore(std::unique_ptr<Store> store);

    /// Commits at the end of this event-loop turn (once, however often it is asked).
    void scheduleCommit();
    /// Commits at once and releases held output; on failure keeps it held and retries.
    void commit();
    /// The work one client's input causes (its bytes were read), for as long as this
    /// lives: the writes made meanwhile are that input's, and only what the input produces
    /// waits for them. Nested causes (a nested event loop) belong to the outer one.
    class Cause
    {
    public:
        explicit Cause(DurabilityGate &gate);
        ~Cause();
        Cause(const Cause &) = delete;
        Cause &operator=(const Cause &) = delete;

    private:
        DurabilityGate &m_gate;
    };

    /// True while the store holds uncommitted writes.
    bool hasUncommittedWrites() const;
    /// True when `send` must wait for the next commit: it promises something only an
    /// uncommitted write holds.
    bool mustHold(const mqtt::SendPacket &send) const;
    /// `connection` has output held for the next commit; called when its held output
    /// stops being empty.
    void holdUntilCommit(Connection &connection);
    /// The connection is about to be deleted.
    void forget(Connection &connection);

signals:
    /// The store failed (locked, corrupt, full disk); reported once until a commit succeeds.
    void storeError(const QString &message);

private:
    std::unique_ptr<Store> m_store;
    /// Connections with output held for the commit (a deleted one leaves the list first).
    QList<Connection *> m_awaitingCommit;
    QTimer m_retry;
    bool m_commitScheduled = false;
    bool m_failing = false;
    int m_causeDepth = 0;
    /// The store's write count when the current cause began (writes after it are its own);
    /// with no cause running, the last one's, which only makes more output wait.
    quint64 m_causeStart = 0;
};

} // namespace hermes
