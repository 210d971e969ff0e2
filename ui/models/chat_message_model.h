#pragma once
// The messages of one chat column (the researcher's and one agent's), with the per-token values
// of the agent's replies. Its roles extend TurnListModel's, so ChatBubbleDelegate paints the
// bubbles; TokenShadingDelegate adds the advantage shading. A reply grows token by token
// (appendToken -> dataChanged of that row), never by a reset.
#include "core/chat/token_value.h"
#include "ui/models/turn_list_model.h"

#include <QAbstractListModel>
#include <QStringList>

#include <vector>

namespace hw::ui {

class ChatMessageModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        TextRole = TurnListModel::TextRole,
        IsAgentRole = TurnListModel::IsAgentRole,
        TurnIndexRole = TurnListModel::TurnIndexRole,
        SpeakerRole = TurnListModel::SpeakerRole,
        TagsRole = TurnListModel::TagsRole,
        HasValuesRole = Qt::UserRole + 32, // bool: tokens carry Q̂ and V (and shading is on)
        StreamingRole,                     // bool: the reply is still being generated
    };

    explicit ChatMessageModel(QObject* parent = nullptr);

    void setNames(const QString& agentName, const QString& userName);
    QString agentName() const { return m_agentName; }
    // Shading of replies with values; off hides values (blind mode before the ratings).
    void setShowValues(bool on);
    bool showValues() const { return m_showValues; }

    int addUserMessage(const QString& text);
    // A new, empty agent reply that tokens stream into; returns its row.
    int beginAgentMessage();
    void appendToken(int row, const hw::TokenValue& token);
    // Ends a streamed reply: its final text (when different from the streamed pieces, e.g. an
    // endpoint's reply without its reasoning) and a few tags ("0.8 s", "stopped").
    void finishAgentMessage(int row, const QString& finalText, const QStringList& tags);
    // A complete agent message (loading a saved session).
    int addAgentMessage(const QString& text, const std::vector<hw::TokenValue>& tokens, const QStringList& tags = {});
    void clear();

    const std::vector<hw::TokenValue>& tokens(int row) const;
    bool isAgent(int row) const;
    QString text(int row) const;
    bool isStreaming() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    struct Message {
        bool agent = false;
        QString text;
        std::vector<hw::TokenValue> tokens;
        QStringList tags;
        bool streaming = false;
        bool fromTokens = false;   // text is the concatenation of the token pieces
    };
    std::vector<Message> m_messages;
    QString m_agentName = tr("Agent");
    QString m_userName = tr("You");
    bool m_showValues = true;
};

} // namespace hw::ui
