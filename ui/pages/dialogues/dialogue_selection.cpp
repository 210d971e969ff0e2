#include "ui/pages/dialogues/dialogue_selection.h"

#include "ui/project_session.h"

namespace hw::ui {

DialogueSelection* DialogueSelection::of(ProjectSession* session)
{
    if (auto* s = session->findChild<DialogueSelection*>(QString(), Qt::FindDirectChildrenOnly))
        return s;
    return new DialogueSelection(session);
}

DialogueSelection::DialogueSelection(ProjectSession* session) : QObject(session)
{
    // Another project: nothing is selected in it yet.
    connect(session, &ProjectSession::closed, this, [this] { set({}); });
}

void DialogueSelection::set(const QList<qint64>& dialogueIds)
{
    if (dialogueIds == m_ids)
        return;
    m_ids = dialogueIds;
    Q_EMIT changed(m_ids);
}

} // namespace hw::ui
