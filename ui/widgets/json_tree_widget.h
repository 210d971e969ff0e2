#pragma once
// A configuration (any JSON object) as a readable two-column tree: "Max attempts | 1" rather than
// raw JSON. Nested objects are expandable rows; lists of plain values are one comma-separated
// value. The context menu copies the raw JSON, for pasting into a config file.
#include <nlohmann/json.hpp>

#include <QTreeWidget>

namespace hw::ui {

class JsonTreeWidget : public QTreeWidget {
    Q_OBJECT
public:
    explicit JsonTreeWidget(QWidget* parent = nullptr);

    void setJson(const nlohmann::json& value);
    const nlohmann::json& json() const { return m_json; }

    // "max_attempts" / "maxAttempts" -> "Max attempts".
    static QString settingName(const QString& key);
    // Scalars as a reader writes them: strings unquoted, true/false as yes/no, "" as —.
    static QString valueText(const nlohmann::json& value);

private:
    void addChildren(QTreeWidgetItem* parent, const nlohmann::json& value);
    nlohmann::json m_json;
};

} // namespace hw::ui
