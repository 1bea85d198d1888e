#pragma once
/// Driving the connection dialog as an operator does, shared by tst_connectionprofiles and
/// tst_passwordvault.

#include "connectiondialog.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QFile>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTest>

namespace hermes::test {

/// The profile the tests connect: hermesd's operator account on loopback.
inline ui::ConnectionProfile factoryFloor(quint16 port)
{
    ui::ConnectionProfile profile;
    profile.name = QStringLiteral("Factory floor");
    profile.host = QStringLiteral("127.0.0.1");
    profile.port = port;
    profile.userName = QStringLiteral("admin");
    return profile;
}

/// The visible password prompt, if one is open.
inline ui::PasswordPrompt *visiblePasswordPrompt()
{
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (auto *prompt = qobject_cast<ui::PasswordPrompt *>(widget); prompt && prompt->isVisible())
            return prompt;
    }
    return nullptr;
}

/// Types `password` into the open prompt and presses Connect.
inline bool answerPasswordPrompt(const QString &password)
{
    ui::PasswordPrompt *prompt = visiblePasswordPrompt();
    if (!prompt)
        return false;
    QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("password")), password);
    QTest::mouseClick(prompt->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    return true;
}

/// New… in the dialog, the fields typed in, Save pressed; the editor (still open when the
/// profile was refused).
inline ui::ProfileEditor *typeNewProfile(ui::ConnectionDialog *dialog, const QString &name, const QString &host,
                                         quint16 port, const QString &userName)
{
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("newProfile")), Qt::LeftButton);
    auto *editor = dialog->findChild<ui::ProfileEditor *>();
    if (!editor)
        return nullptr;
    QTest::keyClicks(editor->findChild<QLineEdit *>(QStringLiteral("profileName")), name);
    QTest::keyClicks(editor->findChild<QLineEdit *>(QStringLiteral("profileHost")), host);
    editor->findChild<QSpinBox *>(QStringLiteral("profilePort"))->setValue(port);
    QTest::keyClicks(editor->findChild<QLineEdit *>(QStringLiteral("profileUser")), userName);
    QTest::mouseClick(editor->findChild<QPushButton *>(QStringLiteral("profileSave")), Qt::LeftButton);
    return editor;
}

/// Everything the settings file holds, to prove a password is not in it.
inline QByteArray settingsFileBytes()
{
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace hermes::test
