#pragma once
// One agent's column on the chat page: its name (or "Agent A" in blind mode), what it is, a β
// slider for ILQL agents, the conversation as bubbles (advantage-shaded for replies with values),
// a status line (loading, typing, time to first token, tokens/s) and, at the end, its ratings.
#include <QFrame>

class QLabel;
class QListView;
class QSlider;
class QDoubleSpinBox;
class QVBoxLayout;

namespace hw::ui {

class ChatMessageModel;
class TokenShadingDelegate;

class ChatColumn : public QFrame {
    Q_OBJECT
public:
    explicit ChatColumn(QWidget* parent = nullptr);

    // title: "Agent A" or the agent's name; subtitle: what it is ("" in blind mode).
    void setTitle(const QString& title, const QString& subtitle);
    QString title() const;
    // Shows the β slider (ILQL agents outside blind mode).
    void setBetaVisible(bool visible);
    void setBeta(double beta);
    double beta() const;
    // Shows the shading legend (replies with values, outside blind mode).
    void setLegendVisible(bool visible);
    void setStatus(const QString& text);
    QString status() const;
    // A widget under the conversation (the rating panel).
    void setFooter(QWidget* footer);

    ChatMessageModel* model() const { return m_model; }
    QListView* view() const { return m_view; }
    TokenShadingDelegate* delegate() const { return m_delegate; }
    // Keeps the newest message in view while streaming.
    void scrollToBottom();

Q_SIGNALS:
    void betaChanged(double beta);

private:
    QLabel* m_title;
    QLabel* m_subtitle;
    QWidget* m_betaRow;
    QSlider* m_betaSlider;
    QDoubleSpinBox* m_betaSpin;
    QWidget* m_legend;
    QListView* m_view;
    ChatMessageModel* m_model;
    TokenShadingDelegate* m_delegate;
    QLabel* m_status;
    QVBoxLayout* m_layout;
    QWidget* m_footer = nullptr;
};

} // namespace hw::ui
