// libFuzzer target for push audience tag expressions (operators type them; the admin API
// takes them from the network). Any input parses or is refused without a crash; a parsed
// expression's canonical text parses again to the same text and the same meaning.
#include "push/tagexpression.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace hermes::push;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const TagExpressionResult parsed = TagExpression::parse(text);
    const auto *expression = std::get_if<TagExpression>(&parsed);
    if (!expression)
        return 0;
    const QString canonical = expression->toString();
    const TagExpressionResult again = TagExpression::parse(canonical);
    const auto *reparsed = std::get_if<TagExpression>(&again);
    if (!reparsed || reparsed->toString() != canonical) {
        std::fprintf(stderr, "canonical text does not round-trip: %s\n", qPrintable(canonical));
        std::abort();
    }
    // Same meaning for every subset of the first few tags it names.
    const QStringList names = expression->tags().mid(0, 6);
    for (int mask = 0; mask < (1 << names.size()); ++mask) {
        QStringList tags;
        for (int bit = 0; bit < names.size(); ++bit) {
            if (mask & (1 << bit))
                tags.append(names.at(bit));
        }
        if (expression->matches(tags) != reparsed->matches(tags)) {
            std::fprintf(stderr, "canonical text changes the meaning: %s\n", qPrintable(canonical));
            std::abort();
        }
    }
    return 0;
}
