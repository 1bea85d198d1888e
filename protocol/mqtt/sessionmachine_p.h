#pragma once
/// What the files of SessionMachine share and nobody else needs.

#include "sessionmachine.h"

namespace hermes::mqtt {

/// Largest packet the protocol can express: 4-byte remaining length plus fixed header.
inline constexpr quint32 kProtocolMaximumPacketSize = 268'435'455u + 5u;

} // namespace hermes::mqtt
