#pragma once
/// The arguments of an admin API request, read from its MQTT payload. Needs no broker, so
/// the fuzz target tests/fuzz/fuzz_adminrequest.cpp calls it directly.

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <variant>

namespace hermes {

/// Why a request cannot be answered; `code` is the API's error code ("bad-request").
struct AdminRequestError {
    QString code;
    QString message;
};

/// An empty (or blank) payload means no arguments; anything else must be one JSON object.
std::variant<QJsonObject, AdminRequestError> parseAdminArguments(QByteArrayView payload);

} // namespace hermes
