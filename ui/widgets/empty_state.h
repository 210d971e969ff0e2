#pragma once
// What a page shows while the open project has nothing for it yet: a title, one sentence saying
// what to do first (which page, button or command), and optionally a button that does it.
// Pages show it instead of their (empty) content and hide it as soon as there is data.
#include <QWidget>

class QLabel;
class QPushButton;

namespace hw::ui {

class EmptyState : public QWidget {
    Q_OBJECT
public:
    explicit EmptyState(QWidget* parent = nullptr);

    // text may hold simple rich text (<tt>, <b>); action "" hides the button.
    void setContent(const QString& title, const QString& text, const QString& action = {});
    QString title() const;
    QString text() const;
    QPushButton* actionButton() const { return m_action; }

Q_SIGNALS:
    void actionTriggered();

private:
    QLabel* m_title;
    QLabel* m_text;
    QPushButton* m_action;
};

} // namespace hw::ui
