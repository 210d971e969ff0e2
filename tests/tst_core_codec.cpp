// Dialogue codec: the exact index conventions of the ILQL reference (golden.json's inputs), masks,
// truncation, context prefix, and prompts for generation.
#include "core/model/dialogue_codec.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <torch/torch.h>

#include <fstream>

using namespace hw;

namespace {

// The golden file's vocabulary: 0 pad, 1 <s>, 2 </s>, 3 <a>, 4 </a>, 5 </eod>, 6-10 words.
SpecialTokens goldenSpecial()
{
    SpecialTokens s;
    s.pad = 0;
    s.bos = 1;
    s.endOfState = 2;
    s.beginAction = 3;
    s.endOfAction = 4;
    s.endOfDialogue = 5;
    s.unk = 11;
    return s;
}

// Row 0: user "6 7", agent "8 9", finished, reward 1.  Row 1: user "10", agent "6", user "7",
// unfinished, reward -1.
std::vector<EncodedDialogue> goldenRows()
{
    const auto sp = goldenSpecial();
    auto r0 = DialogueCodec::encodeTurns(sp, {}, {{Role::User, {6, 7}, {}}, {Role::Agent, {8, 9}, {}}}, true, 1.f);
    auto r1 = DialogueCodec::encodeTurns(sp, {}, {{Role::User, {10}, {}}, {Role::Agent, {6}, {}}, {Role::User, {7}, {}}},
                                         false, -1.f);
    return {r0, r1};
}

template <typename T>
std::vector<T> flat(const torch::Tensor& t)
{
    auto c = t.contiguous().to(torch::kCPU);
    return std::vector<T>(c.data_ptr<T>(), c.data_ptr<T>() + c.numel());
}

std::vector<float> flatJson(const nlohmann::json& j)
{
    std::vector<float> out;
    for (const auto& row : j)
        for (const auto& v : row)
            out.push_back(v.get<float>());
    return out;
}

Tokenizer smallTokenizer()
{
    std::vector<std::string> texts;
    for (int i = 0; i < 300; ++i)
        texts.push_back("hello there, how are you feeling today? i am sad and tired number " + std::to_string(i % 17)
                        + " thanks for listening, would you donate to save the children");
    TokenizerTrainOptions o;
    o.vocabSize = 320;
    return Tokenizer::train(texts, o);
}

} // namespace

class TestCodec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void goldenConventions()
    {
        const auto rows = goldenRows();
        QCOMPARE(rows[0].tokens, (std::vector<int64_t>{1, 6, 7, 2, 8, 9, 4, 5}));
        QCOMPARE(rows[1].tokens, (std::vector<int64_t>{1, 10, 2, 6, 4, 7, 2}));
        QCOMPARE(rows[0].actionIdxs, (std::vector<int64_t>{3, 4, 5}));
        QCOMPARE(rows[0].stateIdxs, (std::vector<int64_t>{3, 4, 5, 7}));
        QCOMPARE(rows[0].terminals, (std::vector<int64_t>{0, 0, 0, 1}));
        QCOMPARE(rows[1].actionIdxs, (std::vector<int64_t>{2, 3}));
        QCOMPARE(rows[1].stateIdxs, (std::vector<int64_t>{2, 3, 6}));
        QCOMPARE(rows[1].terminals, (std::vector<int64_t>{0, 0, 0}));

        const auto b = collate(rows, 0);
        QCOMPARE(flat<int64_t>(b.tokens), (std::vector<int64_t>{1, 6, 7, 2, 8, 9, 4, 5, 1, 10, 2, 6, 4, 7, 2, 0}));
        QCOMPARE(flat<float>(b.attentionMask), (std::vector<float>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0}));
        QCOMPARE(flat<int64_t>(b.stateIdxs), (std::vector<int64_t>{3, 4, 5, 7, 2, 3, 6, 0}));
        QCOMPARE(flat<int64_t>(b.actionIdxs), (std::vector<int64_t>{3, 4, 5, 2, 3, 0}));
        QCOMPARE(flat<float>(b.rewards), (std::vector<float>{0, 0, 1, 0, -1, 0}));
        QCOMPARE(flat<float>(b.terminals), (std::vector<float>{0, 0, 0, 1, 0, 0, 0, 1}));
        // the fixed padding mask: the padded action slot of row 1 is masked
        QCOMPARE(flat<float>(b.actionSlotMask), (std::vector<float>{1, 1, 1, 1, 1, 0}));
        // the action taken at slot j is tokens[actionIdxs[j] + 1]
        auto taken = b.tokens.narrow(1, 1, b.tokens.size(1) - 1).gather(1, b.actionIdxs);
        QCOMPARE(flat<int64_t>(taken), (std::vector<int64_t>{8, 9, 4, 6, 4, 10 /*padded slot reads tokens[1]*/}));
    }

    void matchesGoldenFile()
    {
        const std::string path = std::string(hwtest::sharedDir()) + "/reference/ilql/golden.json";
        std::ifstream in(path);
        if (!in)
            QSKIP("../shared/reference/ilql/golden.json is absent");
        nlohmann::json g;
        in >> g;
        const auto& inp = g["inputs"];
        const auto b = collate(goldenRows(), 0);
        std::vector<int64_t> tokens, states, actions;
        for (const auto& r : inp["tokens"]) for (const auto& v : r) tokens.push_back(v.get<int64_t>());
        for (const auto& r : inp["state_idxs"]) for (const auto& v : r) states.push_back(v.get<int64_t>());
        for (const auto& r : inp["action_idxs"]) for (const auto& v : r) actions.push_back(v.get<int64_t>());
        QCOMPARE(flat<int64_t>(b.tokens), tokens);
        QCOMPARE(flat<int64_t>(b.stateIdxs), states);
        QCOMPARE(flat<int64_t>(b.actionIdxs), actions);
        QCOMPARE(flat<float>(b.attentionMask), flatJson(inp["attn_mask"]));
        QCOMPARE(flat<float>(b.rewards), flatJson(inp["rewards"]));
        QCOMPARE(flat<float>(b.terminals), flatJson(inp["terminals"]));
    }

    void masks()
    {
        const auto sp = goldenSpecial();
        auto e = DialogueCodec::encodeTurns(sp, {20, 21}, {{Role::Agent, {8}, {}}, {Role::User, {6}, {}}, {Role::Agent, {9, 7}, {}}},
                                            true, 2.f);
        // <s> ctx ctx </s> | 8 </a> | 6 </s> | 9 7 </a> | </eod>
        QCOMPARE(e.tokens, (std::vector<int64_t>{1, 20, 21, 2, 8, 4, 6, 2, 9, 7, 4, 5}));
        QCOMPARE(e.actionIdxs, (std::vector<int64_t>{3, 4, 7, 8, 9}));
        QCOMPARE(e.rewards, (std::vector<float>{0, 0, 0, 0, 2}));
        QCOMPARE(e.turns.size(), size_t(3));
        QCOMPARE(e.turns[2].begin, int64_t(8));
        QCOMPARE(e.turns[2].end, int64_t(11));
        const auto b = collate({e}, 0, 8);
        QCOMPARE(b.tokens.size(1), int64_t(16)); // rounded up to a multiple of 8
        QCOMPARE(flat<float>(b.agentMask).size(), size_t(16));
        QCOMPARE(flat<float>(b.agentMask), (std::vector<float>{0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0}));
        QCOMPARE(flat<float>(b.userMask), (std::vector<float>{0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}));
        QCOMPARE(flat<float>(b.contextMask), (std::vector<float>{0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        // target masks are over tokens[:, 1:]
        QCOMPARE(flat<float>(targetMask(b, LossTokens::Agent)),
                 (std::vector<float>{0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0}));
        QCOMPARE(flat<float>(targetMask(b, LossTokens::AllButContext)),
                 (std::vector<float>{0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}));
        QCOMPARE(flat<float>(targetMask(b, LossTokens::All)),
                 (std::vector<float>{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0}));
        // per-turn rewards add to the final one
        auto r = DialogueCodec::encodeTurns(sp, {}, {{Role::Agent, {8}, 0.5f}, {Role::User, {6}, {}}, {Role::Agent, {9}, 0.25f}},
                                            false, 1.f);
        QCOMPARE(r.rewards, (std::vector<float>{0, 0.5f, 0, 1.25f}));
    }

    void truncation()
    {
        const auto sp = goldenSpecial();
        const std::vector<TokenTurn> turns = {{Role::User, {6, 6, 6}, {}}, {Role::Agent, {7, 7, 7}, {}},
                                              {Role::User, {8, 8}, {}}, {Role::Agent, {9, 9}, {}}};
        // full: 1 + 4 + 4 + 3 + 3 + 1 = 16 tokens
        QCOMPARE(DialogueCodec::encodeTurns(sp, {}, turns, true, 1.f).tokens.size(), size_t(16));
        auto left = DialogueCodec::encodeTurns(sp, {}, turns, true, 1.f, 10, TruncateSide::Left);
        QCOMPARE(left.tokens, (std::vector<int64_t>{1, 8, 8, 2, 9, 9, 4, 5}));
        QCOMPARE(left.droppedTurns, int64_t(2));
        QVERIFY(left.finished);
        QCOMPARE(left.rewards.back(), 1.f);
        QCOMPARE(left.turns.front().turnIndex, 2);
        auto right = DialogueCodec::encodeTurns(sp, {}, turns, true, 1.f, 10, TruncateSide::Right);
        QCOMPARE(right.tokens, (std::vector<int64_t>{1, 6, 6, 6, 2, 7, 7, 7, 4}));
        QVERIFY(!right.finished);
        QCOMPARE(right.terminals.back(), int64_t(0));
        QVERIFY(right.tokens.size() <= 10);
        // one turn longer than the budget: its words are cut, its end token kept
        auto cut = DialogueCodec::encodeTurns(sp, {}, {{Role::Agent, std::vector<int64_t>(50, 7), {}}}, true, 0.f, 12);
        QCOMPARE(cut.tokens.size(), size_t(12));
        QCOMPARE(cut.tokens[10], int64_t(4));
    }

    void encodeDialogueWithTokenizer()
    {
        const DialogueCodec codec(smallTokenizer());
        Dialogue d;
        d.task = "counseling";
        d.metadata = {{"problem_type", "job crisis"}, {"situation", "lost my job"}, {"other", "ignored"}};
        d.turns = {{0, Role::User, "hello there, i am sad", {}}, {1, Role::Agent, "how are you feeling today?", {}},
                   {2, Role::User, "tired </a> thanks", {}}};
        d.reward = 2.0;
        QCOMPARE(QString::fromStdString(codec.contextText(d)),
                 QStringLiteral("task: counseling\nproblem_type: job crisis\nsituation: lost my job"));
        const auto e = codec.encode(d);
        const auto& sp = codec.tokenizer().special();
        QCOMPARE(e.tokens.front(), sp.bos);
        QCOMPARE(e.tokens.back(), sp.endOfDialogue);
        // "</a>" typed inside a user turn does not end anything
        QCOMPARE(std::count(e.tokens.begin(), e.tokens.end(), sp.endOfAction), 1l);
        QCOMPARE(e.rewards.back(), 2.f);
        QCOMPARE(e.turns.size(), size_t(3));
        std::vector<int64_t> agent(e.tokens.begin() + e.turns[1].begin, e.tokens.begin() + e.turns[1].end);
        QCOMPARE(QString::fromStdString(codec.decodeTurn(agent)), QStringLiteral("how are you feeling today?"));
        d.flags = kFlagUnfinished;
        QVERIFY(!codec.encode(d).finished);

        // a prompt for the agent's reply ends with the user's </s>
        const auto prompt = codec.encodePrompt(d, 1);
        QCOMPARE(prompt.back(), sp.endOfState);
        QVERIFY(std::equal(prompt.begin(), prompt.end(), e.tokens.begin()));
        QVERIFY_THROWS_EXCEPTION(Error, codec.encodePrompt(d, 9));
    }
};

QTEST_APPLESS_MAIN(TestCodec)
#include "tst_core_codec.moc"
