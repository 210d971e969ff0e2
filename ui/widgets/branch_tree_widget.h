#pragma once
// Paints a RegenerationTreeModel left to right: the original, then one pill per divergence turn,
// then the branches made there (and their own branches further right), joined by curves. Each
// dialogue node shows its reward and is coloured by it (red = low, amber, green = high within the
// task's range; grey = unlabelled). Click or arrow keys select a dialogue.
#include <QWidget>

#include <optional>
#include <vector>

namespace hw::ui {

class RegenerationTreeModel;

class BranchTreeWidget : public QWidget {
    Q_OBJECT
public:
    explicit BranchTreeWidget(QWidget* parent = nullptr);

    void setModel(RegenerationTreeModel* model);
    RegenerationTreeModel* model() const { return m_model; }

    void setCurrentDialogue(qint64 dialogueId);
    qint64 currentDialogue() const { return m_current; }
    // Where a dialogue's node is drawn (empty when absent); for tests and scrolling.
    QRect nodeRect(qint64 dialogueId) const;
    // Selectable dialogues top to bottom (the original first).
    std::vector<qint64> dialogueOrder() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // Fill colour for a reward at `fraction` of the task's range; grey for none.
    static QColor rewardColor(const std::optional<double>& fraction);

Q_SIGNALS:
    void dialogueSelected(qint64 dialogueId);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct Item {
        QRectF rect;
        int kind = 0;              // RegenerationTreeModel::NodeKind
        qint64 dialogueId = 0;
        int parentItem = -1;       // index into m_items
        QString title;
        QString detail;
        QString tooltip;
        std::optional<double> fraction;
        bool hard = false;
        bool human = false;
    };
    void relayout();
    int itemAt(const QPointF& pos) const;
    int itemOf(qint64 dialogueId) const;
    void select(int item);

    RegenerationTreeModel* m_model = nullptr;
    std::vector<Item> m_items;
    QSize m_size{200, 80};
    qint64 m_current = -1;
    int m_hover = -1;
};

} // namespace hw::ui
