#include "role.h"

namespace hermes {

std::optional<Role> parseRole(const QString &text)
{
    if (text == QLatin1String("device"))
        return Role::Device;
    if (text == QLatin1String("operator"))
        return Role::Operator;
    return std::nullopt;
}

QString roleName(Role role)
{
    return role == Role::Operator ? QStringLiteral("operator") : QStringLiteral("device");
}

} // namespace hermes
