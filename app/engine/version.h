#pragma once
/// Product name and version strings shared by the three programs.

#include <QString>

namespace hermes {

/// "0.1.0"
QString versionString();

/// "hermesd 0.1.0 (Qt 6.4.2, protobuf 3.21.12)"
QString versionBanner(const QString &programName);

} // namespace hermes
