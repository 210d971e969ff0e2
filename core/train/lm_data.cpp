#include "core/train/lm_data.h"

#include "core/eval/simulated_source.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace hw {
namespace {

uint64_t fnv1a(const std::string& s, uint64_t seed)
{
    uint64_t h = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    // Final avalanche so that nearby seeds give unrelated splits.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

} // namespace

std::string toString(LmRole role)
{
    switch (role) {
    case LmRole::Forward: return "forward";
    case LmRole::ForwardHard: return "forward-hard";
    case LmRole::PolicySft: return "policy-sft";
    case LmRole::Reward: return "reward";
    }
    return "forward";
}

LmRole lmRoleFromString(const std::string& s)
{
    for (auto r : {LmRole::Forward, LmRole::ForwardHard, LmRole::PolicySft, LmRole::Reward})
        if (toString(r) == s)
            return r;
    throw Error("unknown role '" + s + "' (forward, forward-hard, policy-sft, reward)");
}

std::string runKind(LmRole role) { return "lm-" + toString(role); }

LossTokens defaultLossTokens(LmRole role)
{
    return role == LmRole::PolicySft ? LossTokens::Agent : LossTokens::AllButContext;
}

LossTokens lossTokensFromString(const std::string& s)
{
    if (s == "agent")
        return LossTokens::Agent;
    if (s == "user")
        return LossTokens::User;
    if (s == "all_but_context")
        return LossTokens::AllButContext;
    if (s == "all")
        return LossTokens::All;
    throw Error("unknown loss tokens '" + s + "' (agent, user, all_but_context, all)");
}

RewardSlice defaultSlice(LmRole role)
{
    switch (role) {
    case LmRole::ForwardHard: return RewardSlice::BottomQuartile;
    case LmRole::PolicySft: return RewardSlice::TopQuartile;
    default: return RewardSlice::All;
    }
}

std::vector<Dialogue> loadOriginalDialogues(Database& db, const std::string& task, bool labeledOnly)
{
    DialogueStore store(db);
    if (!store.taskId(task))
        throw Error(db.path() + ": no task named '" + task + "'");
    std::vector<Dialogue> out;
    store.forEach(task, [&](const Dialogue& d) {
        if (d.source == source::kRegeneration || d.source == source::kImagined || d.source == source::kSimulated)
            return true;
        if (labeledOnly && !d.reward)
            return true;
        out.push_back(d);
        return true;
    });
    return out;
}

std::vector<Dialogue> loadTrainingSetDialogues(Database& db, const std::string& setName)
{
    Statement st(db, "SELECT i.dialogue_id FROM training_set_items i JOIN training_sets s ON s.id = i.set_id "
                     "WHERE s.name = ? ORDER BY i.dialogue_id");
    st.bind(1, setName);
    std::vector<int64_t> ids;
    while (st.step())
        ids.push_back(st.int64(0));
    if (ids.empty()) {
        Statement exists(db, "SELECT count(*) FROM training_sets WHERE name = ?");
        exists.bind(1, setName);
        exists.step();
        if (exists.int64(0) == 0)
            throw Error(db.path() + ": no training set named '" + setName + "'");
        throw Error(db.path() + ": training set '" + setName + "' is empty");
    }
    DialogueStore store(db);
    std::vector<Dialogue> out;
    for (int64_t id : ids)
        if (auto d = store.get(id))
            out.push_back(std::move(*d));
    return out;
}

std::vector<Dialogue> selectByReward(std::vector<Dialogue> dialogues, RewardSlice slice)
{
    dialogues.erase(std::remove_if(dialogues.begin(), dialogues.end(), [](const Dialogue& d) { return !d.reward; }),
                    dialogues.end());
    if (slice == RewardSlice::All)
        return dialogues;
    std::vector<std::pair<std::pair<double, uint64_t>, size_t>> keyed;
    for (size_t i = 0; i < dialogues.size(); ++i) {
        const double r = *dialogues[i].reward;
        keyed.push_back({{slice == RewardSlice::TopQuartile ? -r : r, fnv1a(dialogues[i].uid, 7)}, i});
    }
    std::sort(keyed.begin(), keyed.end());
    const size_t n = (dialogues.size() + 3) / 4;
    std::vector<size_t> pick;
    for (size_t i = 0; i < n && i < keyed.size(); ++i)
        pick.push_back(keyed[i].second);
    std::sort(pick.begin(), pick.end()); // back to id order
    std::vector<Dialogue> out;
    for (size_t i : pick)
        out.push_back(std::move(dialogues[i]));
    return out;
}

bool isHeldOut(const std::string& uid, double fraction, uint64_t seed)
{
    if (fraction <= 0)
        return false;
    const double u = static_cast<double>(fnv1a(uid, seed) >> 11) / static_cast<double>(1ull << 53);
    return u < fraction;
}

DialogueSplit splitDialogues(std::vector<Dialogue> dialogues, double fraction, uint64_t seed)
{
    DialogueSplit s;
    for (auto& d : dialogues)
        (isHeldOut(d.uid, fraction, seed) ? s.valid : s.train).push_back(std::move(d));
    // Too few dialogues for the hash to hold any out: take the last one, so eval still runs.
    if (fraction > 0 && s.valid.empty() && s.train.size() >= 4) {
        s.valid.push_back(std::move(s.train.back()));
        s.train.pop_back();
    }
    return s;
}

std::vector<EncodedDialogue> encodeWindows(const DialogueCodec& baseCodec, const Dialogue& dialogue, int64_t maxSeqLen)
{
    CodecOptions opts = baseCodec.options();
    opts.maxTokens = maxSeqLen;
    opts.truncate = TruncateSide::Left;
    const DialogueCodec codec(baseCodec.tokenizer(), opts);

    std::vector<EncodedDialogue> windows;
    Dialogue rest = dialogue;
    std::optional<bool> finished; // the whole dialogue: as flagged; prefixes: unfinished
    while (!rest.turns.empty()) {
        EncodedDialogue e = codec.encode(rest, finished);
        const auto dropped = static_cast<size_t>(e.droppedTurns);
        windows.push_back(std::move(e));
        if (dropped == 0)
            break;
        rest.turns.resize(std::min(dropped, rest.turns.size() - 1));
        finished = false;
    }
    std::reverse(windows.begin(), windows.end()); // dialogue order
    return windows;
}

std::string dataFingerprint(const std::vector<Dialogue>& dialogues)
{
    uint64_t h = 1469598103934665603ull;
    for (const auto& d : dialogues)
        h = fnv1a(std::to_string(d.id) + "/" + d.uid + "/" + std::to_string(d.turns.size()), h);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%zu:%016llx", dialogues.size(), static_cast<unsigned long long>(h));
    return buf;
}

std::vector<std::string> tokenizerCorpus(const std::vector<Dialogue>& dialogues, const DialogueCodec* codec)
{
    std::vector<std::string> texts;
    for (const auto& d : dialogues) {
        if (codec) {
            const auto ctx = codec->contextText(d);
            if (!ctx.empty())
                texts.push_back(ctx);
        } else {
            texts.push_back("task: " + d.task);
        }
        for (const auto& t : d.turns)
            if (!t.text.empty())
                texts.push_back(t.text);
    }
    return texts;
}

} // namespace hw
