#include "schemamanager.h"

#include "mqtt/topic.h"

#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QStyle>
#include <QTableView>
#include <QTreeView>
#include <QVBoxLayout>

namespace hermes::ui {

// ---------------------------------------------------------------------------------------
// MessageTypeDelegate

MessageTypeDelegate::MessageTypeDelegate(SchemaLibrary *library, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_library(library)
{
}

QWidget *MessageTypeDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                           const QModelIndex &index) const
{
    if (index.column() != BindingTableModel::MessageType)
        return QStyledItemDelegate::createEditor(parent, option, index);
    auto *combo = new QComboBox(parent);
    combo->setEditable(true);
    combo->setInsertPolicy(QComboBox::NoInsert);
    if (m_library)
        combo->addItems(m_library->messageTypes());
    combo->completer()->setFilterMode(Qt::MatchContains);
    combo->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    return combo;
}

void MessageTypeDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor))
        combo->setCurrentText(index.data(Qt::EditRole).toString());
    else
        QStyledItemDelegate::setEditorData(editor, index);
}

void MessageTypeDelegate::setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor))
        model->setData(index, combo->currentText(), Qt::EditRole);
    else
        QStyledItemDelegate::setModelData(editor, model, index);
}

// ---------------------------------------------------------------------------------------
// SchemaManager

namespace {

QString sourceText(const SchemaSource &source)
{
    switch (source.kind) {
    case SchemaSource::Kind::ProtoFile:
        return SchemaManager::tr("File: %1").arg(source.path);
    case SchemaSource::Kind::ProtoDirectory:
        return SchemaManager::tr("Folder: %1").arg(source.path);
    case SchemaSource::Kind::DescriptorSet:
        return SchemaManager::tr("Descriptor set: %1").arg(source.path);
    }
    return source.path;
}

/// "hermes.test.Telemetry.Location" -> ("hermes.test", "Telemetry.Location"): the package is
/// the leading lower-case components (protobuf style: packages lower, messages Capitalised).
std::pair<QString, QString> splitPackage(const QString &fullName)
{
    const QStringList parts = fullName.split(QLatin1Char('.'));
    int packageParts = 0;
    while (packageParts < parts.size() - 1 && !parts.at(packageParts).isEmpty()
           && parts.at(packageParts).at(0).isLower())
        ++packageParts;
    return {parts.mid(0, packageParts).join(QLatin1Char('.')), parts.mid(packageParts).join(QLatin1Char('.'))};
}

} // namespace

SchemaManager::SchemaManager(SchemaLibrary *library, QWidget *parent)
    : QWidget(parent)
    , m_library(library)
{
    // Sources.
    m_sources = new QListWidget(this);
    m_sources->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sources->setTextElideMode(Qt::ElideMiddle);
    m_sources->setIconSize(QSize(16, 16));
    m_addFiles = new QPushButton(this);
    m_addFolder = new QPushButton(this);
    m_addSet = new QPushButton(this);
    m_removeSource = new QPushButton(this);
    m_reload = new QPushButton(this);
    auto *sourceButtons = new QHBoxLayout;
    for (QPushButton *button : {m_addFiles, m_addFolder, m_addSet, m_removeSource, m_reload})
        sourceButtons->addWidget(button);
    sourceButtons->addStretch(1);
    m_sourceBox = new QGroupBox(this);
    auto *sourceLayout = new QVBoxLayout(m_sourceBox);
    sourceLayout->addWidget(m_sources, 1);
    sourceLayout->addLayout(sourceButtons);

    // Problems.
    m_errors = new QListWidget(this);
    m_errors->setWordWrap(true);
    m_errors->setIconSize(QSize(16, 16));
    m_errorBox = new QGroupBox(this);
    auto *errorLayout = new QVBoxLayout(m_errorBox);
    errorLayout->addWidget(m_errors);

    // Types.
    m_typeFilter = new QLineEdit(this);
    m_typeFilter->setClearButtonEnabled(true);
    m_typeCount = new QLabel(this);
    m_typeModel = new QStandardItemModel(this);
    m_typeProxy = new QSortFilterProxyModel(this);
    m_typeProxy->setSourceModel(m_typeModel);
    m_typeProxy->setRecursiveFilteringEnabled(true);
    m_typeProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_typeProxy->setFilterRole(TypeNameRole);
    m_types = new QTreeView(this);
    m_types->setModel(m_typeProxy);
    m_types->setHeaderHidden(true);
    m_types->setUniformRowHeights(true);
    m_types->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_typeBox = new QGroupBox(this);
    auto *typeLayout = new QVBoxLayout(m_typeBox);
    auto *typeFilterRow = new QHBoxLayout;
    typeFilterRow->addWidget(m_typeFilter, 1);
    typeFilterRow->addWidget(m_typeCount);
    typeLayout->addLayout(typeFilterRow);
    typeLayout->addWidget(m_types, 1);

    // Bindings.
    m_bindingModel = new BindingTableModel(m_library, this);
    m_bindingView = new QTableView(this);
    m_bindingView->setModel(m_bindingModel);
    m_bindingView->setItemDelegate(new MessageTypeDelegate(m_library, m_bindingView));
    m_bindingView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_bindingView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_bindingView->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_bindingView->verticalHeader()->hide();
    m_bindingView->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_addBinding = new QPushButton(this);
    m_removeBinding = new QPushButton(this);
    m_topicTester = new QLineEdit(this);
    m_topicTester->setClearButtonEnabled(true);
    m_topicResult = new QLabel(this);
    m_topicResult->setTextFormat(Qt::PlainText);
    auto *bindingButtons = new QHBoxLayout;
    bindingButtons->addWidget(m_addBinding);
    bindingButtons->addWidget(m_removeBinding);
    bindingButtons->addSpacing(12);
    bindingButtons->addWidget(m_topicTester, 1);
    bindingButtons->addWidget(m_topicResult, 1);
    m_bindingBox = new QGroupBox(this);
    auto *bindingLayout = new QVBoxLayout(m_bindingBox);
    bindingLayout->addWidget(m_bindingView, 1);
    bindingLayout->addLayout(bindingButtons);

    auto *left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_sourceBox);
    left->addWidget(m_errorBox);
    left->setChildrenCollapsible(false);
    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(left);
    top->addWidget(m_typeBox);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setChildrenCollapsible(false);
    auto *main = new QSplitter(Qt::Vertical, this);
    main->addWidget(top);
    main->addWidget(m_bindingBox);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    main->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(main);

    connect(m_addFiles, &QPushButton::clicked, this, &SchemaManager::addProtoFiles);
    connect(m_addFolder, &QPushButton::clicked, this, &SchemaManager::addProtoFolder);
    connect(m_addSet, &QPushButton::clicked, this, &SchemaManager::addDescriptorSet);
    connect(m_removeSource, &QPushButton::clicked, this, &SchemaManager::removeSelectedSource);
    connect(m_addBinding, &QPushButton::clicked, this, &SchemaManager::addBinding);
    connect(m_removeBinding, &QPushButton::clicked, this, &SchemaManager::removeSelectedBinding);
    connect(m_typeFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_typeProxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_types->expandAll();
    });
    connect(m_types, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString type = index.data(TypeNameRole).toString();
        if (!type.isEmpty() && !index.model()->hasChildren(index))
            emit typeActivated(type);
    });
    connect(m_topicTester, &QLineEdit::textChanged, this, &SchemaManager::updateTopicTest);
    connect(m_sources, &QListWidget::currentRowChanged, this,
            [this](int row) { m_removeSource->setEnabled(row >= 0); });
    connect(m_bindingView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { m_removeBinding->setEnabled(current.isValid()); });
    if (m_library) {
        connect(m_reload, &QPushButton::clicked, m_library, &SchemaLibrary::reload);
        connect(m_library, &SchemaLibrary::changed, this, &SchemaManager::refresh);
        connect(m_library, &SchemaLibrary::bindingsChanged, this, &SchemaManager::updateTopicTest);
    }
    retranslateUi();
}

SchemaManager::~SchemaManager() = default;

void SchemaManager::retranslateUi()
{
    m_addFiles->setText(tr("Add &files…"));
    m_addFolder->setText(tr("Add f&older…"));
    m_addSet->setText(tr("Add &descriptor set…"));
    m_addSet->setToolTip(tr("A FileDescriptorSet written by protoc -o (with or without --include_imports)"));
    m_removeSource->setText(tr("Re&move"));
    m_reload->setText(tr("Re&load"));
    m_sourceBox->setTitle(tr("Schema sources"));
    m_typeFilter->setPlaceholderText(tr("Filter message types"));
    m_typeBox->setTitle(tr("Message types"));
    m_addBinding->setText(tr("&Add binding"));
    m_addBinding->setToolTip(tr("Bind a topic filter to the message type selected above"));
    m_removeBinding->setText(tr("Remove b&inding"));
    m_topicTester->setPlaceholderText(tr("Try a topic, e.g. telemetry/pump-7/state"));
    m_bindingBox->setTitle(tr("Topic bindings (the most specific filter wins)"));
    // Headers and the problem tooltips of the bindings.
    emit m_bindingModel->headerDataChanged(Qt::Horizontal, 0, BindingTableModel::ColumnCount - 1);
    if (const int rows = m_bindingModel->rowCount(); rows > 0)
        emit m_bindingModel->dataChanged(m_bindingModel->index(0, 0),
                                         m_bindingModel->index(rows - 1, BindingTableModel::ColumnCount - 1));
    refresh(); // sources, problems, type count and the topic test
}

void SchemaManager::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void SchemaManager::refresh()
{
    m_sources->clear();
    m_errors->clear();
    if (!m_library)
        return;
    for (const SchemaSource &source : m_library->sources()) {
        auto *item = new QListWidgetItem(sourceText(source), m_sources);
        item->setToolTip(source.path);
        const bool missing = !QFileInfo::exists(source.path);
        item->setIcon(style()->standardIcon(missing ? QStyle::SP_MessageBoxWarning
                                            : source.kind == SchemaSource::Kind::ProtoDirectory ? QStyle::SP_DirIcon
                                                                                                : QStyle::SP_FileIcon));
    }
    m_removeSource->setEnabled(m_sources->currentRow() >= 0);
    m_removeBinding->setEnabled(m_bindingView->currentIndex().isValid());
    int errorCount = 0;
    for (const schema::SchemaError &error : m_library->errors()) {
        auto *item = new QListWidgetItem(error.toString(), m_errors);
        item->setIcon(style()->standardIcon(error.warning ? QStyle::SP_MessageBoxWarning : QStyle::SP_MessageBoxCritical));
        errorCount += error.warning ? 0 : 1;
    }
    m_errorBox->setTitle(errorCount == 0 && m_library->errors().isEmpty()
                                 ? tr("Problems: none")
                                 : tr("Problems (%n)", nullptr, int(m_library->errors().size())));
    refreshTypes();
    updateTopicTest();
}

void SchemaManager::refreshTypes()
{
    const QString selected = selectedType();
    m_typeModel->clear();
    QHash<QString, QStandardItem *> packages;
    const QStringList types = m_library ? m_library->messageTypes() : QStringList();
    for (const QString &type : types) {
        const auto [package, name] = splitPackage(type);
        QStandardItem *&packageItem = packages[package];
        if (!packageItem) {
            packageItem = new QStandardItem(package.isEmpty() ? tr("(no package)") : package);
            packageItem->setData(package, TypeNameRole);
            packageItem->setSelectable(false);
            packageItem->setIcon(style()->standardIcon(QStyle::SP_DirIcon));
            m_typeModel->appendRow(packageItem);
        }
        auto *item = new QStandardItem(name);
        item->setData(type, TypeNameRole);
        item->setToolTip(type);
        packageItem->appendRow(item);
    }
    m_typeModel->sort(0);
    m_types->expandAll();
    m_typeCount->setText(tr("%n type(s)", nullptr, int(types.size())));
    if (!selected.isEmpty()) {
        const QModelIndexList found = m_typeProxy->match(m_typeProxy->index(0, 0), TypeNameRole, selected, 1,
                                                         Qt::MatchExactly | Qt::MatchRecursive);
        if (!found.isEmpty())
            m_types->setCurrentIndex(found.first());
    }
}

QString SchemaManager::selectedType() const
{
    const QModelIndex current = m_types->currentIndex();
    if (!current.isValid() || m_typeProxy->hasChildren(current))
        return {};
    return current.data(TypeNameRole).toString();
}

void SchemaManager::updateTopicTest()
{
    const QString topic = m_topicTester->text();
    if (topic.isEmpty() || !m_library) {
        m_topicResult->clear();
    } else if (!mqtt::isValidTopicName(topic)) {
        m_topicResult->setText(tr("→ not a valid topic name"));
    } else {
        const QString type = m_library->typeForTopic(topic);
        m_topicResult->setText(type.isEmpty() ? tr("→ no binding: wire format only") : tr("→ %1").arg(type));
    }
}

QString SchemaManager::topicTestResult() const
{
    return m_topicResult->text();
}

void SchemaManager::addProtoFiles()
{
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add .proto files"), QString(),
                                                            tr("Protocol Buffers (*.proto);;All files (*)"));
    for (const QString &file : files)
        m_library->addSource({SchemaSource::Kind::ProtoFile, file});
}

void SchemaManager::addProtoFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add a folder of .proto files"));
    if (!folder.isEmpty())
        m_library->addSource({SchemaSource::Kind::ProtoDirectory, folder});
}

void SchemaManager::addDescriptorSet()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("Add a descriptor set"), QString(),
                                                      tr("Descriptor sets (*.pb *.desc *.protoset *.bin);;All files (*)"));
    if (!file.isEmpty())
        m_library->addSource({SchemaSource::Kind::DescriptorSet, file});
}

void SchemaManager::removeSelectedSource()
{
    if (m_library && m_sources->currentRow() >= 0)
        m_library->removeSource(m_sources->currentRow());
}

void SchemaManager::addBinding()
{
    const QModelIndex index = m_bindingModel->addBinding(SchemaBinding{QString(), selectedType()});
    m_bindingView->setCurrentIndex(index);
    m_bindingView->edit(index);
}

void SchemaManager::removeSelectedBinding()
{
    const QModelIndex current = m_bindingView->currentIndex();
    if (current.isValid())
        m_bindingModel->removeBinding(current.row());
}

} // namespace hermes::ui
