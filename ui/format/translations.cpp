#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace hermes::ui {

bool installTranslations(const QLocale &locale)
{
    // Owned by the application object, replaced on each call.
    for (QTranslator *old : qApp->findChildren<QTranslator *>(QStringLiteral("hermesTranslator"))) {
        QCoreApplication::removeTranslator(old);
        delete old;
    }
    auto *app = new QTranslator(qApp);
    app->setObjectName(QStringLiteral("hermesTranslator"));
    const bool found = app->load(locale, QStringLiteral("hermes"), QStringLiteral("_"), QStringLiteral(":/i18n"));
    if (found)
        QCoreApplication::installTranslator(app);
    auto *qt = new QTranslator(qApp);
    qt->setObjectName(QStringLiteral("hermesTranslator"));
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    return found;
}

} // namespace hermes::ui
