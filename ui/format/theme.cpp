#include "theme.h"

#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>

namespace hermes::ui {

namespace {
const QString ThemeKey = QStringLiteral("ui/theme");

/// The platform's palette and style, captured before Hermes first replaces them.
struct Platform {
    QPalette palette;
    QString styleName;
};

const Platform &platform()
{
    static const Platform captured{QApplication::palette(),
                                   QApplication::style() ? QApplication::style()->name() : QString()};
    return captured;
}
} // namespace

QString themeKey(Theme theme)
{
    switch (theme) {
    case Theme::System: return QStringLiteral("system");
    case Theme::Light: return QStringLiteral("light");
    case Theme::Dark: return QStringLiteral("dark");
    }
    return {};
}

Theme themeSetting()
{
    const QString value = QSettings().value(ThemeKey).toString();
    for (const Theme theme : {Theme::Light, Theme::Dark}) {
        if (value == themeKey(theme))
            return theme;
    }
    return Theme::System;
}

void saveThemeSetting(Theme theme)
{
    QSettings().setValue(ThemeKey, themeKey(theme));
}

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Text).lightness() > palette.color(QPalette::Base).lightness();
}

bool systemPrefersDark()
{
    // Qt 6.4 has no QStyleHints::colorScheme(); the platform theme's palette and GTK_THEME
    // ("Adwaita:dark") are what a desktop tells a Qt program.
    if (qEnvironmentVariable("GTK_THEME").endsWith(QLatin1String(":dark"), Qt::CaseInsensitive))
        return true;
    return platform().palette.color(QPalette::Window).lightness() < 128;
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30);
    const QColor base(0x1f, 0x21, 0x24);
    const QColor text(0xe6, 0xe6, 0xe6);
    const QColor disabledText(0x80, 0x80, 0x80);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x27, 0x29, 0x2d));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3d, 0x41));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0x9a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x3d, 0x40, 0x44));
    p.setColor(QPalette::Mid, QColor(0x5f, 0x63, 0x68));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0c, 0x0d));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7a, 0xb7, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xc0, 0x9b, 0xff));
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    return p;
}

void applyTheme(Theme theme)
{
    const Platform &original = platform(); // captured before the first change
    const bool dark = theme == Theme::Dark || (theme == Theme::System && systemPrefersDark());
    if (theme == Theme::System && !dark) {
        if (QApplication::style()->name() != original.styleName)
            QApplication::setStyle(QStyleFactory::create(original.styleName));
        QApplication::setPalette(original.palette);
        return;
    }
    // Fusion draws every control from the palette, so a dark palette gives a dark console
    // whatever the platform style is.
    if (QApplication::style()->name().compare(QLatin1String("fusion"), Qt::CaseInsensitive) != 0)
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(dark ? darkPalette() : QApplication::style()->standardPalette());
}

} // namespace hermes::ui
