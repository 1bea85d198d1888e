#pragma once
/// The admin API v2's JSON for sessions and counters (docs/ADMIN-API.md), both ways: the
/// broker writes it, a remote console reads it back into the same plain values the
/// embedded broker hands the views.

#include "engine/api/telemetry.h"
#include "sessionsource.h"

#include <QJsonObject>

#include <optional>

namespace hermes {

/// A session row of the v2 stream and snapshot: absolute times (ms since the epoch), so a
/// row stays true however late it is read.
QJsonObject sessionRowJson(const SessionInfo &info);
/// The row of a session on an upstream cluster: sessionRowJson() plus "node".
QJsonObject sessionRowJson(const ClusterSession &session);
/// Nullopt when `json` has no clientId; other missing fields keep their defaults. SessionInfo
/// has no field for a cluster row's "node": it is shown with the address,
/// "10.0.0.7:53122 (rabbit@node1)".
std::optional<SessionInfo> sessionRowFromJson(const QJsonObject &json);
/// Everything a row shows except the time of the last inbound packet, which every heartbeat
/// moves and the session stream reports on its own ("seen").
bool sameSessionRow(const SessionInfo &a, const SessionInfo &b);

/// sessions/detail (v2): the row plus heartbeats, in-flight, queued, subscriptions, packet
/// trace and recent disconnects.
QJsonObject sessionDetailJson(const SessionDetail &detail);
std::optional<SessionDetail> sessionDetailFromJson(const QJsonObject &json);

/// Every BrokerCounters field under its member's name ("publishReceived").
QJsonObject countersJson(const BrokerCounters &counters);
BrokerCounters countersFromJson(const QJsonObject &json);

QString protocolVersionName(mqtt::ProtocolVersion version);
QString outboundStageName(mqtt::OutboundStage stage);

} // namespace hermes
