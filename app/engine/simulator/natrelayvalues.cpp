#include "natrelayvalues.h"

#include <QCoreApplication>

namespace hermes::sim {

using namespace std::chrono_literals;

std::chrono::milliseconds natPresetTimeout(NatPreset preset)
{
    switch (preset) {
    case NatPreset::ChinaMobile:
    case NatPreset::ChinaUnicom:
        return 300s;
    case NatPreset::ChinaTelecom:
        return 1800s;
    case NatPreset::Custom:
        return 0s;
    }
    return 0s;
}

QString natPresetName(NatPreset preset)
{
    switch (preset) {
    case NatPreset::ChinaMobile:
        return QCoreApplication::translate("hermes::sim::NatRelay", "China Mobile");
    case NatPreset::ChinaUnicom:
        return QCoreApplication::translate("hermes::sim::NatRelay", "China Unicom");
    case NatPreset::ChinaTelecom:
        return QCoreApplication::translate("hermes::sim::NatRelay", "China Telecom");
    case NatPreset::Custom:
        return QCoreApplication::translate("hermes::sim::NatRelay", "Custom");
    }
    return {};
}

} // namespace hermes::sim
