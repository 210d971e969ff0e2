#pragma once
// The browser's filter controls: full-text search, task, source, labeled/unlabeled, reward range.
// Emits filterChanged() (search typing is debounced) with a ready hw::DialogueFilter.
#include "core/store/dialogue_query.h"

#include <QStringList>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QTimer;

namespace hw::ui {

class DialogueFilterBar : public QWidget {
    Q_OBJECT
public:
    explicit DialogueFilterBar(QWidget* parent = nullptr);

    hw::DialogueFilter filter() const;
    // Refills the task and source combos, keeping the current choice when it still exists.
    void setChoices(const QStringList& tasks, const QStringList& sources);
    void setCountText(const QString& text);
    void reset();

    // For tests and other pages: set the search text and apply it at once.
    void setSearchText(const QString& text);
    QLineEdit* searchEdit() const { return m_search; }
    QComboBox* taskCombo() const { return m_task; }
    QComboBox* labeledCombo() const { return m_labeled; }

Q_SIGNALS:
    void filterChanged(const hw::DialogueFilter& filter);

private:
    void emitChanged();
    static void refill(QComboBox* combo, const QString& allText, const QStringList& values);

    QLineEdit* m_search;
    QTimer* m_debounce;
    QComboBox* m_task;
    QComboBox* m_source;
    QComboBox* m_labeled;
    QCheckBox* m_rangeOn;
    QDoubleSpinBox* m_min;
    QDoubleSpinBox* m_max;
    QLabel* m_count;
};

} // namespace hw::ui

Q_DECLARE_METATYPE(hw::DialogueFilter)
