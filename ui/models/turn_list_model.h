#pragma once
// The turns of one dialogue, as a list for the chat-bubble view.
#include "core/data/dialogue.h"

#include <QAbstractListModel>
#include <QStringList>

#include <vector>

namespace hw::ui {

class TurnListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        TextRole = Qt::DisplayRole,
        IsAgentRole = Qt::UserRole, // bool
        TurnIndexRole,              // int, 0-based
        SpeakerRole,                // QString: "Supporter", "Seeker", ...
        TagsRole,                   // QStringList: strategy and other annotations
    };

    explicit TurnListModel(QObject* parent = nullptr);

    // agentName/userName label the two sides (the task's roles); empty = "Agent"/"User".
    // generatedFrom: index of the first turn a hindsight regeneration wrote (the replacement
    // utterance; later turns are the forward model's continuation), tagged as such; -1 = none.
    void setTurns(std::vector<hw::Turn> turns, const QString& agentName = {},
                  const QString& userName = {}, int generatedFrom = -1);
    void clear();

    static QStringList tagsOf(const nlohmann::json& annotations);
    static QString tooltipOf(const nlohmann::json& annotations); // every annotation, one per line

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString text;
        bool agent = true;
        int index = 0;
        QStringList tags;
        QString tooltip;
    };
    std::vector<Row> m_rows;
    QString m_agentName;
    QString m_userName;
};

} // namespace hw::ui
