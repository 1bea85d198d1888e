#include "tcplistener.h"

#include <QMetaMethod>

#include <unistd.h>

namespace hermes {

void TcpListener::incomingConnection(qintptr descriptor)
{
    if (!isSignalConnected(QMetaMethod::fromSignal(&TcpListener::descriptorAccepted))) {
        ::close(int(descriptor)); // nobody to own it
        return;
    }
    emit descriptorAccepted(descriptor);
}

} // namespace hermes
