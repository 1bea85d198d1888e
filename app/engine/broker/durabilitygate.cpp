#include "durabilitygate.h"

#include "engine/io/connection.h"
#include "engine/store/store.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDurability, "hermes.broker")

namespace hermes {

DurabilityGate::DurabilityGate(QObject *parent)
    : QObject(parent)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(std::chrono::milliseconds(500));
    connect(&m_retry, &QTimer::timeout, this, &DurabilityGate::commit);
}

DurabilityGate::~DurabilityGate() = default;

void DurabilityGate::setStore(std::unique_ptr<Store> store)
{
    m_store = std::move(store);
}

DurabilityGate::Cause::Cause(DurabilityGate &gate)
    : m_gate(gate)
{
    if (m_gate.m_causeDepth++ == 0 && m_gate.m_store)
        m_gate.m_causeStart = m_gate.m_store->writesQueued();
}

DurabilityGate::Cause::~Cause()
{
    --m_gate.m_causeDepth;
}

bool DurabilityGate::hasUncommittedWrites() const
{
    return m_store && m_store->hasPendingWrites();
}

bool DurabilityGate::mustHold(const mqtt::SendPacket &send) const
{
    if (!hasUncommittedWrites())
        return false;
    // A group commit makes every pending write durable at once, so "rests on an
    // uncommitted write" needs no finer bookkeeping than: did this input write, or may
    // this packet carry what an earlier input wrote?
    if (m_store->writesQueued() > m_causeStart)
        return !std::holds_alternative<mqtt::Pingresp>(send.packet);
    if (const auto *publish = std::get_if<mqtt::Publish>(&send.packet))
        return send.tag || send.trace || publish->retain;
    return std::holds_alternative<mqtt::Connack>(send.packet);
}

void DurabilityGate::scheduleCommit()
{
    if (m_commitScheduled || !m_store)
        return;
    m_commitScheduled = true;
    // Group commit: everything written during this event-loop turn shares one transaction.
    QMetaObject::invokeMethod(this, &DurabilityGate::commit, Qt::QueuedConnection);
}

void DurabilityGate::commit()
{
    m_commitScheduled = false;
    if (!m_store)
        return;
    if (!m_store->commit()) {
        // Held output stays held: publishers wait (and resend after reconnecting) rather
        // than being told a message is safe when it is not.
        if (!m_failing)
            emit storeError(m_store->errorString());
        m_failing = true;
        qCWarning(lcDurability) << "store commit failed:" << m_store->errorString();
        m_retry.start();
        return;
    }
    m_failing = false;
    for (Connection *connection : std::exchange(m_awaitingCommit, {}))
        connection->releaseHeldOutput();
}

void DurabilityGate::holdUntilCommit(Connection &connection)
{
    m_awaitingCommit.append(&connection);
    scheduleCommit();
}

void DurabilityGate::forget(Connection &connection)
{
    m_awaitingCommit.removeAll(&connection);
}

} // namespace hermes
