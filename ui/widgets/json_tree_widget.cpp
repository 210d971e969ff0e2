#include "ui/widgets/json_tree_widget.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QMenu>

namespace hw::ui {

namespace {

bool isScalarList(const nlohmann::json& v)
{
    if (!v.is_array())
        return false;
    for (const auto& e : v)
        if (e.is_structured())
            return false;
    return true;
}

} // namespace

JsonTreeWidget::JsonTreeWidget(QWidget* parent) : QTreeWidget(parent)
{
    setColumnCount(2);
    setHeaderLabels({tr("Setting"), tr("Value")});
    header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    header()->setStretchLastSection(true);
    setAlternatingRowColors(true);
    setUniformRowHeights(true);
    setWordWrap(false);
    setContextMenuPolicy(Qt::CustomContextMenu);
    connect(this, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QMenu menu(this);
        if (QTreeWidgetItem* item = itemAt(pos))
            menu.addAction(tr("Copy value"), this, [item] { QApplication::clipboard()->setText(item->text(1)); });
        menu.addAction(tr("Copy as JSON"), this,
                       [this] { QApplication::clipboard()->setText(QString::fromStdString(m_json.dump(2))); });
        menu.exec(viewport()->mapToGlobal(pos));
    });
}

QString JsonTreeWidget::settingName(const QString& key)
{
    QString out;
    for (int i = 0; i < key.size(); ++i) {
        const QChar c = key[i];
        if (c == QLatin1Char('_') || c == QLatin1Char('-')) {
            out += QLatin1Char(' ');
        } else if (c.isUpper() && i > 0 && key[i - 1].isLower()) {
            out += QLatin1Char(' ');
            out += c.toLower();
        } else {
            out += c;
        }
    }
    out = out.simplified();
    if (!out.isEmpty())
        out[0] = out[0].toUpper();
    return out;
}

QString JsonTreeWidget::valueText(const nlohmann::json& v)
{
    if (v.is_null())
        return QStringLiteral("—");
    if (v.is_boolean())
        return v.get<bool>() ? tr("yes") : tr("no");
    if (v.is_string()) {
        const QString s = QString::fromStdString(v.get<std::string>());
        return s.isEmpty() ? QStringLiteral("—") : s;
    }
    if (v.is_number_float())
        return QString::number(v.get<double>(), 'g', 6);
    if (isScalarList(v)) {
        QStringList parts;
        for (const auto& e : v)
            parts << valueText(e);
        return parts.isEmpty() ? QStringLiteral("—") : parts.join(QStringLiteral(", "));
    }
    return QString::fromStdString(v.dump());
}

void JsonTreeWidget::setJson(const nlohmann::json& value)
{
    m_json = value;
    clear();
    addChildren(invisibleRootItem(), value);
    expandAll();
}

void JsonTreeWidget::addChildren(QTreeWidgetItem* parent, const nlohmann::json& value)
{
    auto add = [&](const QString& name, const nlohmann::json& v, const QString& rawKey) {
        auto* item = new QTreeWidgetItem(parent);
        item->setText(0, name);
        item->setToolTip(0, rawKey);
        if (v.is_object() || (v.is_array() && !isScalarList(v))) {
            item->setText(1, v.empty() ? QStringLiteral("—") : QString());
            addChildren(item, v);
        } else {
            item->setText(1, valueText(v));
            item->setToolTip(1, item->text(1));
        }
    };
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            const QString key = QString::fromStdString(it.key());
            add(settingName(key), it.value(), key);
        }
    } else if (value.is_array()) {
        int i = 0;
        for (const auto& e : value) {
            ++i;
            add(QStringLiteral("#%1").arg(i), e, QString());
        }
    } else if (!value.is_null()) {
        add(tr("Value"), value, QString());
    }
}

} // namespace hw::ui
