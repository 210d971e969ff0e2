#include "ui/dialogs/user_guide_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QListWidget>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

namespace hw::ui {

namespace {

struct Section {
    const char* anchor;
    const char* title;
};

const Section kSections[] = {{"first-steps", QT_TRANSLATE_NOOP("UserGuideDialog", "First steps")},
                             {"method", QT_TRANSLATE_NOOP("UserGuideDialog", "The method")},
                             {"dialogues", QT_TRANSLATE_NOOP("UserGuideDialog", "Dialogues")},
                             {"dataset", QT_TRANSLATE_NOOP("UserGuideDialog", "Dataset")},
                             {"suggestions", QT_TRANSLATE_NOOP("UserGuideDialog", "Suggestions")},
                             {"regenerations", QT_TRANSLATE_NOOP("UserGuideDialog", "Regenerations")},
                             {"jobs", QT_TRANSLATE_NOOP("UserGuideDialog", "Jobs")},
                             {"runs", QT_TRANSLATE_NOOP("UserGuideDialog", "Runs")},
                             {"chat", QT_TRANSLATE_NOOP("UserGuideDialog", "Chat")},
                             {"cli", QT_TRANSLATE_NOOP("UserGuideDialog", "The command line")}};

} // namespace

UserGuideDialog::UserGuideDialog(QWidget* parent)
    : QDialog(parent), m_contents(new QListWidget), m_browser(new QTextBrowser)
{
    setWindowTitle(tr("Hindsight Workbench — User Guide"));
    m_browser->setOpenExternalLinks(false);
    m_browser->setSource(QUrl(QStringLiteral("qrc:/guide/user-guide.html")));
    m_browser->setObjectName(QStringLiteral("guideBrowser"));
    for (const Section& s : kSections) {
        auto* item = new QListWidgetItem(tr(s.title), m_contents);
        item->setData(Qt::UserRole, QString::fromLatin1(s.anchor));
    }
    m_contents->setFixedWidth(170);
    connect(m_contents, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        if (item)
            m_browser->scrollToAnchor(item->data(Qt::UserRole).toString());
    });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* row = new QHBoxLayout;
    row->addWidget(m_contents);
    row->addWidget(m_browser, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(row, 1);
    layout->addWidget(buttons);
    resize(860, 640);
}

void UserGuideDialog::showSection(const QString& section)
{
    for (int i = 0; i < m_contents->count(); ++i) {
        QListWidgetItem* item = m_contents->item(i);
        if (item->data(Qt::UserRole).toString().compare(section, Qt::CaseInsensitive) == 0
            || item->text().compare(section, Qt::CaseInsensitive) == 0) {
            m_contents->setCurrentItem(item);
            m_browser->scrollToAnchor(item->data(Qt::UserRole).toString());
            return;
        }
    }
}

} // namespace hw::ui
