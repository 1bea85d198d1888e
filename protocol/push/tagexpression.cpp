#include "tagexpression.h"

#include <algorithm>

namespace hermes::push {

namespace {

constexpr int MaxDepth = 64;

bool isTagCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || c == u'_' || c == u'-' || c == u'.' || c == u':' || c == u'/';
}

enum class Keyword { None, And, Or, Not };

Keyword keywordOf(QStringView word)
{
    if (word.compare(QLatin1String("and"), Qt::CaseInsensitive) == 0)
        return Keyword::And;
    if (word.compare(QLatin1String("or"), Qt::CaseInsensitive) == 0)
        return Keyword::Or;
    if (word.compare(QLatin1String("not"), Qt::CaseInsensitive) == 0)
        return Keyword::Not;
    return Keyword::None;
}

} // namespace

QString TagExpressionError::toString() const
{
    return QStringLiteral("%1 at column %2").arg(message).arg(position + 1);
}

/// Recursive descent over the text; builds the node list of a TagExpression.
class TagExpressionParser
{
public:
    explicit TagExpressionParser(QStringView text) : m_text(text) {}

    TagExpressionResult run()
    {
        skipSpace();
        if (m_position == m_text.size())
            return TagExpressionError{QStringLiteral("empty tag expression"), 0};
        const int root = parseOr(0);
        if (m_error)
            return *m_error;
        skipSpace();
        if (m_position < m_text.size())
            return TagExpressionError{QStringLiteral("unexpected '%1'").arg(m_text[m_position]), m_position};
        m_expression.m_root = root;
        return std::move(m_expression);
    }

private:
    enum class Token { End, Tag, And, Or, Not, Open, Close, Invalid };

    void skipSpace()
    {
        while (m_position < m_text.size() && m_text[m_position].isSpace())
            ++m_position;
    }

    /// The next token without consuming it; `length` is how many characters it spans.
    Token peek(qsizetype *length) const
    {
        const qsizetype at = m_position;
        *length = 1;
        if (at >= m_text.size())
            return Token::End;
        const QChar c = m_text[at];
        const QChar next = at + 1 < m_text.size() ? m_text[at + 1] : QChar();
        if (c == u'&') {
            *length = next == u'&' ? 2 : 1;
            return Token::And;
        }
        if (c == u'|') {
            *length = next == u'|' ? 2 : 1;
            return Token::Or;
        }
        if (c == u'!')
            return Token::Not;
        if (c == u'(')
            return Token::Open;
        if (c == u')')
            return Token::Close;
        if (!isTagCharacter(c))
            return Token::Invalid;
        qsizetype end = at;
        while (end < m_text.size() && isTagCharacter(m_text[end]))
            ++end;
        *length = end - at;
        switch (keywordOf(m_text.mid(at, end - at))) {
        case Keyword::And: return Token::And;
        case Keyword::Or: return Token::Or;
        case Keyword::Not: return Token::Not;
        case Keyword::None: break;
        }
        return Token::Tag;
    }

    bool accept(Token wanted)
    {
        skipSpace();
        qsizetype length = 0;
        if (peek(&length) != wanted)
            return false;
        m_position += length;
        return true;
    }

    int fail(const QString &message)
    {
        if (!m_error)
            m_error = TagExpressionError{message, m_position};
        return -1;
    }

    int add(TagExpression::Node node)
    {
        m_expression.m_nodes.append(std::move(node));
        return int(m_expression.m_nodes.size() - 1);
    }

    int parseBinary(int depth, bool isOr)
    {
        using Kind = TagExpression::Node::Kind;
        int left = isOr ? parseBinary(depth, false) : parseFactor(depth);
        while (!m_error && accept(isOr ? Token::Or : Token::And)) {
            const int right = isOr ? parseBinary(depth, false) : parseFactor(depth);
            if (m_error)
                return -1;
            left = add({isOr ? Kind::Or : Kind::And, {}, left, right});
        }
        return m_error ? -1 : left;
    }

    int parseOr(int depth) { return parseBinary(depth, true); }

    int parseFactor(int depth)
    {
        using Kind = TagExpression::Node::Kind;
        if (depth > MaxDepth)
            return fail(QStringLiteral("nested more than %1 levels").arg(MaxDepth));
        skipSpace();
        qsizetype length = 0;
        switch (peek(&length)) {
        case Token::Not: {
            m_position += length;
            const int operand = parseFactor(depth + 1);
            return m_error ? -1 : add({Kind::Not, {}, operand, -1});
        }
        case Token::Open: {
            const qsizetype open = m_position;
            m_position += length;
            const int inner = parseOr(depth + 1);
            if (m_error)
                return -1;
            if (!accept(Token::Close)) {
                skipSpace();
                if (m_position >= m_text.size()) {
                    m_position = open;
                    return fail(QStringLiteral("unclosed '('"));
                }
                return fail(QStringLiteral("expected ')'"));
            }
            return inner;
        }
        case Token::Tag: {
            const QString tag = m_text.mid(m_position, length).toString();
            m_position += length;
            return add({Kind::Tag, tag, -1, -1});
        }
        case Token::End:
            return fail(QStringLiteral("expected a tag"));
        case Token::Invalid:
            return fail(QStringLiteral("'%1' cannot be part of a tag").arg(m_text[m_position]));
        case Token::And:
        case Token::Or:
        case Token::Close:
            return fail(QStringLiteral("expected a tag before '%1'").arg(m_text.mid(m_position, length)));
        }
        return -1;
    }

    QStringView m_text;
    qsizetype m_position = 0;
    TagExpression m_expression;
    std::optional<TagExpressionError> m_error;
};

TagExpressionResult TagExpression::parse(QStringView text)
{
    return TagExpressionParser(text).run();
}

bool TagExpression::isValidTag(QStringView tag)
{
    return !tag.isEmpty() && std::all_of(tag.begin(), tag.end(), isTagCharacter)
        && keywordOf(tag) == Keyword::None;
}

bool TagExpression::matches(const QStringList &tags) const
{
    return m_root >= 0 && evaluate(m_root, tags);
}

bool TagExpression::evaluate(int index, const QStringList &tags) const
{
    const Node &node = m_nodes[index];
    switch (node.kind) {
    case Node::Kind::Tag: return tags.contains(node.tag);
    case Node::Kind::Not: return !evaluate(node.left, tags);
    case Node::Kind::And: return evaluate(node.left, tags) && evaluate(node.right, tags);
    case Node::Kind::Or: return evaluate(node.left, tags) || evaluate(node.right, tags);
    }
    return false;
}

QString TagExpression::toString() const
{
    return m_root >= 0 ? format(m_root, 0) : QString();
}

QString TagExpression::format(int index, int parentPrecedence) const
{
    const Node &node = m_nodes[index];
    switch (node.kind) {
    case Node::Kind::Tag: return node.tag;
    case Node::Kind::Not: return QLatin1Char('!') + format(node.left, 3);
    case Node::Kind::And:
    case Node::Kind::Or: {
        const bool isAnd = node.kind == Node::Kind::And;
        const int precedence = isAnd ? 2 : 1;
        // Left-associative: the right operand needs parentheses at equal precedence.
        QString text = format(node.left, precedence) + (isAnd ? QLatin1String(" && ") : QLatin1String(" || "))
            + format(node.right, precedence + 1);
        return precedence < parentPrecedence ? QLatin1Char('(') + text + QLatin1Char(')') : text;
    }
    }
    return {};
}

QStringList TagExpression::tags() const
{
    QStringList names;
    for (const Node &node : m_nodes) {
        if (node.kind == Node::Kind::Tag && !names.contains(node.tag))
            names.append(node.tag);
    }
    names.sort();
    return names;
}

} // namespace hermes::push
