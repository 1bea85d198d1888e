#include "networkreport.h"

namespace hermes::analytics {

std::optional<Duration> NatEstimate::midpoint() const
{
    if (!lowerBound || !upperBound)
        return std::nullopt;
    return (*lowerBound + *upperBound) / 2;
}

} // namespace hermes::analytics
