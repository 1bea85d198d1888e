#pragma once
/// Command-line options shared by hermesd and the console: --config, --listen, --data-dir,
/// --log-level. They override the config file, which overrides the defaults.

#include "brokerconfig.h"

#include <QCommandLineParser>

namespace hermes {

/// Adds --config, --listen (repeatable), --data-dir, --log-level and --no-persistence.
void addBrokerOptions(QCommandLineParser &parser);

/// Defaults ← config file (if --config) ← command-line options.
std::variant<BrokerConfig, ConfigError> brokerConfigFromCommandLine(const QCommandLineParser &parser,
                                                                    BrokerConfig defaults = {});

/// Turns the level into logging-category filter rules and a message pattern with time
/// and level, for the process.
void applyLogLevel(LogLevel level);

} // namespace hermes
