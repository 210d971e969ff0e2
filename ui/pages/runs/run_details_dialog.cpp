#include "ui/pages/runs/run_details_dialog.h"
#include "ui/style/ui_style.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hw::ui {

namespace {

QString scalarText(const nlohmann::json& v)
{
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_null())
        return QStringLiteral("null");
    return QString::fromStdString(v.dump());
}

// Shows an item when it or any descendant matches; returns whether it is shown.
bool filterItem(QTreeWidgetItem* item, const QString& text)
{
    bool any = false;
    for (int i = 0; i < item->childCount(); ++i)
        any = filterItem(item->child(i), text) || any;
    const bool self = text.isEmpty() || item->text(0).contains(text, Qt::CaseInsensitive)
        || item->text(1).contains(text, Qt::CaseInsensitive);
    item->setHidden(!(self || any));
    if (!text.isEmpty() && any)
        item->setExpanded(true);
    return self || any;
}

} // namespace

RunDetailsDialog::RunDetailsDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Run details"));
    resize(760, 620);
    m_tabs = new QTabWidget(this);

    auto* treePage = new QWidget;
    auto* tl = new QVBoxLayout(treePage);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter keys and values (e.g. lr, prompt, regeneration)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setToolTip(tr("Show only the settings whose key or value contains this text"));
    m_tree = new QTreeWidget;
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Key"), tr("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->setContextMenuPolicy(Qt::CustomContextMenu);
    tl->addWidget(m_filter);
    tl->addWidget(m_tree);
    connect(m_filter, &QLineEdit::textChanged, this, &RunDetailsDialog::applyFilter);
    connect(m_tree, &QTreeWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QTreeWidgetItem* item = m_tree->itemAt(pos);
        if (!item)
            return;
        QMenu menu;
        menu.addAction(tr("Copy value"), this, [item] { QApplication::clipboard()->setText(item->text(1)); });
        menu.addAction(tr("Copy key"), this, [item] { QApplication::clipboard()->setText(item->text(0)); });
        menu.exec(m_tree->viewport()->mapToGlobal(pos));
    });

    m_json = new QPlainTextEdit;
    m_json->setReadOnly(true);
    m_json->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_json->setLineWrapMode(QPlainTextEdit::NoWrap);

    m_samples = new QTreeWidget;
    m_samples->setColumnCount(3);
    m_samples->setHeaderLabels({tr("Step"), tr("Prompt"), tr("Reply")});
    m_samples->setRootIsDecorated(false);
    m_samples->setWordWrap(true);

    m_tabs->addTab(treePage, tr("Configuration && lineage"));
    m_tabs->addTab(m_json, tr("JSON"));
    m_tabs->addTab(m_samples, tr("Samples"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs);
    layout->addWidget(buttons);
}

void RunDetailsDialog::addItem(QTreeWidgetItem* parent, QTreeWidget* tree, const QString& key, const nlohmann::json& value)
{
    auto* item = parent ? new QTreeWidgetItem(parent) : new QTreeWidgetItem(tree);
    item->setText(0, key);
    if (value.is_object()) {
        item->setText(1, value.empty() ? QStringLiteral("{}") : tr("{%n key(s)}", nullptr, int(value.size())));
        item->setForeground(1, style::mutedText());
        for (const auto& [k, v] : value.items())
            addItem(item, tree, QString::fromStdString(k), v);
    } else if (value.is_array()) {
        item->setText(1, value.empty() ? QStringLiteral("[]") : tr("[%n item(s)]", nullptr, int(value.size())));
        item->setForeground(1, style::mutedText());
        int i = 0;
        for (const auto& v : value)
            addItem(item, tree, QStringLiteral("[%1]").arg(i++), v);
    } else {
        const QString text = scalarText(value);
        item->setText(1, text.size() > 300 ? text.left(300) + QStringLiteral("…") : text);
        item->setToolTip(1, text.size() > 2000 ? text.left(2000) + QStringLiteral("…") : text);
    }
}

void RunDetailsDialog::fillTree(QTreeWidget* tree, const nlohmann::json& value)
{
    tree->clear();
    if (value.is_object()) {
        for (const auto& [k, v] : value.items())
            addItem(nullptr, tree, QString::fromStdString(k), v);
    } else {
        addItem(nullptr, tree, QStringLiteral("value"), value);
    }
    // Top level and one level down open: run, config, lineage, training set at a glance.
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        tree->topLevelItem(i)->setExpanded(true);
}

void RunDetailsDialog::setDetails(const hw::RunDetails& details, const std::vector<hw::RunSample>& samples)
{
    m_runId = details.run.id;
    setWindowTitle(tr("Run #%1 — %2").arg(details.run.id).arg(QString::fromStdString(details.run.name)));
    const auto j = details.toJson();
    fillTree(m_tree, j);
    m_json->setPlainText(QString::fromStdString(j.dump(2)));
    m_samples->clear();
    for (const auto& s : samples) {
        auto* item = new QTreeWidgetItem(m_samples);
        item->setText(0, QString::number(s.step));
        item->setText(1, QString::fromStdString(s.prompt).right(400));
        item->setText(2, QString::fromStdString(s.reply));
        item->setToolTip(1, QString::fromStdString(s.prompt));
        item->setToolTip(2, QString::fromStdString(s.reply));
    }
    m_tabs->setTabText(2, tr("Samples (%1)").arg(samples.size()));
    applyFilter(m_filter->text());
}

QString RunDetailsDialog::jsonText() const { return m_json->toPlainText(); }

void RunDetailsDialog::applyFilter(const QString& text)
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        filterItem(m_tree->topLevelItem(i), text);
}

} // namespace hw::ui
