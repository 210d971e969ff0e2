#pragma once
// Help ▸ User Guide: the method, each page and the CLI in a few screens (resources/guide), with
// a contents list; opening it from a page jumps to that page's section.
#include <QDialog>

class QListWidget;
class QTextBrowser;

namespace hw::ui {

class UserGuideDialog : public QDialog {
    Q_OBJECT
public:
    explicit UserGuideDialog(QWidget* parent = nullptr);

    // Scrolls to a section: a page title ("Runs") or an anchor ("method", "cli").
    void showSection(const QString& section);
    QTextBrowser* browser() const { return m_browser; }

private:
    QListWidget* m_contents;
    QTextBrowser* m_browser;
};

} // namespace hw::ui
