#pragma once
/// hermesctl's subcommands. Each one parses its own arguments (arguments[0] is the
/// subcommand's name) and returns the process exit code (see ExitCode).

#include <QStringList>

namespace hermes::cli {

/// Exit codes shared by every subcommand, so scripts can tell failures apart.
enum ExitCode : int {
    Success = 0,
    RequestFailed = 1,      ///< the broker answered with an error (unknown device, …)
    UsageError = 2,         ///< bad command line or unreadable input
    Unreachable = 3,        ///< no TCP connection to the broker
    AuthenticationFailed = 4, ///< bad credentials or not an operator
    TimedOut = 5,           ///< connected, but no answer in time
};

/// push, sessions, devices, report, kick, retained, accounts, apikeys: the admin API (docs/ADMIN-API.md).
int runAdminCommand(const QStringList &arguments);
/// decode: protobuf or raw wire format from a file or stdin.
int runDecodeCommand(const QStringList &arguments);
/// encode: JSON to protobuf bytes.
int runEncodeCommand(const QStringList &arguments);
/// simulate: a device fleet from a scenario file.
int runSimulateCommand(const QStringList &arguments);
/// replay: publish a capture exported from the console again.
int runReplayCommand(const QStringList &arguments);

} // namespace hermes::cli
