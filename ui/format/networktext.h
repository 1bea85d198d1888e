#pragma once
/// How the console words fleet analytics: NAT timeout intervals, evidence, rates. Shared by
/// the Networks view and the heartbeat timeline's NAT line, so both say the same thing.

#include "engine/analytics/networkreport.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

namespace hermes::ui {

class NetworkText
{
    Q_DECLARE_TR_FUNCTIONS(NetworkText)
public:
    /// Whether the estimate is worth acting on: enough devices on both sides and a bound.
    static bool isTrusted(const analytics::NatEstimate &estimate);
    /// "285 s", "1,800 s", "4.5 s" in the current locale.
    static QString seconds(analytics::Duration duration);
    /// The bounds as they stand: "285 – 300 s"; "> 285 s" while nothing has died of
    /// idleness; "≤ 300 s"; empty without evidence.
    static QString bounds(const analytics::NatEstimate &estimate);
    /// bounds() when the estimate is trusted, else "not enough evidence".
    static QString interval(const analytics::NatEstimate &estimate);
    /// interval(), and for an estimate not trusted yet what there is so far in brackets.
    static QString tentativeInterval(const analytics::NatEstimate &estimate);
    /// "12 / 12 devices · 86 observations" (devices that survived a gap / lost their mapping).
    static QString evidence(const analytics::NatEstimate &estimate);
    /// The sentence behind evidence(), for a tooltip.
    static QString evidenceToolTip(const analytics::NatEstimate &estimate);
    /// The recommended keep-alive, or "—" while there is none.
    static QString keepAlive(const analytics::NatEstimate &estimate);
    /// Events per device-hour with two decimals ("0.42").
    static QString perDeviceHour(double rate);
    /// The keep-alive the broker gives this network's devices now ("247 s"), or "—".
    static QString applied(const analytics::AppliedAdvice &applied);
    /// Each change of that value with the silent-death rate before and since, for a tooltip.
    static QString appliedToolTip(const analytics::AppliedAdvice &applied);
    /// "42 s / 171 s" (median / max), or "—" when nothing died silently.
    static QString blindTime(const analytics::NetworkReport &report);

    /// Where the heartbeat timeline's NAT line goes for a trusted estimate: the lower bound
    /// (the earliest the mapping may be gone), else the upper bound; in whole seconds.
    static std::optional<int> natLineSeconds(const analytics::NatEstimate &estimate);
    /// The line's label: "NAT ≈ 285–300 s (network cmcc)".
    static QString natLineLabel(const analytics::NatEstimate &estimate, const QString &network);
};

} // namespace hermes::ui
