// The HTTP server's own request framing (core/net/request_framing.h, chunked_body_decoder.h) on
// bytes, without sockets: what is accepted, what is refused with which status, the canonical head
// cpp-httplib gets; then a deterministic replay of random and mutated requests through the
// invariants the libFuzzer target core/fuzz/fuzz_http_request.cpp checks.
#include "core/fuzz/http_request_invariants.h"
#include "support/test_paths.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <random>

using namespace hw;

namespace {

FramingError parse(const std::string& head, RequestHead& out, uint64_t maxBody = 1000)
{
    FramingLimits limits;
    limits.maxBodyBytes = maxBody;
    return parseRequestHead(head, limits, out);
}

} // namespace

class TestHttpFraming : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acceptsWellFormedHeads()
    {
        RequestHead h;
        QVERIFY(!parse("POST /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length:  12 \r\nConnection: keep-alive, Upgrade\r\n\r\n", h));
        QCOMPARE(h.method, std::string("POST"));
        QCOMPARE(h.target, std::string("/v1/x?a=1"));
        QVERIFY(h.body == RequestHead::Body::Length);
        QCOMPARE(h.contentLength, uint64_t(12));
        QVERIFY(h.keepAlive);
        QCOMPARE(canonicalHead(h, 12), std::string("POST /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n"
                                                   "Content-Length: 12\r\n\r\n"));
        RequestHead c;
        QVERIFY(!parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: CHUNKED\r\nExpect: 100-continue\r\n"
                       "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n", c));
        QVERIFY(c.body == RequestHead::Body::Chunked);
        QVERIFY(c.expectContinue);
        QVERIFY(!c.keepAlive);
        QCOMPARE(canonicalHead(c, 3), std::string("POST / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: 3\r\n\r\n"));
        RequestHead old;
        QVERIFY(!parse("GET / HTTP/1.0\r\n\r\n", old)); // HTTP/1.0 needs no Host
        QVERIFY(!old.keepAlive);
        RequestHead same;
        QVERIFY(!parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nContent-Length: 4, 4\r\n\r\n", same));
        QCOMPARE(same.contentLength, uint64_t(4));
    }

    void refusals_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("reason");
        const QByteArray post = "POST / HTTP/1.1\r\nHost: h\r\n";
        QTest::newRow("CL+TE") << post + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" << 400 << "both";
        QTest::newRow("two CLs") << post + "Content-Length: 3\r\nContent-Length: 4\r\n\r\n" << 400 << "conflicting";
        QTest::newRow("5abc") << post + "Content-Length: 5abc\r\n\r\n" << 400 << "invalid Content-Length";
        QTest::newRow("empty CL") << post + "Content-Length:\r\n\r\n" << 400 << "invalid Content-Length";
        QTest::newRow("TE gzip, chunked") << post + "Transfer-Encoding: gzip, chunked\r\n\r\n" << 400 << "Transfer-Encoding";
        QTest::newRow("TE in HTTP/1.0") << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") << 400 << "HTTP/1.0";
        QTest::newRow("too large") << post + "Content-Length: 1001\r\n\r\n" << 413 << "limit of 1000";
        QTest::newRow("no Host") << QByteArray("GET / HTTP/1.1\r\n\r\n") << 400 << "Host";
        QTest::newRow("two Hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400 << "Host";
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\nHost: a\r\n\r\n") << 505 << "version";
        QTest::newRow("absolute form") << QByteArray("GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n") << 400 << "target";
        QTest::newRow("NUL in value") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35) << 400 << "NUL";
        QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n") << 400 << "bare CR";
        QTest::newRow("Expect other") << post + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\n" << 417 << "Expect";
        QTest::newRow("long line") << post + "X: " + QByteArray(9000, 'a') + "\r\n\r\n" << 431 << "longer than";
    }
    void refusals()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        QFETCH(QString, reason);
        RequestHead h;
        const FramingError e = parse(head.toStdString(), h);
        QCOMPARE(e.status, status);
        QVERIFY2(QString::fromStdString(e.message).contains(reason), e.message.c_str());
    }

    void chunkedDecoding()
    {
        ChunkedBodyDecoder d(100);
        const std::string wire = "4\r\nWiki\r\n5;x=\"y\"\r\npedia\r\n0\r\nExpires: never\r\n\r\nNEXT";
        // Byte by byte, as a slow client sends it.
        ChunkedBodyDecoder::Status s = ChunkedBodyDecoder::Status::NeedMore;
        for (size_t n = 1; n <= wire.size() && s == ChunkedBodyDecoder::Status::NeedMore; ++n)
            s = d.decode(std::string_view(wire).substr(0, n));
        QVERIFY(s == ChunkedBodyDecoder::Status::Done);
        QCOMPARE(d.body(), std::string("Wikipedia"));
        QCOMPARE(wire.substr(d.consumed()), std::string("NEXT"));

        ChunkedBodyDecoder big(10);
        QVERIFY(big.decode("b\r\n") == ChunkedBodyDecoder::Status::Failed);
        QCOMPARE(big.error().status, 413);
        for (const char* bad : {"10000000000000000\r\n", "ffffffffffffffff\r\n", "4000000000000000\r\n", " 4\r\n", "-4\r\n",
                                "4 \r\n", "0x4\r\n", "\r\n", "4\r\nabcdX\r\n"}) {
            ChunkedBodyDecoder c(std::numeric_limits<uint64_t>::max());
            QVERIFY2(c.decode(bad) == ChunkedBodyDecoder::Status::Failed, bad);
            QVERIFY2(c.error().status == 400, bad);
        }
    }

    // Random and mutated requests (from the seed corpus the fuzz target starts from) through the
    // invariants; any violation fails with the input's number.
    void deterministicReplay()
    {
        std::vector<std::string> violations;
        size_t input = 0;
        fuzz::httpFailHandler() = [&](const std::string& what) { violations.push_back(what + " on input #" + std::to_string(input)); };
        std::vector<std::string> seeds;
        const QDir dir(QString::fromStdString(hwtest::sourceDir()) + "/core/fuzz/corpus/http_request");
        for (const QString& name : dir.entryList(QDir::Files)) {
            QFile f(dir.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            seeds.push_back(f.readAll().toStdString());
        }
        QVERIFY(seeds.size() >= 5);
        std::mt19937 rng(1234);
        static const char kAlphabet[] = "\r\n :;,0123456789abcdefABCDEF-\t\0xHTPGOS/chunkedContent-LengthTransfer-Encoding";
        const std::string alphabet(kAlphabet, sizeof kAlphabet - 1); // with its NUL
        for (input = 0; input < 20000; ++input) {
            std::string s = seeds[rng() % seeds.size()];
            const int edits = 1 + static_cast<int>(rng() % 8);
            for (int e = 0; e < edits; ++e) {
                const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
                switch (rng() % 4) {
                case 0: s.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
                case 1: if (pos < s.size()) s.erase(pos, 1 + rng() % 4); break;
                case 2: if (pos < s.size()) s[pos] = static_cast<char>(rng() % 256); break;
                case 3: s.insert(pos, seeds[rng() % seeds.size()].substr(0, rng() % 40)); break;
                }
            }
            fuzz::checkHttpRequest(s);
        }
        QVERIFY2(violations.empty(), violations.empty() ? "" : violations.front().c_str());
    }
};

QTEST_APPLESS_MAIN(TestHttpFraming)
#include "tst_core_http_framing.moc"
