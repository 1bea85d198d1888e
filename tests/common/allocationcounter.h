#pragma once
// Counts heap allocations in the one executable that includes this header (include it in a
// single source file): its malloc, calloc and realloc take precedence over libc's, Qt's
// included, and forward to glibc. Sanitizers bring their own allocator, so counting is off
// under them (HERMES_COUNT_ALLOCATIONS is 0 and allocationCount() stays 0).

#include <QtGlobal>

#include <atomic>
#include <cstddef>

#if defined(__SANITIZE_ADDRESS__)
#define HERMES_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HERMES_COUNT_ALLOCATIONS 0
#endif
#endif
#if !defined(HERMES_COUNT_ALLOCATIONS) && defined(__GLIBC__)
#define HERMES_COUNT_ALLOCATIONS 1
#endif
#ifndef HERMES_COUNT_ALLOCATIONS
#define HERMES_COUNT_ALLOCATIONS 0
#endif

namespace hermes::testing {
inline std::atomic<quint64> allocations{0};
/// Allocations made by this process so far.
inline quint64 allocationCount()
{
    return allocations.load(std::memory_order_relaxed);
}
} // namespace hermes::testing

#if HERMES_COUNT_ALLOCATIONS
extern "C" {
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *pointer, size_t size);

void *malloc(size_t size) noexcept
{
    hermes::testing::allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) noexcept
{
    hermes::testing::allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) noexcept
{
    hermes::testing::allocations.fetch_add(1, std::memory_order_relaxed);
    return __libc_realloc(pointer, size);
}
}
#endif
