// Deterministic fuzz replay: thousands of random and mutated inputs through every reply parser
// (and the prompt template renderer), checking the invariants of core/fuzz/parser_invariants.h.
// The libFuzzer targets in core/fuzz/ run the same checks without a time limit.
#include "core/fuzz/parser_invariants.h"
#include "support/test_paths.h"

#include <chrono>
#include <random>

namespace {

const std::vector<std::string>& dictionary()
{
    static const std::vector<std::string> d = {
        "1.", "2)", "(3)", "**1.**", "#1:", "\"", "'", "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x98", "\xE2\x80\x99",
        "\xC2\xAB", "\xC2\xBB", ";", "/", "\n", "\r\n", "\n\n", " ", "**", "AI:", "H:", "Human:", "User:", "Persuader:",
        "Final Emotional Intensity:", "Unfinished:", "Final Donation Amount:", "$", "yes", "no", "2.5", "-1", "5/5",
        "<think>", "</think>", "```", "{{", "}}", "{{dialogue}}", "@@ user", "@@ system", "%%", "Original:", "Better:",
        "\xF0\x9F\x98\x80", "\xFF", std::string(1, '\0'), "Thank you!", "Save the Children", "(", ")", " or ", "-",
        "out of ", "1,5", "USD", "dollars"};
    return d;
}

std::string mutate(std::string s, std::mt19937_64& rng)
{
    std::uniform_int_distribution<int> op(0, 6);
    const int rounds = 1 + static_cast<int>(rng() % 6);
    for (int r = 0; r < rounds; ++r) {
        const size_t n = s.size();
        auto pos = [&] { return n == 0 ? size_t(0) : static_cast<size_t>(rng() % (n + 1)); };
        switch (op(rng)) {
        case 0: // insert a random byte
            s.insert(pos(), 1, static_cast<char>(rng() & 0xFF));
            break;
        case 1: // delete a range
            if (n > 0) {
                const size_t a = rng() % n;
                s.erase(a, 1 + rng() % std::min<size_t>(16, n - a));
            }
            break;
        case 2: { // insert a dictionary token
            const auto& d = dictionary();
            s.insert(pos(), d[rng() % d.size()]);
            break;
        }
        case 3: // duplicate a range
            if (n > 0) {
                const size_t a = rng() % n;
                const std::string piece = s.substr(a, 1 + rng() % 40);
                s.insert(pos(), piece);
            }
            break;
        case 4: // flip a byte
            if (n > 0)
                s[rng() % n] ^= static_cast<char>(1 << (rng() % 8));
            break;
        case 5: // truncate
            if (n > 0)
                s.resize(rng() % n);
            break;
        case 6: { // splice with another seed
            const auto& seeds = hw::fuzz::seedCorpus();
            const std::string& other = seeds[rng() % seeds.size()];
            s = s.substr(0, pos()) + other.substr(other.empty() ? 0 : rng() % other.size());
            break;
        }
        }
    }
    if (s.size() > 3000)
        s.resize(3000);
    return s;
}

std::string randomBytes(std::mt19937_64& rng)
{
    std::string s(rng() % 300, '\0');
    for (char& c : s)
        c = static_cast<char>(rng() & 0xFF);
    return s;
}

} // namespace

class TestParserFuzz : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        hw::fuzz::failHandler() = [this](const std::string& what) { m_violations.push_back(what + " on input #" + std::to_string(m_input)); };
    }

    void replay_data()
    {
        QTest::addColumn<int>("target");
        QTest::newRow("controller") << 0;
        QTest::newRow("matcher") << 1;
        QTest::newRow("dialogue lines") << 2;
        QTest::newRow("rewards") << 3;
        QTest::newRow("template") << 4;
    }
    void replay()
    {
        QFETCH(int, target);
        std::mt19937_64 rng(20240611 + static_cast<uint64_t>(target));
        const auto& seeds = hw::fuzz::seedCorpus();
        const int iterations = 10000;
        m_violations.clear();
        const auto t0 = std::chrono::steady_clock::now();
        for (m_input = 0; m_input < iterations; ++m_input) {
            std::string input;
            if (m_input < static_cast<int>(seeds.size()))
                input = seeds[static_cast<size_t>(m_input)];
            else if (m_input % 5 == 0)
                input = randomBytes(rng);
            else
                input = mutate(seeds[rng() % seeds.size()], rng);
            switch (target) {
            case 0: hw::fuzz::checkController(input); break;
            case 1: hw::fuzz::checkMatcher(input); break;
            case 2: hw::fuzz::checkDialogueLines(input); break;
            case 3: hw::fuzz::checkRewards(input); break;
            case 4: hw::fuzz::checkTemplate(input); break;
            }
            if (!m_violations.empty())
                break;
        }
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        qInfo("%d inputs in %.2f s", iterations, secs);
        QVERIFY2(m_violations.empty(), m_violations.empty() ? "" : m_violations.front().c_str());
    }

private:
    std::vector<std::string> m_violations;
    int m_input = 0;
};

QTEST_APPLESS_MAIN(TestParserFuzz)
#include "tst_core_parser_fuzz.moc"
