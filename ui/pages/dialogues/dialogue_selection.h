#pragma once
// The dialogues picked on the Dialogues page (ids), shared with the pages that start jobs on a
// hand-picked set (Jobs → Start: "only the selected dialogues"). One per session, a child of it.
#include <QList>
#include <QObject>

namespace hw::ui {

class ProjectSession;

class DialogueSelection : public QObject {
    Q_OBJECT
public:
    // The session's selection, created on first use.
    static DialogueSelection* of(ProjectSession* session);
    explicit DialogueSelection(ProjectSession* session);

    void set(const QList<qint64>& dialogueIds);
    QList<qint64> ids() const { return m_ids; }

Q_SIGNALS:
    void changed(const QList<qint64>& dialogueIds);

private:
    QList<qint64> m_ids;
};

} // namespace hw::ui
