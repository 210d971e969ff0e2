#pragma once
// The chat page's "Human study" tab: the project's studies; a new study (StudySetupView); for the
// open study, its participants with their progress, "Add participant" (an id per person) and
// "Start next trial" for the chosen one (StudyTrialView: one anonymised agent at a time), and the
// results per agent with names revealed (mean ± std, 95% interval over participants, n). Trials
// left running when the project closed are resumed by "Start next trial".
#include "core/data/task.h"
#include "core/store/study_store.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QStackedWidget;
class QTableView;

namespace hw::ui {

class ProjectSession;
class StudyResultsModel;
class StudySetupView;
class StudyTrialView;

class StudyView : public QWidget {
    Q_OBJECT
public:
    explicit StudyView(ProjectSession* session, QWidget* parent = nullptr);

    void refresh();
    void showSetup();
    // Creates a study and opens it; 0 on failure (reason in the setup form's note).
    qint64 createStudy(const hw::StudySpec& spec);
    bool openStudy(qint64 id);
    // Adds a participant to the open study and selects them; false (reason in the status) otherwise.
    bool addParticipant(const QString& id);
    bool selectParticipant(const QString& id);
    // Starts (or resumes) the selected participant's next trial.
    bool startNextTrial();

    qint64 studyId() const { return m_study ? m_study->id : 0; }
    const std::optional<hw::StudyInfo>& study() const { return m_study; }
    QString participant() const;
    // "Trial 4 of 9 for participant P03" (the next trial), or "P03 has done all 9 trials".
    QString progressText() const;
    QString statusText() const;
    StudySetupView* setup() const { return m_setup; }
    StudyTrialView* trialView() const { return m_trial; }
    StudyResultsModel* results() const { return m_results; }
    QListWidget* participantList() const { return m_participants; }
    QListWidget* studyList() const { return m_studies; }

private:
    QWidget* buildOverview();
    void refreshStudies();
    void refreshStudy();
    void updateProgress();
    hw::ParticipantProgress progressOf(const QString& participant) const; // empty when unknown
    void setStatus(const QString& text);
    void backToOverview(const QString& status);
    std::optional<hw::Task> taskOf(const std::string& name);

    ProjectSession* m_session;
    QListWidget* m_studies;
    QStackedWidget* m_stack;
    StudySetupView* m_setup;
    StudyTrialView* m_trial;
    QLabel* m_header;
    QListWidget* m_participants;
    QLineEdit* m_participantId;
    QPushButton* m_startTrial;
    QLabel* m_progress;
    QLabel* m_status;
    QTableView* m_table;
    StudyResultsModel* m_results;
    std::optional<hw::StudyInfo> m_study;
};

} // namespace hw::ui
