#pragma once
/// Test helpers shared by engine and UI tests: a broker on a free loopback port that keeps
/// nothing on disk, and where screenshots go.

#include "engine/brokerconfig.h"

#include <QDir>

namespace hermes::test {

/// 127.0.0.1 port 0, no persistence, no $SYS publishing.
inline BrokerConfig loopbackConfig()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    return config;
}

/// $HERMES_TEST_OUTPUT/screenshots/<name> (ctest sets it to the build tree's test-output),
/// the folder created.
inline QString screenshotPath(const QString &name)
{
    const QString base = qEnvironmentVariable("HERMES_TEST_OUTPUT",
                                              QStringLiteral(HERMES_BINARY_DIR "/test-output"));
    QDir().mkpath(base + QStringLiteral("/screenshots"));
    return base + QStringLiteral("/screenshots/") + name;
}

} // namespace hermes::test
