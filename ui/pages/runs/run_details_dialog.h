#pragma once
// A run's configuration and lineage, one click from the runs table: the JSON the trainer wrote
// (config, lineage), the training set it used (spec, lineage, where its dialogues came from and
// which models and prompts made the regenerations), checkpoints and sampled replies. As a
// navigable tree (expand, filter by key or value, copy a value) and as pretty-printed JSON.
#include "core/store/run_store.h"

#include <QDialog>

class QLineEdit;
class QPlainTextEdit;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace hw::ui {

class RunDetailsDialog : public QDialog {
    Q_OBJECT
public:
    explicit RunDetailsDialog(QWidget* parent = nullptr);

    void setDetails(const hw::RunDetails& details, const std::vector<hw::RunSample>& samples);
    qint64 runId() const { return m_runId; }

    QTreeWidget* tree() const { return m_tree; }
    QString jsonText() const;

    // Fills a tree with a JSON value (objects and arrays become expandable items).
    static void fillTree(QTreeWidget* tree, const nlohmann::json& value);

private:
    static void addItem(QTreeWidgetItem* parent, QTreeWidget* tree, const QString& key, const nlohmann::json& value);
    void applyFilter(const QString& text);

    qint64 m_runId = 0;
    QTabWidget* m_tabs;
    QLineEdit* m_filter;
    QTreeWidget* m_tree;
    QPlainTextEdit* m_json;
    QTreeWidget* m_samples;
};

} // namespace hw::ui
