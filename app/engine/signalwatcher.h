#pragma once
/// Turns SIGTERM and SIGINT into a Qt signal on the event loop (for a clean shutdown).

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

signals:
    /// SIGTERM or SIGINT arrived; `signalNumber` says which.
    void terminationRequested(int signalNumber);

private:
    int m_pipe[2] = {-1, -1};
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace hermes
