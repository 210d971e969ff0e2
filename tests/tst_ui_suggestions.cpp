// The suggestions page on a real SQLite project: keyboard curation (accept, reject, edit, cancel,
// navigation), undo/redo of every step, bulk accept as one undo step, the dialogue list model.
#include "core/store/suggestion_store.h"
#include "core/store/database.h"
#include "support/curation_fixture.h"
#include "ui/models/suggestion_dialogue_model.h"
#include "ui/pages/suggestions/suggestion_card.h"
#include "ui/pages/suggestions/suggestion_deck.h"
#include "ui/pages/suggestions/suggestion_filter_bar.h"
#include "ui/pages/suggestions/suggestions_page.h"
#include "ui/project_session.h"
#include "ui/settings/settings.h"
#include "ui/widgets/word_diff_label.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextDocument>
#include <QtTest>

#include <memory>

using hw::ui::SuggestionsPage;

class TestUiSuggestions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void showsCardsWithDiff();
    void acceptUndoRedo();
    void rejectAndUndecide();
    void editSaveUndoRedo();
    void editCancelChangesNothing();
    void navigationCrossesDialogues();
    void bulkAcceptIsOneUndoStep();
    void failedSuggestionCannotBeAccepted();
    void filterAndCounts();
    void showDialogueClearsHidingFilters();
    void dialogueModelUnderTester();
    void diffHtml_data();
    void diffHtml();

private:
    std::string status(int64_t id);
    std::optional<std::string> edited(int64_t id);
    QString path() const { return m_dir->filePath(QStringLiteral("p.hwb")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    hwtest::CurationDemo m_demo;
    std::unique_ptr<hw::ui::ProjectSession> m_session;
    std::unique_ptr<SuggestionsPage> m_page;
};

void TestUiSuggestions::initTestCase()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    qputenv("HW_CONFIG_DIR", m_dir->path().toLocal8Bit());
    hw::ui::Settings::instance().setFile(m_dir->filePath(QStringLiteral("settings.ini")));
}

void TestUiSuggestions::init()
{
    QFile::remove(path());
    {
        hw::Database db = hw::Database::create(path().toStdString());
        m_demo = hwtest::fillCurationDemo(db);
    }
    m_session = std::make_unique<hw::ui::ProjectSession>();
    QVERIFY(m_session->open(path()));
    m_page = std::make_unique<SuggestionsPage>(m_session.get());
    m_page->resize(1200, 800);
    m_page->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_page.get()));
    m_page->activated();
    m_page->deck()->setFocus();
}

void TestUiSuggestions::cleanup()
{
    m_page.reset();
    m_session.reset();
}

std::string TestUiSuggestions::status(int64_t id)
{
    return hw::SuggestionStore(m_session->db()).get(id)->status;
}

std::optional<std::string> TestUiSuggestions::edited(int64_t id)
{
    return hw::SuggestionStore(m_session->db()).get(id)->editedText;
}

void TestUiSuggestions::showsCardsWithDiff()
{
    QCOMPARE(m_page->model()->rowCount(), 4);
    QCOMPARE(m_page->currentDialogueId(), m_demo.dialogues[0]);
    hw::ui::SuggestionDeck* deck = m_page->deck();
    QCOMPARE(deck->count(), 3);
    QCOMPARE(deck->currentIndex(), 0);
    hw::ui::SuggestionCard* card = deck->card(0);
    QCOMPARE(card->suggestionId(), m_demo.suggestions[0]);
    // The diff is against the dialogue's turn: deleted and inserted words are both there.
    const auto& segs = card->diffLabel()->segments();
    bool deleted = false, inserted = false;
    for (const auto& s : segs) {
        deleted |= s.kind == hw::DiffSegment::Kind::Deleted;
        inserted |= s.kind == hw::DiffSegment::Kind::Inserted;
    }
    QVERIFY(deleted && inserted);
    QVERIFY(card->diffLabel()->text().contains(QStringLiteral("line-through")));
}

void TestUiSuggestions::acceptUndoRedo()
{
    const int64_t id = m_demo.suggestions[0];
    QUndoStack* undo = m_session->undoStack();
    QTest::keyClick(m_page->deck(), Qt::Key_A);
    QCOMPARE(status(id), std::string("accepted"));
    QCOMPARE(undo->count(), 1);
    QCOMPARE(m_page->deck()->currentIndex(), 1); // moved on
    QCOMPARE(m_page->deck()->card(0)->suggestion().status, std::string("accepted"));
    // The list's counts follow without a reload.
    const int row = m_page->model()->rowOf(m_demo.dialogues[0]);
    QCOMPARE(m_page->model()->row(row)->accepted, int64_t(2));

    undo->undo();
    QCOMPARE(status(id), std::string("proposed"));
    QCOMPARE(m_page->deck()->card(0)->suggestion().status, std::string("proposed"));
    QCOMPARE(m_page->model()->row(row)->accepted, int64_t(1));
    undo->redo();
    QCOMPARE(status(id), std::string("accepted"));
    // Accepting an accepted suggestion again changes nothing and adds no undo step.
    m_page->deck()->setCurrentIndex(0);
    QTest::keyClick(m_page->deck(), Qt::Key_A);
    QCOMPARE(undo->count(), 1);
}

void TestUiSuggestions::rejectAndUndecide()
{
    const int64_t id = m_demo.suggestions[1];
    m_page->deck()->setCurrentIndex(1);
    QTest::keyClick(m_page->deck(), Qt::Key_R);
    QCOMPARE(status(id), std::string("rejected"));
    m_page->deck()->setCurrentIndex(1);
    QTest::keyClick(m_page->deck(), Qt::Key_U);
    QCOMPARE(status(id), std::string("proposed"));
    m_session->undoStack()->undo();
    QCOMPARE(status(id), std::string("rejected"));
    m_session->undoStack()->undo();
    QCOMPARE(status(id), std::string("proposed"));
}

void TestUiSuggestions::editSaveUndoRedo()
{
    const int64_t id = m_demo.suggestions[0];
    hw::ui::SuggestionCard* card = m_page->deck()->card(0);
    QTest::keyClick(m_page->deck(), Qt::Key_E);
    QVERIFY(card->isEditing());
    QVERIFY(card->editor()->isVisibleTo(card));
    QTRY_VERIFY_WITH_TIMEOUT(card->editor()->hasFocus(), 60000);
    // The editor starts with the proposal, selected: typing replaces it.
    QTest::keyClicks(card->editor(), QStringLiteral("I am sorry about your job."));
    QTest::keyClick(card->editor(), Qt::Key_Return);
    QVERIFY(!card->isEditing());
    QCOMPARE(edited(id), std::optional<std::string>("I am sorry about your job."));
    QCOMPARE(status(id), std::string("proposed"));
    QCOMPARE(m_session->undoStack()->count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(m_page->deck()->hasFocus(), 60000);
    QVERIFY(card->diffLabel()->text().contains(QStringLiteral("sorry")));

    m_session->undoStack()->undo();
    QCOMPARE(edited(id), std::nullopt);
    QVERIFY(!m_page->deck()->card(0)->diffLabel()->text().contains(QStringLiteral("sorry")));
    m_session->undoStack()->redo();
    QCOMPARE(edited(id), std::optional<std::string>("I am sorry about your job."));

    // Shift+Enter is a new line, Enter saves; then accept the edited suggestion.
    m_page->deck()->setCurrentIndex(0);
    QTest::keyClick(m_page->deck(), Qt::Key_E);
    QTest::keyClicks(card->editor(), QStringLiteral("Line one"));
    QTest::keyClick(card->editor(), Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(card->editor(), QStringLiteral("line two"));
    QTest::keyClick(card->editor(), Qt::Key_Enter);
    QCOMPARE(edited(id), std::optional<std::string>("Line one\nline two"));
    QTest::keyClick(m_page->deck(), Qt::Key_A);
    QCOMPARE(status(id), std::string("accepted"));
    QCOMPARE(m_session->undoStack()->count(), 3);
    m_session->undoStack()->undo();
    m_session->undoStack()->undo();
    QCOMPARE(status(id), std::string("proposed"));
    QCOMPARE(edited(id), std::optional<std::string>("I am sorry about your job."));
}

void TestUiSuggestions::editCancelChangesNothing()
{
    const int64_t id = m_demo.suggestions[0];
    hw::ui::SuggestionCard* card = m_page->deck()->card(0);
    QTest::keyClick(m_page->deck(), Qt::Key_E);
    QTest::keyClicks(card->editor(), QStringLiteral("something else"));
    QTest::keyClick(card->editor(), Qt::Key_Escape);
    QVERIFY(!card->isEditing());
    QCOMPARE(edited(id), std::nullopt);
    QCOMPARE(m_session->undoStack()->count(), 0);
    // Saving the unchanged text is no edit either.
    QTest::keyClick(m_page->deck(), Qt::Key_E);
    QTest::keyClick(card->editor(), Qt::Key_Return);
    QCOMPARE(m_session->undoStack()->count(), 0);
}

void TestUiSuggestions::navigationCrossesDialogues()
{
    hw::ui::SuggestionDeck* deck = m_page->deck();
    QTest::keyClick(deck, Qt::Key_J);
    QTest::keyClick(deck, Qt::Key_Down);
    QCOMPARE(deck->currentIndex(), 2);
    QTest::keyClick(deck, Qt::Key_J); // past the last card: the next dialogue
    QCOMPARE(m_page->currentDialogueId(), m_demo.dialogues[1]);
    QCOMPARE(deck->currentIndex(), 0);
    QTest::keyClick(deck, Qt::Key_K); // back: the previous dialogue's last card
    QCOMPARE(m_page->currentDialogueId(), m_demo.dialogues[0]);
    QCOMPARE(deck->currentIndex(), 2);
    QTest::keyClick(deck, Qt::Key_Up);
    QCOMPARE(deck->currentIndex(), 1);
    // Curation keys typed in the dialogue list reach the cards.
    m_page->dialogueTable()->setFocus();
    QTest::keyClick(m_page->dialogueTable(), Qt::Key_R);
    QCOMPARE(status(m_demo.suggestions[1]), std::string("rejected"));
}

void TestUiSuggestions::bulkAcceptIsOneUndoStep()
{
    hw::ui::SuggestionFilterBar* bar = m_page->filterBar();
    bar->statusBox()->setCurrentIndex(bar->statusBox()->findData(QStringLiteral("proposed")));
    QCOMPARE(m_page->model()->rowCount(), 3);
    QVERIFY(bar->acceptAllButton()->isEnabled());
    QVERIFY(bar->acceptAllButton()->text().contains(QStringLiteral("6")));
    bar->acceptAllButton()->click();
    QCOMPARE(m_session->undoStack()->count(), 1);
    auto counts = [&] {
        return hw::SuggestionStore(m_session->db()).countsByStatus();
    };
    QCOMPARE(counts().at("accepted"), int64_t(7));
    QCOMPARE(counts().at("proposed"), int64_t(0));
    QCOMPARE(counts().at("rejected"), int64_t(1)); // not shown by the filter: untouched
    QVERIFY(m_session->undoStack()->undoText().contains(QStringLiteral("6")));
    m_session->undoStack()->undo();
    QCOMPARE(counts().at("accepted"), int64_t(1));
    QCOMPARE(counts().at("proposed"), int64_t(6));
    m_session->undoStack()->redo();
    QCOMPARE(counts().at("accepted"), int64_t(7));

    // Reject all shown under "every status" skips nothing, and is one step too.
    m_session->undoStack()->undo();
    bar->statusBox()->setCurrentIndex(0);
    bar->rejectAllButton()->click();
    QCOMPARE(counts().at("rejected"), int64_t(9));
    m_session->undoStack()->undo();
    QCOMPARE(counts().at("rejected"), int64_t(1));
    QCOMPARE(counts().at("failed"), int64_t(1));
    QCOMPARE(counts().at("accepted"), int64_t(1));
}

void TestUiSuggestions::failedSuggestionCannotBeAccepted()
{
    m_page->showDialogue(m_demo.dialogues[3]);
    hw::ui::SuggestionDeck* deck = m_page->deck();
    QCOMPARE(deck->count(), 1);
    hw::ui::SuggestionCard* card = deck->currentCard();
    QCOMPARE(card->suggestionId(), m_demo.failedSuggestion);
    QVERIFY(card->retryButton()->isVisibleTo(card));
    QVERIFY(!card->acceptButton()->isVisibleTo(card));
    QTest::keyClick(deck, Qt::Key_A);
    QCOMPARE(status(m_demo.failedSuggestion), std::string("failed"));
    QCOMPARE(m_session->undoStack()->count(), 0);
    // Bulk accept skips it too.
    m_page->acceptAllShown();
    QCOMPARE(status(m_demo.failedSuggestion), std::string("failed"));
}

void TestUiSuggestions::filterAndCounts()
{
    hw::ui::SuggestionFilterBar* bar = m_page->filterBar();
    QVERIFY(bar->countButton(QStringLiteral("proposed"))->text().startsWith(QStringLiteral("6")));
    QVERIFY(bar->countButton(QStringLiteral("failed"))->text().startsWith(QStringLiteral("1")));
    // A count pill filters by its status.
    bar->countButton(QStringLiteral("rejected"))->click();
    QCOMPARE(bar->filter().status, std::string("rejected"));
    QCOMPARE(m_page->model()->rowCount(), 1);
    QCOMPARE(m_page->deck()->count(), 1);
    bar->provenanceBox()->setCurrentIndex(bar->provenanceBox()->findData(QStringLiteral("llm")));
    QCOMPARE(m_page->model()->rowCount(), 1);
    bar->statusBox()->setCurrentIndex(0);
    QCOMPARE(m_page->model()->rowCount(), 4);
    // Header counts follow curation.
    QTest::keyClick(m_page->deck(), Qt::Key_A);
    QVERIFY(bar->countButton(QStringLiteral("proposed"))->text().startsWith(QStringLiteral("5")));
}

void TestUiSuggestions::showDialogueClearsHidingFilters()
{
    hw::ui::SuggestionFilterBar* bar = m_page->filterBar();
    bar->statusBox()->setCurrentIndex(bar->statusBox()->findData(QStringLiteral("accepted")));
    QCOMPARE(m_page->model()->rowCount(), 1);
    m_page->showDialogue(m_demo.dialogues[2]);
    QCOMPARE(m_page->currentDialogueId(), m_demo.dialogues[2]);
    QCOMPARE(m_page->deck()->count(), 2);
    m_page->showDialogue(m_demo.branches[0]); // no suggestions: stays where it is
    QCOMPARE(m_page->currentDialogueId(), m_demo.dialogues[2]);
}

void TestUiSuggestions::dialogueModelUnderTester()
{
    hw::ui::SuggestionDialogueModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.reload(m_session->db(), {});
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(hw::ui::SuggestionDialogueModel::COLUMN_COUNT));
    QCOMPARE(model.index(0, 0).data(hw::ui::SuggestionDialogueModel::DialogueIdRole).toLongLong(), m_demo.dialogues[0]);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    hw::SuggestionStore(m_session->db()).setStatus(m_demo.suggestions[3], "accepted");
    model.refreshCounts(m_session->db());
    QCOMPARE(changed.count(), 1); // only the row that moved
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.row(1)->accepted, int64_t(1));
    hw::SuggestionQueryFilter f;
    f.status = "failed";
    model.reload(m_session->db(), f);
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestUiSuggestions::diffHtml_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<QString>("plain"); // the rich text without tags
    QTest::newRow("same") << "I hear you." << "I hear you." << "I hear you.";
    QTest::newRow("word replaced") << "That is hard." << "That is painful." << "That is hard painful.";
    QTest::newRow("struck sentence then new one") << "Stop it." << "It makes sense." << "Stop it It makes sense.";
    QTest::newRow("punctuation swap") << "You came." << "You came!" << "You came.!";
    QTest::newRow("escaped") << "a < b" << "a > b" << "a < > b";
}

void TestUiSuggestions::diffHtml()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(QString, plain);
    hw::ui::WordDiffLabel label;
    label.setTexts(before, after);
    QTextDocument doc;
    doc.setHtml(label.text());
    QCOMPARE(doc.toPlainText(), plain);
    QCOMPARE(label.text().contains(QStringLiteral("line-through")), before != after);
}

QTEST_MAIN(TestUiSuggestions)
#include "tst_ui_suggestions.moc"
