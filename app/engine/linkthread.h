#pragma once
/// The worker of an engine attached to another broker, on a thread of its own.

#include <QMetaObject>
#include <QString>
#include <QThread>

#include <utility>

namespace hermes {

/// Owns a `Link` (a QObject with open() and close()) that lives and dies on its own thread,
/// so a slow or unreachable broker never blocks the GUI thread. Link may be an incomplete
/// type where this is declared; the members are instantiated where Link is defined.
template<typename Link>
class LinkThread
{
public:
    explicit LinkThread(const QString &name) { m_thread.setObjectName(name); }
    ~LinkThread() { stop(); }
    LinkThread(const LinkThread &) = delete;
    LinkThread &operator=(const LinkThread &) = delete;

    bool isRunning() const { return m_link != nullptr; }

    /// Creates the link from `arguments` on the new thread's side and opens it there.
    template<typename... Arguments>
    void start(Arguments &&...arguments)
    {
        if (m_link)
            return;
        m_thread.start();
        m_link = new Link(std::forward<Arguments>(arguments)...);
        m_link->moveToThread(&m_thread);
        QMetaObject::invokeMethod(m_link, [link = m_link] { link->open(); }, Qt::QueuedConnection);
    }

    /// Closes and deletes the link on its thread, then ends the thread; false when not running.
    bool stop()
    {
        if (!m_link)
            return false;
        Link *link = std::exchange(m_link, nullptr);
        QMetaObject::invokeMethod(link, [link] {
            link->close();
            delete link;
        }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        return true;
    }

    /// Runs `work(link)` on the link's thread; nothing when not running.
    template<typename Work>
    void post(Work work)
    {
        if (Link *link = m_link)
            QMetaObject::invokeMethod(link, [link, work = std::move(work)] { work(*link); }, Qt::QueuedConnection);
    }

private:
    QThread m_thread;
    Link *m_link = nullptr; ///< lives on m_thread; deleted there
};

} // namespace hermes
