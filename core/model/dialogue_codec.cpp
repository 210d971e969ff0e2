#include "core/model/dialogue_codec.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>

namespace hw {

namespace {

std::vector<int64_t> withoutSpecial(const Tokenizer& tok, std::vector<int64_t> ids)
{
    // Turn text that happens to contain "</a>" etc. must not end a turn early.
    ids.erase(std::remove_if(ids.begin(), ids.end(), [&](int64_t id) { return tok.isSpecial(id); }), ids.end());
    return ids;
}

std::string metadataText(const nlohmann::json& v)
{
    if (v.is_string())
        return v.get<std::string>();
    if (v.is_number() || v.is_boolean())
        return v.dump();
    return std::string();
}

float turnReward(const Turn& t)
{
    const auto it = t.annotations.find("reward");
    return it != t.annotations.end() && it->is_number() ? it->get<float>() : 0.f;
}

} // namespace

// ------------------------------------------------------------------------------- encodeTurns

EncodedDialogue DialogueCodec::encodeTurns(const SpecialTokens& sp, const std::vector<int64_t>& contextIn,
                                           const std::vector<TokenTurn>& turnsIn, bool finished, float finalReward,
                                           int64_t maxTokens, TruncateSide truncate)
{
    EncodedDialogue e;
    std::vector<int64_t> context = contextIn;
    std::vector<TokenTurn> turns = turnsIn;
    std::vector<int> turnIndex(turns.size());
    for (size_t i = 0; i < turns.size(); ++i)
        turnIndex[i] = int(i);

    if (maxTokens > 0) {
        auto fixedLen = [&] { return int64_t(1) + (context.empty() ? 0 : int64_t(context.size()) + 1) + (finished ? 1 : 0); };
        if (maxTokens < 4)
            throw Error("dialogue codec: maxTokens " + std::to_string(maxTokens) + " is too small");
        // A context that leaves no room for half of the budget is cut (its beginning is kept).
        if (!context.empty() && fixedLen() > maxTokens / 2)
            context.resize(size_t(std::max<int64_t>(0, maxTokens / 2 - 2 - (finished ? 1 : 0))));
        int64_t budget = maxTokens - fixedLen();
        auto cost = [&](size_t i) { return int64_t(turns[i].tokens.size()) + 1; };
        if (truncate == TruncateSide::Left) {
            size_t first = turns.size();
            int64_t used = 0;
            while (first > 0 && used + cost(first - 1) <= budget) {
                used += cost(first - 1);
                --first;
            }
            if (first == turns.size() && !turns.empty()) { // the last turn alone is too long: cut its words
                turns.back().tokens.resize(size_t(std::max<int64_t>(0, budget - 1)));
                first = turns.size() - 1;
            }
            e.droppedTurns = int64_t(first);
            turns.erase(turns.begin(), turns.begin() + int64_t(first));
            turnIndex.erase(turnIndex.begin(), turnIndex.begin() + int64_t(first));
        } else {
            size_t keep = 0;
            int64_t used = 0;
            // Without the tail the dialogue is not finished: </eod> is not written.
            int64_t total = 0;
            for (size_t i = 0; i < turns.size(); ++i)
                total += cost(i);
            if (total > budget) {
                if (finished)
                    ++budget;
                finished = false;
                while (keep < turns.size() && used + cost(keep) <= budget) {
                    used += cost(keep);
                    ++keep;
                }
                if (keep == 0 && !turns.empty()) {
                    turns[0].tokens.resize(size_t(std::max<int64_t>(0, budget - 1)));
                    keep = 1;
                }
                e.droppedTurns = int64_t(turns.size() - keep);
                turns.resize(keep);
                turnIndex.resize(keep);
            }
        }
    }

    auto push = [&](int64_t id, TokenKind kind) {
        e.tokens.push_back(id);
        e.kinds.push_back(uint8_t(kind));
    };
    push(sp.bos, TokenKind::Begin);
    if (!context.empty()) {
        for (int64_t id : context)
            push(id, TokenKind::Context);
        push(sp.endOfState, TokenKind::Context);
    }
    std::vector<float> endOfActionReward; // by token position: reward of the turn ending there
    std::vector<std::pair<int64_t, float>> actionEnds;
    for (size_t i = 0; i < turns.size(); ++i) {
        const auto& t = turns[i];
        EncodedDialogue::Span span;
        span.turnIndex = turnIndex[i];
        span.role = t.role;
        span.begin = int64_t(e.tokens.size());
        const TokenKind kind = t.role == Role::Agent ? TokenKind::Agent : TokenKind::User;
        for (int64_t id : t.tokens)
            push(id, kind);
        push(t.role == Role::Agent ? sp.endOfAction : sp.endOfState, kind);
        span.end = int64_t(e.tokens.size());
        if (t.role == Role::Agent)
            actionEnds.emplace_back(span.end - 1, t.reward.value_or(0.f));
        e.turns.push_back(span);
    }
    if (finished)
        push(sp.endOfDialogue, TokenKind::EndOfDialogue);
    e.finished = finished;

    // Position p predicts token p+1: p is an action slot when token p+1 is an agent token.
    const int64_t n = int64_t(e.tokens.size());
    size_t nextEnd = 0;
    for (int64_t p = 0; p + 1 < n; ++p) {
        if (e.kinds[size_t(p + 1)] != uint8_t(TokenKind::Agent))
            continue;
        e.actionIdxs.push_back(p);
        float r = 0.f;
        if (nextEnd < actionEnds.size() && actionEnds[nextEnd].first == p + 1) {
            r = actionEnds[nextEnd].second;
            if (nextEnd + 1 == actionEnds.size())
                r += finalReward;
            ++nextEnd;
        }
        e.rewards.push_back(r);
    }
    e.stateIdxs = e.actionIdxs;
    e.stateIdxs.push_back(n - 1);
    e.terminals.assign(e.actionIdxs.size(), 0);
    e.terminals.push_back(finished ? 1 : 0);
    return e;
}

// ----------------------------------------------------------------------------------- collate

DialogueBatch collate(const std::vector<EncodedDialogue>& rows, int64_t padId, int64_t padMultiple)
{
    if (rows.empty())
        throw Error("dialogue codec: cannot collate an empty batch");
    const int64_t B = int64_t(rows.size());
    int64_t T = 0, A = 0;
    for (const auto& r : rows) {
        T = std::max<int64_t>(T, int64_t(r.tokens.size()));
        A = std::max<int64_t>(A, int64_t(r.actionIdxs.size()));
    }
    if (padMultiple > 1)
        T = (T + padMultiple - 1) / padMultiple * padMultiple;
    auto i64 = torch::TensorOptions().dtype(torch::kLong);
    auto f32 = torch::TensorOptions().dtype(torch::kFloat);
    DialogueBatch b;
    b.tokens = torch::full({B, T}, padId, i64);
    b.kinds = torch::zeros({B, T}, torch::TensorOptions().dtype(torch::kByte));
    b.actionIdxs = torch::zeros({B, A}, i64);
    b.stateIdxs = torch::zeros({B, A + 1}, i64);
    b.rewards = torch::zeros({B, A}, f32);
    b.terminals = torch::ones({B, A + 1}, f32);
    b.actionSlotMask = torch::zeros({B, A}, f32);
    b.lengths = torch::zeros({B}, i64);
    auto tok = b.tokens.accessor<int64_t, 2>();
    auto kinds = b.kinds.accessor<uint8_t, 2>();
    auto ai = b.actionIdxs.accessor<int64_t, 2>();
    auto si = b.stateIdxs.accessor<int64_t, 2>();
    auto rw = b.rewards.accessor<float, 2>();
    auto te = b.terminals.accessor<float, 2>();
    auto am = b.actionSlotMask.accessor<float, 2>();
    auto len = b.lengths.accessor<int64_t, 1>();
    for (int64_t i = 0; i < B; ++i) {
        const auto& r = rows[size_t(i)];
        if (r.kinds.size() != r.tokens.size() || r.stateIdxs.size() != r.actionIdxs.size() + 1
            || r.rewards.size() != r.actionIdxs.size() || r.terminals.size() != r.stateIdxs.size())
            throw Error("dialogue codec: inconsistent encoded dialogue in row " + std::to_string(i));
        len[i] = int64_t(r.tokens.size());
        for (size_t t = 0; t < r.tokens.size(); ++t) {
            tok[i][int64_t(t)] = r.tokens[t];
            kinds[i][int64_t(t)] = r.kinds[t];
        }
        for (size_t j = 0; j < r.actionIdxs.size(); ++j) {
            ai[i][int64_t(j)] = r.actionIdxs[j];
            rw[i][int64_t(j)] = r.rewards[j];
            am[i][int64_t(j)] = 1.f;
        }
        for (size_t j = 0; j < r.stateIdxs.size(); ++j) {
            si[i][int64_t(j)] = r.stateIdxs[j];
            te[i][int64_t(j)] = float(r.terminals[j]);
        }
    }
    b.attentionMask = (b.kinds != uint8_t(TokenKind::Pad)).to(torch::kFloat);
    b.agentMask = (b.kinds == uint8_t(TokenKind::Agent)).to(torch::kFloat);
    b.userMask = (b.kinds == uint8_t(TokenKind::User)).to(torch::kFloat);
    b.contextMask = (b.kinds == uint8_t(TokenKind::Context)).to(torch::kFloat);
    return b;
}

DialogueBatch DialogueBatch::to(const torch::Device& device) const
{
    DialogueBatch b;
    auto mv = [&](const torch::Tensor& t) { return t.defined() ? t.to(device, /*non_blocking=*/true) : t; };
    b.tokens = mv(tokens);
    b.attentionMask = mv(attentionMask);
    b.kinds = mv(kinds);
    b.agentMask = mv(agentMask);
    b.userMask = mv(userMask);
    b.contextMask = mv(contextMask);
    b.actionIdxs = mv(actionIdxs);
    b.stateIdxs = mv(stateIdxs);
    b.rewards = mv(rewards);
    b.terminals = mv(terminals);
    b.actionSlotMask = mv(actionSlotMask);
    b.lengths = mv(lengths);
    return b;
}

torch::Tensor targetMask(const DialogueBatch& batch, LossTokens which)
{
    const auto k = batch.kinds.narrow(1, 1, batch.kinds.size(1) - 1);
    switch (which) {
    case LossTokens::Agent: return (k == uint8_t(TokenKind::Agent)).to(torch::kFloat);
    case LossTokens::User: return (k == uint8_t(TokenKind::User)).to(torch::kFloat);
    case LossTokens::AllButContext:
        return ((k == uint8_t(TokenKind::Agent)) | (k == uint8_t(TokenKind::User))
                | (k == uint8_t(TokenKind::EndOfDialogue))).to(torch::kFloat);
    case LossTokens::All: return (k != uint8_t(TokenKind::Pad)).to(torch::kFloat);
    }
    return {};
}

// ------------------------------------------------------------------------------ DialogueCodec

DialogueCodec::DialogueCodec(Tokenizer tokenizer, CodecOptions options)
    : m_tokenizer(std::move(tokenizer)), m_options(std::move(options))
{
}

std::string DialogueCodec::contextText(const Dialogue& d) const
{
    if (!m_options.includeContext)
        return {};
    std::string out;
    auto line = [&](const std::string& k, const std::string& v) {
        if (v.empty())
            return;
        if (!out.empty())
            out += "\n";
        out += k + ": " + v;
    };
    if (m_options.includeTask)
        line("task", d.task);
    if (d.metadata.is_object())
        for (const auto& key : m_options.contextKeys) {
            const auto it = d.metadata.find(key);
            if (it != d.metadata.end())
                line(key, metadataText(*it));
        }
    return out;
}

EncodedDialogue DialogueCodec::encode(const Dialogue& d, std::optional<bool> finished) const
{
    const auto ctxText = contextText(d);
    const auto context = ctxText.empty() ? std::vector<int64_t>{} : withoutSpecial(m_tokenizer, m_tokenizer.encode(ctxText));
    std::vector<TokenTurn> turns;
    turns.reserve(d.turns.size());
    for (const auto& t : d.turns) {
        TokenTurn tt;
        tt.role = t.role;
        tt.tokens = withoutSpecial(m_tokenizer, m_tokenizer.encode(t.text));
        if (t.role == Role::Agent) {
            const float r = turnReward(t);
            if (r != 0.f)
                tt.reward = float(m_options.rewardScale) * r;
        }
        turns.push_back(std::move(tt));
    }
    const bool done = finished.value_or((d.flags & kFlagUnfinished) == 0);
    const float reward = float(m_options.rewardScale * (d.reward.value_or(0.0) + m_options.rewardShift));
    return encodeTurns(m_tokenizer.special(), context, turns, done, reward, m_options.maxTokens, m_options.truncate);
}

std::vector<int64_t> DialogueCodec::encodePrompt(const std::string& ctxText, const std::vector<Turn>& turnsIn) const
{
    const auto context = ctxText.empty() ? std::vector<int64_t>{} : withoutSpecial(m_tokenizer, m_tokenizer.encode(ctxText));
    std::vector<TokenTurn> turns;
    for (const auto& t : turnsIn)
        turns.push_back({t.role, withoutSpecial(m_tokenizer, m_tokenizer.encode(t.text)), std::nullopt});
    // Room is left for the reply: at most maxTokens - 1 prompt tokens.
    const int64_t limit = m_options.maxTokens > 0 ? std::max<int64_t>(4, m_options.maxTokens - 1) : 0;
    return encodeTurns(m_tokenizer.special(), context, turns, false, 0.f, limit, TruncateSide::Left).tokens;
}

std::vector<int64_t> DialogueCodec::encodePrompt(const Dialogue& d, size_t turnCount) const
{
    if (turnCount > d.turns.size())
        throw Error("dialogue codec: prompt of " + std::to_string(turnCount) + " turns, dialogue has "
                    + std::to_string(d.turns.size()));
    return encodePrompt(contextText(d), std::vector<Turn>(d.turns.begin(), d.turns.begin() + int64_t(turnCount)));
}

std::string DialogueCodec::decodeTurn(const std::vector<int64_t>& tokens) const
{
    const auto& sp = m_tokenizer.special();
    std::vector<int64_t> words;
    for (int64_t id : tokens) {
        if (id == sp.endOfAction || id == sp.endOfState || id == sp.endOfDialogue)
            break;
        words.push_back(id);
    }
    return m_tokenizer.decode(words);
}

} // namespace hw
