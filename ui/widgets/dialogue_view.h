#pragma once
// One dialogue as a conversation: a header (id, task, source, reward with its source), the turns
// as chat bubbles, and the metadata as a collapsible key/value tree. Read-only; editing controls
// can be placed in the header with addHeaderWidget(). Agent turns whose provenance carries the
// tokens an ILQL agent wrote with their values ("tokens": core/chat/token_value.h, as evaluation
// episodes store them) are shaded by advantage Q̂ − V as the chat page shades them.
#include "core/data/dialogue.h"
#include "core/data/task.h"

#include <QWidget>

#include <optional>

class QLabel;
class QListView;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;
class QHBoxLayout;

namespace hw::ui {

class ChatBubbleDelegate;
class ChatMessageModel;
class TokenShadingDelegate;
class TurnListModel;

class DialogueView : public QWidget {
    Q_OBJECT
public:
    explicit DialogueView(QWidget* parent = nullptr);

    // task (optional) names the two sides and the reward's meaning.
    void setDialogue(const hw::Dialogue& dialogue, const std::optional<hw::Task>& task);
    void clear(const QString& placeholder = {});
    // Where an imagined dialogue came from (core/store/imagined_lineage.h); null hides the line.
    // Call after setDialogue, which hides it.
    void setLineage(const nlohmann::json& lineage);
    QString lineageText() const;
    qint64 dialogueId() const { return m_dialogueId; }

    void addHeaderWidget(QWidget* widget);
    QListView* turnsView() const { return m_turns; }
    TurnListModel* turnsModel() const { return m_model; }
    // Whether the dialogue shown has token values, drawn with the advantage shading.
    bool isShaded() const;
    ChatMessageModel* shadedModel() const { return m_shaded; }
    bool metadataExpanded() const;
    void setMetadataExpanded(bool expanded);

    static QString rewardText(const std::optional<double>& reward, const std::string& source);

private:
    void fillMetadata(const nlohmann::json& metadata);
    // Fills the shaded model when an agent turn has token values; false otherwise.
    bool fillShaded(const hw::Dialogue& dialogue, const std::optional<hw::Task>& task);
    void useShading(bool on);
    static void addJson(QTreeWidgetItem* parent, QTreeWidget* tree, const QString& key,
                        const nlohmann::json& value);

    qint64 m_dialogueId = -1;
    QLabel* m_title;
    QLabel* m_subtitle;
    QLabel* m_reward;
    QLabel* m_lineage;
    QHBoxLayout* m_headerTools;
    QListView* m_turns;
    TurnListModel* m_model;
    ChatMessageModel* m_shaded;
    ChatBubbleDelegate* m_bubbles;
    TokenShadingDelegate* m_shading;
    QToolButton* m_metadataToggle;
    QTreeWidget* m_metadata;
};

} // namespace hw::ui
