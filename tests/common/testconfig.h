#pragma once
/// Test helpers shared by engine and UI tests: a broker on a free loopback port that keeps
/// nothing on disk, and where screenshots go.

#include "engine/brokerconfig.h"

#include <QDir>

namespace hermes::test {

/// 127.0.0.1 port 0, no persistence, no $SYS publishing, and anonymous loopback clients
/// as operators: these tests exercise MQTT itself on any topic, as a developer's local
/// broker configured with `anonymous_role operator` would allow. Access control has its
/// own tests (tst_security, tst_attacks) with the secure defaults.
inline BrokerConfig loopbackConfig()
{
    BrokerConfig config;
    config.listeners = {ListenAddress{QHostAddress::LocalHost, 0}};
    config.persistence = false;
    config.sysIntervalSeconds = 0;
    config.anonymousRole = Role::Operator;
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
