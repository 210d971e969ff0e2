#include "core/offline/retrieval_controller.h"

#include "core/store/database.h"
#include "core/train/lm_data.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace hw {

struct RetrievalController::Index {
    Database db = Database::openInMemory();
};

namespace {

std::string normalized(const std::string& s)
{
    std::string out;
    for (unsigned char c : s)
        if (std::isalnum(c))
            out += static_cast<char>(std::tolower(c));
    return out;
}

std::string contextOf(const Dialogue& d, size_t turn, int contextTurns)
{
    std::string ctx;
    const size_t from = turn > static_cast<size_t>(contextTurns) ? turn - static_cast<size_t>(contextTurns) : 0;
    for (size_t i = from; i < turn; ++i)
        ctx += (ctx.empty() ? "" : "\n") + d.turns[i].text;
    return ctx;
}

} // namespace

std::string RetrievalController::orQuery(const std::string& text, int maxTerms)
{
    std::vector<std::string> terms;
    std::set<std::string> seen;
    std::string word;
    auto flush = [&] {
        if (word.size() >= 2 && seen.insert(word).second && static_cast<int>(terms.size()) < maxTerms)
            terms.push_back(word);
        word.clear();
    };
    for (unsigned char c : text) {
        if (std::isalnum(c) || c >= 0x80)
            word += static_cast<char>(c < 0x80 ? std::tolower(c) : c);
        else
            flush();
    }
    flush();
    std::string q;
    for (const auto& t : terms)
        q += (q.empty() ? "\"" : " OR \"") + t + "\"";
    return q;
}

RetrievalController::RetrievalController(Database& project, RetrievalOptions options)
    : m_options(std::move(options)), m_index(std::make_unique<Index>())
{
    if (m_options.task.empty())
        throw Error("retrieval controller: no task given");
    auto labeled = loadOriginalDialogues(project, m_options.task, /*labeledOnly=*/true);
    if (labeled.empty())
        throw Error(project.path() + ": task '" + m_options.task
                    + "' has no dialogues with rewards: nothing to retrieve from");
    // The same top 25% as the policy-sft role: exactly ceil(n/4) by reward, ties by uid hash.
    const auto top = selectByReward(std::move(labeled), RewardSlice::TopQuartile);
    auto& db = m_index->db;
    db.exec("CREATE VIRTUAL TABLE ctx USING fts5(context, utterance UNINDEXED, dialogue_id UNINDEXED, "
            "uid UNINDEXED, turn_idx UNINDEXED, reward UNINDEXED, tokenize = 'porter unicode61')");
    Transaction tx(db);
    Statement ins(db, "INSERT INTO ctx(context, utterance, dialogue_id, uid, turn_idx, reward) VALUES (?,?,?,?,?,?)");
    m_minReward = top.empty() ? 0.0 : *top.front().reward;
    for (const auto& d : top) {
        m_minReward = std::min(m_minReward, *d.reward);
        bool any = false;
        for (size_t i = 1; i < d.turns.size(); ++i) {
            if (d.turns[i].role != Role::Agent || d.turns[i].text.empty())
                continue;
            ins.reset();
            ins.bind(1, contextOf(d, i, m_options.contextTurns)).bind(2, d.turns[i].text).bind(3, d.id);
            ins.bind(4, d.uid).bind(5, int64_t(d.turns[i].index)).bind(6, *d.reward);
            ins.exec();
            ++m_turns;
            any = true;
        }
        m_dialogues += any;
    }
    tx.commit();
}

RetrievalController::~RetrievalController() = default;

std::vector<RetrievalMatch> RetrievalController::matches(const Dialogue& dialogue)
{
    std::vector<RetrievalMatch> out;
    std::lock_guard<std::mutex> lock(m_mutex);
    Statement q(m_index->db,
                "SELECT utterance, dialogue_id, uid, turn_idx, reward, bm25(ctx) AS score FROM ctx "
                "WHERE ctx MATCH ? AND dialogue_id != ? AND uid != ? ORDER BY score LIMIT ?");
    std::set<std::string> proposed;
    for (size_t i = 1; i < dialogue.turns.size(); ++i) {
        const auto& turn = dialogue.turns[i];
        if (turn.role != Role::Agent)
            continue;
        const std::string query = orQuery(contextOf(dialogue, i, m_options.contextTurns), m_options.maxQueryTerms);
        if (query.empty())
            continue;
        q.reset();
        q.bind(1, query).bind(2, dialogue.id).bind(3, dialogue.uid).bind(4, int64_t(m_options.candidatesPerTurn));
        const std::string original = normalized(turn.text);
        while (q.step()) {
            const std::string utterance = q.text(0);
            const std::string key = normalized(utterance);
            if (key.empty() || key == original)
                continue; // proposing what the agent already said is no suggestion
            RetrievalMatch m;
            m.turnIndex = turn.index;
            m.utterance = utterance;
            m.sourceDialogueId = q.int64(1);
            m.sourceUid = q.text(2);
            m.sourceTurnIndex = static_cast<int>(q.int64(3));
            m.sourceReward = q.real(4);
            m.bm25 = q.real(5);
            out.push_back(std::move(m));
            break;
        }
        q.reset();
    }
    std::stable_sort(out.begin(), out.end(), [](const RetrievalMatch& a, const RetrievalMatch& b) { return a.bm25 < b.bm25; });
    // One suggestion per distinct utterance (the strongest match keeps it).
    std::vector<RetrievalMatch> unique;
    for (auto& m : out)
        if (proposed.insert(normalized(m.utterance)).second)
            unique.push_back(std::move(m));
    return unique;
}

ControllerResult RetrievalController::suggest(const Task& task, const Dialogue& dialogue, int count,
                                              const StageContext& ctx)
{
    if (ctx.stop.stopRequested())
        throw Cancelled();
    if (task.name != m_options.task)
        throw StageError("retrieval index was built for task '" + m_options.task + "', not '" + task.name + "'",
                         /*fatal=*/true);
    ControllerResult r;
    auto found = matches(dialogue);
    if (static_cast<int>(found.size()) > count)
        found.resize(static_cast<size_t>(std::max(0, count)));
    nlohmann::json items = nlohmann::json::array();
    int rank = 0;
    for (const auto& m : found) {
        SuggestionDraft s;
        s.rank = ++rank;
        s.turnIndex = m.turnIndex;
        for (const auto& t : dialogue.turns)
            if (t.index == m.turnIndex)
                s.originalText = t.text;
        char crit[200];
        std::snprintf(crit, sizeof crit,
                      "In a similar situation, an agent of a top-quartile dialogue (%s, reward %.2f) said this instead.",
                      m.sourceUid.c_str(), m.sourceReward);
        s.critique = crit;
        s.proposedText = m.utterance;
        r.suggestions.push_back(std::move(s));
        items.push_back({{"rank", rank},
                         {"turn_idx", m.turnIndex},
                         {"source_dialogue_id", m.sourceDialogueId},
                         {"source_uid", m.sourceUid},
                         {"source_turn_idx", m.sourceTurnIndex},
                         {"source_reward", m.sourceReward},
                         {"bm25", m.bm25}});
        r.raw += std::to_string(rank) + ". \"" + s.originalText + "\";" + s.critique + ";\"" + s.proposedText + "\"/\n";
    }
    r.provenance = {{"kind", "retrieval"},
                    {"index",
                     {{"task", m_options.task},
                      {"selection", "top 25% by reward"},
                      {"min_reward", m_minReward},
                      {"dialogues", m_dialogues},
                      {"turns", m_turns},
                      {"context_turns", m_options.contextTurns}}},
                    {"items", items}};
    r.ok = !r.suggestions.empty();
    if (!r.ok)
        r.error = "no similar context among the top-quartile dialogues";
    return r;
}

} // namespace hw
