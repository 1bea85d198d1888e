#pragma once
/// What an account may do: a value the broker's access control, the console and hermesctl
/// share (part of hermes_engine_api).

#include <QString>

#include <optional>

namespace hermes {

enum class Role {
    Device,   ///< may use only its own devices/{clientid}/… topics
    Operator, ///< may do anything, including the admin API
};

std::optional<Role> parseRole(const QString &text);
QString roleName(Role role);

} // namespace hermes
