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
/// row stays true however late it is read. "node" only for a session of an upstream cluster.
QJsonObject sessionRowJson(const SessionInfo &info);
/// Nullopt when `json` has no clientId; other missing fields keep their defaults.
std::optional<SessionInfo> sessionRowFromJson(const QJsonObject &json);
/// Everything a row shows (its node included) except the time of the last inbound packet,
/// which every heartbeat moves and the session stream reports on its own ("seen").
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
