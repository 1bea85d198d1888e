#pragma once
/// The schema manager: load .proto files, folders and descriptor sets into a SchemaLibrary,
/// browse the message types, bind topic filters to types, and read load errors as
/// file:line:column: message.

#include "bindingtablemodel.h"

#include <QPointer>
#include <QStyledItemDelegate>
#include <QWidget>

class QGroupBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;
class QTreeView;

namespace hermes::ui {

/// Edits the MessageType column with a combo box of the loaded types (free text allowed, so
/// a binding may name a type whose file is not loaded yet).
class MessageTypeDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit MessageTypeDelegate(SchemaLibrary *library, QObject *parent = nullptr);
    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;

private:
    QPointer<SchemaLibrary> m_library;
};

class SchemaManager : public QWidget
{
    Q_OBJECT
public:
    /// Role of the type tree's items holding the full type name (empty for packages).
    static constexpr int TypeNameRole = Qt::UserRole + 1;

    explicit SchemaManager(SchemaLibrary *library, QWidget *parent = nullptr);
    ~SchemaManager() override;

    SchemaLibrary *library() const { return m_library; }

    /// The widgets, for tests and for embedding.
    QListWidget *sourceList() const { return m_sources; }
    QListWidget *errorList() const { return m_errors; }
    QLineEdit *typeFilter() const { return m_typeFilter; }
    QTreeView *typeView() const { return m_types; }
    QStandardItemModel *typeModel() const { return m_typeModel; }
    QSortFilterProxyModel *typeProxy() const { return m_typeProxy; }
    QTableView *bindingView() const { return m_bindingView; }
    BindingTableModel *bindingModel() const { return m_bindingModel; }
    /// Which type a topic typed in the "try a topic" field resolves to.
    QLineEdit *topicTester() const { return m_topicTester; }
    QString topicTestResult() const;

public slots:
    void addProtoFiles();
    void addProtoFolder();
    void addDescriptorSet();
    void removeSelectedSource();
    /// Binds a new row to the type selected in the tree (if any) and starts editing its filter.
    void addBinding();
    void removeSelectedBinding();

signals:
    /// The operator double-clicked a message type (e.g. to compose one).
    void typeActivated(const QString &typeName);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslateUi();
    void refresh();
    void refreshTypes();
    void updateTopicTest();
    QString selectedType() const;

    QPointer<SchemaLibrary> m_library;
    QListWidget *m_sources = nullptr;
    QGroupBox *m_errorBox = nullptr;
    QListWidget *m_errors = nullptr;
    QLineEdit *m_typeFilter = nullptr;
    QLabel *m_typeCount = nullptr;
    QTreeView *m_types = nullptr;
    QStandardItemModel *m_typeModel = nullptr;
    QSortFilterProxyModel *m_typeProxy = nullptr;
    QTableView *m_bindingView = nullptr;
    BindingTableModel *m_bindingModel = nullptr;
    QLineEdit *m_topicTester = nullptr;
    QLabel *m_topicResult = nullptr;
    QPushButton *m_removeSource = nullptr;
    QPushButton *m_removeBinding = nullptr;
    QPushButton *m_addFiles = nullptr;
    QPushButton *m_addFolder = nullptr;
    QPushButton *m_addSet = nullptr;
    QPushButton *m_reload = nullptr;
    QPushButton *m_addBinding = nullptr;
    QGroupBox *m_sourceBox = nullptr;
    QGroupBox *m_typeBox = nullptr;
    QGroupBox *m_bindingBox = nullptr;
};

} // namespace hermes::ui
