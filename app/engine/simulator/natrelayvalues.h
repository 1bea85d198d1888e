#pragma once
/// The simulated carrier NAT (natrelay.h) as plain values: which NAT a scenario asks for,
/// and what the relay counted (part of hermes_engine_api).

#include <QString>
#include <QtGlobal>

#include <chrono>

namespace hermes::sim {

/// Measured carrier NAT timeouts (DOMAIN.md).
enum class NatPreset : quint8 {
    ChinaMobile,  ///< 5 min
    ChinaUnicom,  ///< 5 min
    ChinaTelecom, ///< > 28 min; 30 min here
    Custom,       ///< NatRelay::Config::customTimeout (0 = no NAT: mappings never expire)
};

/// The simulated idle timeout of a preset (Custom: 0, see NatRelay::Config::customTimeout).
std::chrono::milliseconds natPresetTimeout(NatPreset preset);
/// "China Mobile"
QString natPresetName(NatPreset preset);

/// What a NatRelay has forwarded and dropped so far.
struct NatRelayCounters {
    quint64 mappingsCreated = 0;
    quint64 mappingsDropped = 0; ///< by idle timeout
    quint64 mappingsClosed = 0;  ///< both sides gone (closed by a peer or after the grace)
    quint64 bytesFromDevices = 0; ///< forwarded upstream
    quint64 bytesToDevices = 0;   ///< forwarded downstream
    quint64 bytesDiscarded = 0;   ///< arrived on a dropped mapping
};

} // namespace hermes::sim
