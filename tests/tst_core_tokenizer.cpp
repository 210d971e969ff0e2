// Tokenizer: SentencePiece training with the dialogue tokens at fixed ids, encode/decode round trip,
// save/load, and a Llama-layout model (dialogue tokens become added tokens).
#include "core/model/tokenizer.h"
#include "core/model/tokenizer_fit.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <filesystem>
#include <fstream>
#include <random>

using namespace hw;

namespace {

// A small deterministic corpus with enough distinct words for a few hundred pieces.
std::vector<std::string> corpus()
{
    const std::vector<std::string> words = {
        "i", "feel", "sad", "today", "because", "my", "friend", "moved", "away", "and", "work", "is",
        "stressful", "that", "sounds", "hard", "have", "you", "tried", "talking", "to", "someone", "about",
        "it", "would", "like", "donate", "children", "charity", "save", "the", "money", "help", "thank",
        "anxious", "exam", "family", "support", "understand", "how", "much", "dollars", "café", "naïve"};
    std::mt19937 rng(7);
    std::vector<std::string> out;
    for (int i = 0; i < 400; ++i) {
        std::string s;
        const int n = 4 + int(rng() % 10);
        for (int j = 0; j < n; ++j)
            s += (j ? " " : "") + words[rng() % words.size()];
        out.push_back(s + (i % 3 == 0 ? "?" : "."));
    }
    return out;
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainFixedSpecialIds()
    {
        TokenizerTrainOptions o;
        o.vocabSize = 360;
        const auto tok = Tokenizer::train(corpus(), o);
        const auto& s = tok.special();
        QCOMPARE(s.pad, int64_t(0));
        QCOMPARE(s.bos, int64_t(1));
        QCOMPARE(s.endOfState, int64_t(2));
        QCOMPARE(s.beginAction, int64_t(3));
        QCOMPARE(s.endOfAction, int64_t(4));
        QCOMPARE(s.endOfDialogue, int64_t(5));
        QCOMPARE(s.unk, int64_t(6));
        QCOMPARE(tok.vocabSize(), int64_t(360));
        QVERIFY(tok.addedTokens().empty());
        // user-defined dialogue tokens are single ids in text too; control <s> / </s> are not
        // (SentencePiece may put its word-boundary piece in front)
        const auto a = tok.encode("</a>");
        QCOMPARE(std::count(a.begin(), a.end(), int64_t(4)), 1l);
        QVERIFY(a.size() <= 2);
        const auto eod = tok.encode("x</eod>");
        QCOMPARE(eod.back(), int64_t(5));
        const auto withS = tok.encode("</s>");
        QVERIFY(std::find(withS.begin(), withS.end(), int64_t(2)) == withS.end());
        for (int64_t id : {0, 1, 2, 3, 4, 5})
            QVERIFY(tok.isSpecial(id));
        QVERIFY(!tok.isSpecial(tok.encode("sad").back()));
    }

    // Texts with more distinct characters than a tiny vocabulary holds (next to the 256 byte
    // pieces): the vocabulary is raised instead of the run failing, and every text round-trips.
    void smallVocabularyIsRaisedForManyCharacters()
    {
        std::vector<std::string> texts = corpus();
        std::string many;
        for (char32_t c = 0x3b1; c < 0x3b1 + 25; ++c) { // Greek letters
            many += char(0xCE | ((c >> 6) & 0x01));
            many += char(0x80 | (c & 0x3F));
        }
        for (char32_t c = 0x430; c < 0x430 + 32; ++c) { // Cyrillic letters
            many += char(0xC0 | (c >> 6));
            many += char(0x80 | (c & 0x3F));
        }
        for (int i = 0; i < 50; ++i)
            texts.push_back(many + " " + std::to_string(i));
        TokenizerTrainOptions o;
        o.vocabSize = 300;
        o.characterCoverage = 1.0;
        const auto tok = Tokenizer::train(texts, o);
        QVERIFY2(tok.vocabSize() > 300, qPrintable(QString::number(tok.vocabSize())));
        QCOMPARE(tok.decode(tok.encode(many)), many);
    }

    void roundTrip_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("plain") << "i feel sad today because my friend moved away.";
        QTest::newRow("unseen words") << "zebra quantum xylophone";
        QTest::newRow("accents and digits") << "café 1234 naïve";
        QTest::newRow("unicode") << QString::fromUtf8("emoji \xF0\x9F\x98\x80 and \xE6\x97\xA5\xE6\x9C\xAC");
    }
    void roundTrip()
    {
        QFETCH(QString, text);
        TokenizerTrainOptions o;
        o.vocabSize = 360;
        const auto tok = Tokenizer::train(corpus(), o);
        const std::string t = text.toStdString();
        const auto ids = tok.encode(t);
        QVERIFY(!ids.empty());
        // byte fallback: nothing becomes <unk>
        QVERIFY(std::find(ids.begin(), ids.end(), tok.special().unk) == ids.end());
        QCOMPARE(QString::fromStdString(tok.decode(ids)), text);
    }

    void decodeDropsOrKeepsSpecials()
    {
        TokenizerTrainOptions o;
        o.vocabSize = 360;
        const auto tok = Tokenizer::train(corpus(), o);
        auto ids = tok.encode("thank you");
        std::vector<int64_t> withSpecial = {tok.special().bos};
        withSpecial.insert(withSpecial.end(), ids.begin(), ids.end());
        withSpecial.push_back(tok.special().endOfAction);
        QCOMPARE(QString::fromStdString(tok.decode(withSpecial)), QStringLiteral("thank you"));
        const auto kept = tok.decode(withSpecial, /*keepSpecial=*/true);
        QVERIFY(kept.find("<s>") == 0);
        QVERIFY(kept.find("</a>") != std::string::npos);
        QVERIFY_THROWS_EXCEPTION(Error, tok.decode({9999}));
    }

    void saveLoadDirectory()
    {
        QTemporaryDir dir;
        TokenizerTrainOptions o;
        o.vocabSize = 340;
        const auto tok = Tokenizer::train(corpus(), o);
        tok.saveDirectory(dir.path().toStdString());
        QVERIFY(QFile::exists(dir.filePath("tokenizer.model")));
        QVERIFY(QFile::exists(dir.filePath("hw_tokenizer.json")));
        const auto back = Tokenizer::loadDirectory(dir.path().toStdString());
        QCOMPARE(back.vocabSize(), tok.vocabSize());
        const std::string text = "have you tried talking to someone about it?";
        QCOMPARE(back.encode(text), tok.encode(text));
        QCOMPARE(back.serialized(), tok.serialized());
        QCOMPARE(back.special().endOfAction, tok.special().endOfAction);
        const auto fromBytes = Tokenizer::fromSerialized(tok.serialized());
        QCOMPARE(fromBytes.encode(text), tok.encode(text));
    }

    void deterministicTraining()
    {
        TokenizerTrainOptions o;
        o.vocabSize = 330;
        QCOMPARE(Tokenizer::train(corpus(), o).serialized(), Tokenizer::train(corpus(), o).serialized());
    }

    void llamaLayoutGetsAddedTokens()
    {
        // What a Llama-2 / Mistral / TinyLlama tokenizer.model looks like: <unk> 0, <s> 1, </s> 2,
        // no pad, no dialogue tokens.
        TokenizerTrainOptions o;
        o.vocabSize = 330;
        o.reserveDialogueTokens = false;
        QTemporaryDir dir;
        const std::string path = dir.filePath("tokenizer.model").toStdString();
        {
            const auto trained = Tokenizer::train(corpus(), o);
            std::ofstream out(path, std::ios::binary);
            const auto bytes = trained.serialized();
            out.write(bytes.data(), std::streamsize(bytes.size()));
        }
        const auto tok = Tokenizer::load(path); // plain tokenizer.model, no hw_tokenizer.json
        const auto& s = tok.special();
        QCOMPARE(s.unk, int64_t(0));
        QCOMPARE(s.bos, int64_t(1));
        QCOMPARE(s.endOfState, int64_t(2));
        QCOMPARE(s.pad, int64_t(0)); // no pad in the model: <unk> pads (always masked)
        QCOMPARE(tok.baseVocabSize(), int64_t(330));
        QCOMPARE(tok.vocabSize(), int64_t(333));
        QCOMPARE(s.beginAction, int64_t(330));
        QCOMPARE(s.endOfAction, int64_t(331));
        QCOMPARE(s.endOfDialogue, int64_t(332));
        // added tokens split the text and keep single ids
        const auto ids = tok.encode("thank you</a>help</eod>");
        QCOMPARE(std::count(ids.begin(), ids.end(), int64_t(331)), 1l);
        QCOMPARE(ids.back(), int64_t(332));
        QCOMPARE(QString::fromStdString(tok.decode(ids)), QStringLiteral("thank you help"));
        QCOMPARE(tok.pieceToId("</a>"), int64_t(331));
        QCOMPARE(tok.pieceToId("no-such-piece"), int64_t(-1));
        // saved with the checkpoint and reloaded: same ids
        QTemporaryDir dir2;
        tok.saveDirectory(dir2.path().toStdString());
        const auto back = Tokenizer::loadDirectory(dir2.path().toStdString());
        QCOMPARE(back.vocabSize(), int64_t(333));
        QCOMPARE(back.encode("thank you</a>"), tok.encode("thank you</a>"));
    }

    void errors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, Tokenizer::train({}));
        QTemporaryDir dir;
        const QString bad = dir.filePath("tokenizer.model");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a sentencepiece model");
        f.close();
        try {
            Tokenizer::load(bad.toStdString());
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(bad), e.what());
        }
        try {
            Tokenizer::load(dir.filePath("missing.model").toStdString());
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains("missing.model"), e.what());
        }
    }

    // A corpus with fewer distinct pieces than the vocabulary asked for (a few dozen dialogues
    // and the default 4000): SentencePiece refuses ("Vocabulary size too high"), so the largest
    // vocabulary the corpus supports is trained instead, and the job log says so.
    void vocabularyLoweredToWhatTheCorpusSupports()
    {
        TokenizerTrainOptions o;
        o.vocabSize = 100000; // far more pieces than the text has
        const auto tok = Tokenizer::train(corpus(), o);
        QVERIFY2(tok.baseVocabSize() > 300 && tok.baseVocabSize() < 2000, qPrintable(QString::number(tok.baseVocabSize())));
        QCOMPARE(tok.special().endOfAction, int64_t(4)); // same fixed ids
        const std::string said = describeTrainedVocabulary(tok, o.vocabSize);
        QVERIFY2(QString::fromStdString(said).contains("the largest vocabulary this corpus supports; 100000 asked for"),
                 said.c_str());
        QVERIFY2(QString::fromStdString(said).startsWith(QString::number(tok.vocabSize()) + " tokens"), said.c_str());
        // Asking for exactly that size gives the same tokenizer, and nothing is said then.
        TokenizerTrainOptions exact;
        exact.vocabSize = int(tok.baseVocabSize());
        const auto again = Tokenizer::train(corpus(), exact);
        QCOMPARE(again.serialized(), tok.serialized());
        QCOMPARE(describeTrainedVocabulary(again, exact.vocabSize), std::to_string(tok.vocabSize()) + " tokens");
        for (const std::string text : {"i feel sad today.", "would you like to donate?"})
            QCOMPARE(tok.decode(tok.encode(text)), text);
    }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "tst_core_tokenizer.moc"
