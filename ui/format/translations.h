#pragma once
/// Loading the console's and Qt's own translations for a locale.

#include <QLocale>

class QCoreApplication;

namespace hermes::ui {

/// Installs Hermes's and Qt's translators for `locale` on the application (replacing any
/// installed earlier by this function). Returns whether Hermes's own translation was found;
/// English needs none.
bool installTranslations(const QLocale &locale);

} // namespace hermes::ui
