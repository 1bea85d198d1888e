#pragma once
/// Tag expressions that choose a push audience: `vip && !beta`, `(cn OR us) AND NOT test`.
///
/// Grammar (keywords are case-insensitive; `&&` `&` AND, `||` `|` OR, `!` NOT):
///     expression := term { OR term }
///     term       := factor { AND factor }
///     factor     := NOT factor | "(" expression ")" | tag
///     tag        := one or more of A-Z a-z 0-9 _ - . : /  (and not a keyword)
/// NOT binds tighter than AND, AND tighter than OR. Nesting is capped at 64 levels so no
/// input can exhaust the stack.

#include <QList>
#include <QString>
#include <QStringList>

#include <variant>

namespace hermes::push {

/// Why a text is not a tag expression; `position` is the 0-based character offset.
struct TagExpressionError {
    QString message;
    qsizetype position = 0;
    /// "unexpected ')' at column 7".
    QString toString() const;
    bool operator==(const TagExpressionError &) const = default;
};

class TagExpression;
using TagExpressionResult = std::variant<TagExpression, TagExpressionError>;

/// A parsed expression: a value type, cheap to copy and to evaluate.
class TagExpression
{
public:
    static TagExpressionResult parse(QStringView text);
    /// True if a device with these tags belongs to the audience.
    bool matches(const QStringList &tags) const;
    /// Canonical text with minimal parentheses: "vip && !beta".
    QString toString() const;
    /// Every tag the expression names, sorted.
    QStringList tags() const;
    /// True for tag names a device may carry (the `tag` rule above).
    static bool isValidTag(QStringView tag);
    bool operator==(const TagExpression &) const = default;

private:
    struct Node {
        enum class Kind : quint8 { Tag, Not, And, Or } kind = Kind::Tag;
        QString tag;
        int left = -1;  ///< operand (Not), left operand (And, Or)
        int right = -1; ///< right operand (And, Or)
        bool operator==(const Node &) const = default;
    };
    friend class TagExpressionParser;
    bool evaluate(int node, const QStringList &tags) const;
    QString format(int node, int parentPrecedence) const;

    QList<Node> m_nodes;
    int m_root = -1;
};

} // namespace hermes::push
