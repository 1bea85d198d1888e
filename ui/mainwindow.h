#pragma once
/// The console's main window.

#include <QMainWindow>

namespace hermes::ui {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
};

} // namespace hermes::ui
