#include "ui/models/chat_message_model.h"

#include <algorithm>

namespace hw::ui {

ChatMessageModel::ChatMessageModel(QObject* parent) : QAbstractListModel(parent) {}

void ChatMessageModel::setNames(const QString& agentName, const QString& userName)
{
    m_agentName = agentName;
    m_userName = userName;
    if (!m_messages.empty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {SpeakerRole});
}

void ChatMessageModel::setShowValues(bool on)
{
    if (on == m_showValues)
        return;
    m_showValues = on;
    if (!m_messages.empty())
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {HasValuesRole});
}

int ChatMessageModel::addUserMessage(const QString& text)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_messages.push_back({false, text, {}, {}, false, false});
    endInsertRows();
    return row;
}

int ChatMessageModel::beginAgentMessage()
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_messages.push_back({true, QString(), {}, {}, true, true});
    endInsertRows();
    return row;
}

void ChatMessageModel::appendToken(int row, const hw::TokenValue& token)
{
    if (row < 0 || row >= rowCount())
        return;
    Message& m = m_messages[size_t(row)];
    m.tokens.push_back(token);
    m.text += QString::fromStdString(token.text);
    Q_EMIT dataChanged(index(row), index(row), {TextRole, HasValuesRole});
}

void ChatMessageModel::finishAgentMessage(int row, const QString& finalText, const QStringList& tags)
{
    if (row < 0 || row >= rowCount())
        return;
    Message& m = m_messages[size_t(row)];
    m.streaming = false;
    m.tags = tags;
    if (!finalText.isNull() && finalText != m.text) {
        // The shown text is no longer the token pieces (endpoint replies lose their reasoning).
        m.text = finalText;
        m.fromTokens = false;
    }
    Q_EMIT dataChanged(index(row), index(row));
}

int ChatMessageModel::addAgentMessage(const QString& text, const std::vector<hw::TokenValue>& tokens, const QStringList& tags)
{
    const int row = rowCount();
    beginInsertRows({}, row, row);
    Message m{true, text, tokens, tags, false, false};
    if (!tokens.empty()) {
        QString joined;
        for (const auto& t : tokens)
            joined += QString::fromStdString(t.text);
        m.fromTokens = joined == text || text.isEmpty();
        if (m.fromTokens)
            m.text = joined;
    }
    m_messages.push_back(std::move(m));
    endInsertRows();
    return row;
}

void ChatMessageModel::clear()
{
    if (m_messages.empty())
        return;
    beginResetModel();
    m_messages.clear();
    endResetModel();
}

const std::vector<hw::TokenValue>& ChatMessageModel::tokens(int row) const
{
    static const std::vector<hw::TokenValue> none;
    return row >= 0 && row < rowCount() ? m_messages[size_t(row)].tokens : none;
}

bool ChatMessageModel::isAgent(int row) const { return row >= 0 && row < rowCount() && m_messages[size_t(row)].agent; }

QString ChatMessageModel::text(int row) const
{
    return row >= 0 && row < rowCount() ? m_messages[size_t(row)].text : QString();
}

bool ChatMessageModel::isStreaming() const
{
    for (const auto& m : m_messages)
        if (m.streaming)
            return true;
    return false;
}

int ChatMessageModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_messages.size());
}

QVariant ChatMessageModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount())
        return {};
    const Message& m = m_messages[size_t(index.row())];
    switch (role) {
    case TextRole:
        return m.text.isEmpty() && m.streaming ? QStringLiteral("…") : m.text;
    case IsAgentRole: return m.agent;
    case TurnIndexRole: return index.row();
    case SpeakerRole: return m.agent ? m_agentName : m_userName;
    case TagsRole: return m.streaming ? QStringList{tr("typing…")} : m.tags;
    case HasValuesRole:
        return m_showValues && m.agent && m.fromTokens && !m.tokens.empty()
            && std::all_of(m.tokens.begin(), m.tokens.end(), [](const hw::TokenValue& t) { return t.hasValues(); });
    case StreamingRole: return m.streaming;
    case Qt::ToolTipRole:
        if (!m.tags.isEmpty())
            return m.tags.join(QStringLiteral(" · "));
        break;
    }
    return {};
}

} // namespace hw::ui
