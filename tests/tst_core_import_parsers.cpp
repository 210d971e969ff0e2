// The building blocks of the importers: RFC 4180 CSV reader, JSON Lines reader, JSON value
// locator, SHA-1 and the ESConv content hash (Python's " ".join(s.split()) rule).
#include "core/io/content_hash.h"
#include "core/io/csv_reader.h"
#include "core/io/json_lines.h"
#include "core/io/json_locate.h"
#include "core/io/sha1.h"
#include "core/io/text_util.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <fstream>

using namespace hw;

namespace {

std::vector<CsvRecord> parseCsv(const std::string& text)
{
    CsvReader r(text, "t.csv");
    std::vector<CsvRecord> out;
    CsvRecord rec;
    while (r.next(rec))
        out.push_back(rec);
    return out;
}

using Fields = std::vector<std::string>;

QString csvError(const std::string& text)
{
    try {
        parseCsv(text);
    } catch (const Error& e) {
        return QString::fromUtf8(e.what());
    }
    return QString();
}

} // namespace

class TestParsers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void csvFields_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("plain") << "a,b,c" << QStringList{"a", "b", "c"};
        QTest::newRow("empty fields") << ",," << QStringList{"", "", ""};
        QTest::newRow("quoted comma") << "\"a,b\",c" << QStringList{"a,b", "c"};
        QTest::newRow("escaped quote") << "\"say \"\"hi\"\"\",x" << QStringList{"say \"hi\"", "x"};
        QTest::newRow("only quotes") << "\"\"\"\"" << QStringList{"\""};
        QTest::newRow("empty quoted") << "\"\",a" << QStringList{"", "a"};
        QTest::newRow("embedded LF") << "\"line1\nline2\",z" << QStringList{"line1\nline2", "z"};
        QTest::newRow("embedded CRLF") << "\"l1\r\nl2\",z" << QStringList{"l1\r\nl2", "z"};
        QTest::newRow("quote in unquoted") << "5\" tall,x" << QStringList{"5\" tall", "x"};
        QTest::newRow("spaces kept") << " a , b " << QStringList{" a ", " b "};
        QTest::newRow("utf8") << "h\xC3\xA9llo,\xE2\x82\xAC" << QStringList{"h\xC3\xA9llo", "\xE2\x82\xAC"};
    }
    void csvFields()
    {
        QFETCH(QString, input);
        QFETCH(QStringList, fields);
        const auto recs = parseCsv(input.toStdString());
        QCOMPARE(recs.size(), size_t(1));
        QStringList got;
        for (const auto& f : recs[0].fields)
            got << QString::fromStdString(f);
        QCOMPARE(got, fields);
    }

    void csvLineEndingsAndLineNumbers()
    {
        // CRLF, LF and CR record ends; a BOM; blank lines; a record spanning two lines.
        const auto recs = parseCsv("\xEF\xBB\xBFh1,h2\r\na,\"multi\r\nline\"\r\n\r\nb,c\nd,e\rf,g");
        QCOMPARE(recs.size(), size_t(5));
        QCOMPARE(recs[0].fields, (Fields{"h1", "h2"}));
        QCOMPARE(recs[0].line, 1);
        QCOMPARE(recs[1].fields, (Fields{"a", "multi\r\nline"}));
        QCOMPARE(recs[1].line, 2);
        QCOMPARE(recs[2].fields, (Fields{"b", "c"}));
        QCOMPARE(recs[2].line, 5);
        QCOMPARE(recs[3].line, 6);
        QCOMPARE(recs[4].fields, (Fields{"f", "g"}));
        QCOMPARE(recs[4].line, 7);
        // A trailing newline adds no record; a trailing comma adds an empty field.
        QCOMPARE(parseCsv("a,b\r\n").size(), size_t(1));
        QCOMPARE(parseCsv("a,\r\n")[0].fields, (Fields{"a", ""}));
        QVERIFY(parseCsv("").empty());
        QVERIFY(parseCsv("\r\n\r\n").empty());
    }

    void csvErrors()
    {
        QString e = csvError("a,b\nc,\"open\nmore\n");
        QVERIFY2(e.startsWith("t.csv:2: unterminated quoted field"), qPrintable(e));
        e = csvError("a,b\n\"x\"y,z\n");
        QVERIFY2(e.startsWith("t.csv:2: unexpected character 'y' after a closing quote"), qPrintable(e));
        e = csvError("a\n\"two\nlines\" oops\n");
        QVERIFY2(e.startsWith("t.csv:3: unexpected character ' '"), qPrintable(e));
    }

    void csvHeader()
    {
        const auto recs = parseCsv(",Unit, Turn ,B4\n1,hi,0\n2,x\n");
        CsvHeader h(recs[0], "f.csv");
        QCOMPARE(h.find(""), 0);
        QCOMPARE(h.find("Turn"), 2);
        QCOMPARE(h.find("B2"), -1);
        QCOMPARE(h.require("B4"), 3);
        QVERIFY_THROWS_EXCEPTION(Error, h.require("B2"));
        try {
            h.require("B2");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("f.csv:1: missing column 'B2'"));
        }
        try {
            h.checkWidth(recs[2]);
            QFAIL("expected an error");
        } catch (const Error& e) {
            QCOMPARE(QString(e.what()), QString("f.csv:3: expected 4 fields, found 2"));
        }
        h.checkWidth(parseCsv("a,b,c,d")[0]);
    }

    void jsonLines()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("x.jsonl").toStdString();
        {
            std::ofstream(path) << "{\"a\":1}\r\n\n   \n[2]\n{\"b\":\n";
        }
        JsonLinesReader r(path);
        JsonLine line;
        QVERIFY(r.next(line));
        QCOMPARE(line.line, 1);
        QCOMPARE(line.value["a"].get<int>(), 1);
        QVERIFY(r.next(line));
        QCOMPARE(line.line, 4);
        try {
            r.next(line);
            QFAIL("expected an error");
        } catch (const Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.startsWith(QString::fromStdString(path) + ":5: truncated JSON"), qPrintable(msg));
            QVERIFY2(!msg.contains("json.exception"), qPrintable(msg));
        }
        QVERIFY_THROWS_EXCEPTION(Error, JsonLinesReader(dir.filePath("missing.jsonl").toStdString()));
    }

    void jsonLocate()
    {
        const std::string text = "[\n {\"a\": 1,\n  \"dialog\": [\n   {\"speaker\": \"x\", \"t\": \"a]\\\"b\"},\n"
                                 "   {\"speaker\": \"y\"}\n  ]\n },\n {\"dialog\": []}\n]";
        auto line = [&](std::vector<JsonPathStep> p) {
            return text::lineAt(text, locateJsonValue(text, p));
        };
        QCOMPARE(line({size_t(0)}), 2);
        QCOMPARE(line({size_t(0), "dialog"}), 3);
        QCOMPARE(line({size_t(0), "dialog", size_t(0), "speaker"}), 4);
        QCOMPARE(line({size_t(0), "dialog", size_t(1), "speaker"}), 5);
        QCOMPARE(line({size_t(1), "dialog"}), 8);
        QCOMPARE(locateJsonValue(text, {size_t(2)}), std::string_view::npos);
        QCOMPARE(locateJsonValue(text, {size_t(0), "nope"}), std::string_view::npos);
        QCOMPARE(text::lineAt(text, locateJsonValueOrParent(text, {size_t(1), "dialog", size_t(4)})), 8);
    }

    void sha1KnownVectors()
    {
        QCOMPARE(sha1Hex(""), std::string("da39a3ee5e6b4b0d3255bfef95601890afd80709"));
        QCOMPARE(sha1Hex("abc"), std::string("a9993e364706816aba3e25717850c26c9cd0d89d"));
        QCOMPARE(sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("84983e441c3bd26ebaae4aa1f95129e5e54670f1"));
        QCOMPARE(sha1Hex(std::string(1000000, 'a')), std::string("34aa973cd4c4daa4f61eeb2bdbad27316534016f"));
        // 55/56/64-byte messages hit the padding edge cases.
        QCOMPARE(sha1Hex(std::string(55, 'x')), std::string("cef734ba81a024479e09eb5a75b6ddae62e6abf1"));
        QCOMPARE(sha1Hex(std::string(56, 'x')), std::string("901305367c259952f4e7af8323f480d59f81335b"));
        QCOMPARE(sha1Hex(std::string(64, 'x')), std::string("bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163"));
    }

    void pythonWhitespaceRule()
    {
        QCOMPARE(text::collapseWhitespace("  a \t b\n\nc  "), std::string("a b c"));
        QCOMPARE(text::collapseWhitespace("x\xC2\xA0y"), std::string("x y"));        // NBSP
        QCOMPARE(text::collapseWhitespace("x\xE3\x80\x80y"), std::string("x y"));    // ideographic space
        QCOMPARE(text::collapseWhitespace("x\xE2\x80\x8By"), std::string("x\xE2\x80\x8By")); // ZWSP is not space
        QCOMPARE(text::collapseWhitespace("\x1f"), std::string());
        QCOMPARE(text::collapseWhitespace("caf\xC3\xA9"), std::string("caf\xC3\xA9"));
        QCOMPARE(text::collapseWhitespace("bad\xFF byte"), std::string("bad\xFF byte"));
        // Python: hashlib.sha1("\n".join(" ".join(u.split()) for u in [...]).encode()).hexdigest()[:16]
        QCOMPARE(dialogueContentHash({"Hello  there\n", " how are\tyou?"}), std::string("3221eac2148a6c8d"));
        QCOMPARE(dialogueContentHash({"I can't   focus at work.", "How long has that been going on?"}),
                 std::string("80dd6a9a7ae6b950"));
    }

    void numbers()
    {
        QCOMPARE(text::parseNumber("3"), std::optional<double>(3.0));
        QCOMPARE(text::parseNumber(" 2.5 "), std::optional<double>(2.5));
        QCOMPARE(text::parseNumber("1e2"), std::optional<double>(100.0));
        QVERIFY(!text::parseNumber(""));
        QVERIFY(!text::parseNumber("3 dollars"));
        QVERIFY(!text::parseNumber("nan"));
        QVERIFY(!text::parseNumber("inf"));
    }
};

QTEST_APPLESS_MAIN(TestParsers)
#include "tst_core_import_parsers.moc"
