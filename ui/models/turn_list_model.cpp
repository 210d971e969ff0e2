#include "ui/models/turn_list_model.h"

namespace hw::ui {

namespace {
QString capitalized(const QString& s)
{
    return s.isEmpty() ? s : s.left(1).toUpper() + s.mid(1);
}
} // namespace

TurnListModel::TurnListModel(QObject* parent) : QAbstractListModel(parent) {}

QStringList TurnListModel::tagsOf(const nlohmann::json& annotations)
{
    QStringList tags;
    if (!annotations.is_object())
        return tags;
    // The strategy first: it is what researchers scan for. Other text annotations follow as
    // "key: value"; numbers (e.g. P4G's original turn counter) stay in the tooltip only.
    const auto add = [&tags](const std::string& key, const nlohmann::json& v) {
        if (!v.is_string() || v.get<std::string>().empty())
            return;
        const QString value = QString::fromStdString(v.get<std::string>());
        tags << (key == "strategy" ? value : QString::fromStdString(key) + QStringLiteral(": ") + value);
    };
    if (auto it = annotations.find("strategy"); it != annotations.end()) {
        if (it->is_array()) {
            for (const auto& s : *it)
                add("strategy", s);
        } else {
            add("strategy", *it);
        }
    }
    for (auto it = annotations.begin(); it != annotations.end(); ++it)
        if (it.key() != "strategy")
            add(it.key(), it.value());
    return tags;
}

QString TurnListModel::tooltipOf(const nlohmann::json& annotations)
{
    if (!annotations.is_object() || annotations.empty())
        return {};
    QStringList lines;
    for (auto it = annotations.begin(); it != annotations.end(); ++it)
        lines << QString::fromStdString(it.key()) + QStringLiteral(": ")
                + QString::fromStdString(it->is_string() ? it->get<std::string>() : it->dump());
    return lines.join(QLatin1Char('\n'));
}

void TurnListModel::setTurns(std::vector<hw::Turn> turns, const QString& agentName,
                             const QString& userName, int generatedFrom)
{
    beginResetModel();
    m_agentName = agentName.isEmpty() ? tr("Agent") : capitalized(agentName);
    m_userName = userName.isEmpty() ? tr("User") : capitalized(userName);
    m_rows.clear();
    m_rows.reserve(turns.size());
    for (size_t i = 0; i < turns.size(); ++i) {
        const hw::Turn& t = turns[i];
        QStringList tags = tagsOf(t.annotations);
        QString tooltip = tooltipOf(t.annotations);
        if (generatedFrom >= 0 && static_cast<int>(i) >= generatedFrom) {
            const bool replacement = static_cast<int>(i) == generatedFrom;
            tags.prepend(replacement ? tr("hindsight replacement") : tr("regenerated"));
            const QString why = replacement ? tr("The hindsight controller's better utterance, in place of the original turn")
                                            : tr("Written by the forward model after the replaced turn");
            tooltip = tooltip.isEmpty() ? why : why + QLatin1Char('\n') + tooltip;
        }
        m_rows.push_back({QString::fromStdString(t.text), t.role == hw::Role::Agent, static_cast<int>(i), tags, tooltip});
    }
    endResetModel();
}

void TurnListModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int TurnListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

QVariant TurnListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& r = m_rows[static_cast<size_t>(index.row())];
    switch (role) {
    case TextRole: return r.text;
    case IsAgentRole: return r.agent;
    case TurnIndexRole: return r.index;
    case SpeakerRole: return r.agent ? m_agentName : m_userName;
    case TagsRole: return r.tags;
    case Qt::ToolTipRole: return r.tooltip;
    default: return {};
    }
}

} // namespace hw::ui
