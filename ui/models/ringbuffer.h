#pragma once
/// A fixed-capacity ring of values: the newest N samples of a chart or log.

#include <QList>

#include <algorithm>
#include <vector>

namespace hermes::ui {

template<typename T>
class RingBuffer
{
public:
    explicit RingBuffer(qsizetype capacity)
        : m_items(size_t(capacity))
    {
    }

    void push(T value)
    {
        m_items[size_t(m_next)] = std::move(value);
        m_next = (m_next + 1) % capacity();
        if (m_size < capacity())
            ++m_size;
    }

    qsizetype size() const { return m_size; }
    qsizetype capacity() const { return qsizetype(m_items.size()); }
    bool isEmpty() const { return m_size == 0; }
    /// Forgets the `count` oldest elements.
    void dropOldest(qsizetype count) { m_size -= std::min(count, m_size); }
    void clear()
    {
        m_size = 0;
        m_next = 0;
    }

    /// Element `index` counted from the oldest (0) to the newest (size() - 1).
    const T &at(qsizetype index) const
    {
        return m_items[size_t((m_next - m_size + index + capacity()) % capacity())];
    }
    const T &newest() const { return at(m_size - 1); }

    /// Oldest first.
    QList<T> toList() const
    {
        QList<T> result;
        result.reserve(m_size);
        for (qsizetype i = 0; i < m_size; ++i)
            result.append(at(i));
        return result;
    }

private:
    std::vector<T> m_items;
    qsizetype m_next = 0;
    qsizetype m_size = 0;
};

} // namespace hermes::ui
