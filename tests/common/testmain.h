#pragma once
// Honest skips: QtTest exits 0 when a function is skipped, so ctest would count a binary whose
// peer program is missing as passed. Every test skips through HERMES_SKIP and ends with one of
// the HERMES_TEST_*MAIN macros below; a binary that skipped anything and failed nothing exits
// with SkippedExitCode, which tests/CMakeLists.txt declares as the tests' SKIP_RETURN_CODE.
// tests/CMakeLists.txt refuses QSKIP and the QTEST_*MAIN macros in test sources at configure time.

#include <QTest>

namespace hermes::testing {

inline constexpr int SkippedExitCode = 77;

inline bool &anythingSkipped()
{
    static bool skipped = false;
    return skipped;
}

inline int exitCodeOf(int qtestResult)
{
    return qtestResult == 0 && anythingSkipped() ? SkippedExitCode : qtestResult;
}

} // namespace hermes::testing

#define HERMES_SKIP(reason)                                                                        \
    do {                                                                                           \
        hermes::testing::anythingSkipped() = true;                                                 \
        QTest::qSkip(static_cast<const char *>(reason), __FILE__, __LINE__);                       \
        return;                                                                                    \
    } while (false)

#define HERMES_TEST_MAIN_WRAPPER(TestObject, ...)                                                  \
    int main(int argc, char *argv[])                                                               \
    {                                                                                              \
        QT_PREPEND_NAMESPACE(QTest::Internal::callInitMain)<TestObject>();                         \
        __VA_ARGS__                                                                                \
        TestObject tc;                                                                             \
        QTEST_SET_MAIN_SOURCE_PATH                                                                 \
        return hermes::testing::exitCodeOf(QTest::qExec(&tc, argc, argv));                         \
    }

#define HERMES_TEST_MAIN(TestObject) HERMES_TEST_MAIN_WRAPPER(TestObject, QTEST_MAIN_SETUP())
#define HERMES_TEST_GUILESS_MAIN(TestObject)                                                       \
    HERMES_TEST_MAIN_WRAPPER(TestObject, QTEST_QAPP_SETUP(QCoreApplication))
#define HERMES_TEST_APPLESS_MAIN(TestObject) HERMES_TEST_MAIN_WRAPPER(TestObject)
