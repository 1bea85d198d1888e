#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>

namespace hermes::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("Hermes Push Console"));
    setCentralWidget(new QLabel(tr("Push console and MQTT broker inspector"), this));
    statusBar()->showMessage(tr("Broker not started"));
    resize(1280, 800);
}

} // namespace hermes::ui
