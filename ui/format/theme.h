#pragma once
/// Light and dark: the console follows the system's colour scheme or the one chosen in
/// View → Theme. Painted widgets (heartbeat timeline, charts, lateness bars) ask
/// isDark() and pick colours that keep their meaning on either background.

#include <QColor>
#include <QPalette>
#include <QString>

namespace hermes::ui {

enum class Theme : quint8 { System, Light, Dark };

/// The saved choice ("ui/theme": system, light or dark); System when unset.
Theme themeSetting();
void saveThemeSetting(Theme theme);
QString themeKey(Theme theme);

/// Whether the desktop asks for dark colours: its palette's window colour is dark, or
/// GTK_THEME names a dark variant. Read once, before applyTheme() replaces the palette.
bool systemPrefersDark();

/// Applies `theme` to the application (Fusion style with a light or a dark palette, or the
/// platform's own look for System when it is light). Every widget gets a PaletteChange.
void applyTheme(Theme theme);

/// Whether `palette` is a dark one (text lighter than the base).
bool isDark(const QPalette &palette);
/// `light` on a light palette, `dark` on a dark one.
inline QColor themed(const QPalette &palette, const QColor &light, const QColor &dark)
{
    return isDark(palette) ? dark : light;
}

/// The dark palette Hermes uses (Fusion colours, tuned for contrast of charts and bands).
QPalette darkPalette();

} // namespace hermes::ui
