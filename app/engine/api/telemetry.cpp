#include "telemetry.h"

namespace hermes {

QString closeReasonName(mqtt::CloseReason reason)
{
    switch (reason) {
    case mqtt::CloseReason::ClientDisconnect: return QStringLiteral("client disconnect");
    case mqtt::CloseReason::KeepAliveTimeout: return QStringLiteral("keep-alive timeout");
    case mqtt::CloseReason::TakenOver: return QStringLiteral("taken over");
    case mqtt::CloseReason::ProtocolError: return QStringLiteral("protocol error");
    case mqtt::CloseReason::ConnectRejected: return QStringLiteral("connect rejected");
    case mqtt::CloseReason::ConnectTimeout: return QStringLiteral("connect timeout");
    case mqtt::CloseReason::SocketError: return QStringLiteral("socket error");
    case mqtt::CloseReason::PeerClosed: return QStringLiteral("peer closed");
    case mqtt::CloseReason::Kicked: return QStringLiteral("kicked");
    case mqtt::CloseReason::ServerShutdown: return QStringLiteral("server shutdown");
    }
    return {};
}

} // namespace hermes
