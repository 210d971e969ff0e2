#pragma once
// The suggestions page's header: filters (status, task, provenance, dialogue), the counts by
// status under the task/provenance filter (click one to filter by it), and the bulk actions that
// apply to every suggestion the filter shows.
#include "core/store/suggestion_query.h"

#include <QWidget>

#include <map>

class QComboBox;
class QLineEdit;
class QPushButton;

namespace hw::ui {

class SuggestionFilterBar : public QWidget {
    Q_OBJECT
public:
    explicit SuggestionFilterBar(QWidget* parent = nullptr);

    // Fills the task and provenance combos, keeping the current choice when still offered.
    void setChoices(const std::vector<std::string>& tasks, const std::vector<std::string>& provenances);
    hw::SuggestionQueryFilter filter() const;
    void setFilter(const hw::SuggestionQueryFilter& filter);   // emits filterChanged once
    void setCounts(const std::map<std::string, int64_t>& counts, int64_t shown);

    QComboBox* statusBox() const { return m_status; }
    QComboBox* taskBox() const { return m_task; }
    QComboBox* provenanceBox() const { return m_provenance; }
    QLineEdit* dialogueEdit() const { return m_dialogue; }
    QPushButton* acceptAllButton() const { return m_acceptAll; }
    QPushButton* rejectAllButton() const { return m_rejectAll; }
    QPushButton* countButton(const QString& status) const;

Q_SIGNALS:
    void filterChanged();
    void acceptAllRequested();
    void rejectAllRequested();

private:
    QComboBox* m_status;
    QComboBox* m_task;
    QComboBox* m_provenance;
    QLineEdit* m_dialogue;
    std::map<QString, QPushButton*> m_counts;
    QPushButton* m_acceptAll;
    QPushButton* m_rejectAll;
    bool m_silent = false;
};

} // namespace hw::ui
