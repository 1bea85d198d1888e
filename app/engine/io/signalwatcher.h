#pragma once
/// Turns SIGTERM and SIGINT into a Qt signal on the event loop (for a clean shutdown), and
/// SIGHUP, when asked for, into a reload request.

#include <QObject>
#include <QSocketNotifier>

#include <memory>

namespace hermes {

/// Only one may exist per process: a Unix signal handler can reach nothing but a static
/// file descriptor, so the self-pipe's write end is process-wide by necessity.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

    /// Also catch SIGHUP (whose default would end the process) and emit reloadRequested().
    void watchReload();

signals:
    /// SIGTERM or SIGINT arrived; `signalNumber` says which.
    void terminationRequested(int signalNumber);
    /// SIGHUP arrived (only after watchReload()).
    void reloadRequested();

private:
    int m_pipe[2] = {-1, -1};
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace hermes
