#include "core/store/dialogue_query.h"

#include "core/store/database.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <unordered_map>

namespace hw {

bool DialogueFilter::operator==(const DialogueFilter& o) const
{
    return task == o.task && source == o.source && rewardMin == o.rewardMin
        && rewardMax == o.rewardMax && labeled == o.labeled && flagsAny == o.flagsAny
        && search == o.search;
}

namespace {

constexpr const char* kRowColumns =
    "d.id, d.uid, t.name, d.source, d.n_turns, d.n_agent_turns, d.reward, d.reward_source, d.flags";

DialogueRow readRow(const Statement& st)
{
    DialogueRow r;
    r.id = st.int64(0);
    r.uid = st.text(1);
    r.task = st.text(2);
    r.source = st.text(3);
    r.turns = static_cast<int>(st.int64(4));
    r.agentTurns = static_cast<int>(st.int64(5));
    r.reward = st.optReal(6);
    r.rewardSource = st.text(7);
    r.flags = static_cast<uint32_t>(st.int64(8));
    return r;
}

const char* sortExpression(DialogueSortKey key)
{
    switch (key) {
    case DialogueSortKey::Id: return "d.id";
    case DialogueSortKey::Uid: return "d.uid";
    case DialogueSortKey::Task: return "d.task_id"; // page() ranks ids by task name
    case DialogueSortKey::Turns: return "d.n_turns";
    case DialogueSortKey::Reward: return "d.reward";
    case DialogueSortKey::RewardSource: return "d.reward_source";
    case DialogueSortKey::Source: return "d.source";
    case DialogueSortKey::Flags: return "d.flags";
    }
    return "d.id";
}

// unicode61 splits on everything but letters and digits; a word made only of separators would
// become an empty FTS5 string, so it is dropped instead.
bool searchable(const std::string& word)
{
    return std::any_of(word.begin(), word.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x80 || std::isalnum(u);
    });
}

void appendTerm(std::string& out, std::string term, bool prefix)
{
    if (!searchable(term))
        return;
    if (!out.empty())
        out += ' ';
    out += '"';
    for (char c : term) {
        if (c == '"')
            out += '"'; // FTS5 escapes a quote inside a string by doubling it
        out += c;
    }
    out += '"';
    if (prefix)
        out += '*';
}

} // namespace

DialogueQuery::DialogueQuery(Database& db, DialogueFilter filter, DialogueSort sort)
    : m_db(db), m_filter(std::move(filter)), m_sort(sort)
{
}

std::string DialogueQuery::ftsQuery(const std::string& userText)
{
    std::string out;
    size_t i = 0;
    const size_t n = userText.size();
    while (i < n) {
        const auto c = static_cast<unsigned char>(userText[i]);
        if (std::isspace(c)) {
            ++i;
            continue;
        }
        if (c == '"') { // a phrase runs to the closing quote, or to the end when unbalanced
            const size_t close = userText.find('"', i + 1);
            const size_t end = close == std::string::npos ? n : close;
            std::string phrase = userText.substr(i + 1, end - i - 1);
            i = close == std::string::npos ? n : close + 1;
            const bool prefix = i < n && userText[i] == '*';
            if (prefix)
                ++i;
            appendTerm(out, std::move(phrase), prefix);
            continue;
        }
        size_t end = i;
        while (end < n && !std::isspace(static_cast<unsigned char>(userText[end])) && userText[end] != '"')
            ++end;
        std::string word = userText.substr(i, end - i);
        i = end;
        bool prefix = false;
        while (!word.empty() && word.back() == '*') {
            word.pop_back();
            prefix = true;
        }
        appendTerm(out, std::move(word), prefix);
    }
    return out;
}

std::string DialogueQuery::whereSql() const
{
    std::string w = " WHERE 1";
    if (!m_filter.task.empty())
        w += " AND d.task_id = (SELECT id FROM tasks WHERE name = ?)";
    if (!m_filter.source.empty())
        w += " AND d.source = ?";
    if (m_filter.rewardMin)
        w += " AND d.reward >= ?";
    if (m_filter.rewardMax)
        w += " AND d.reward <= ?";
    if (m_filter.labeled == DialogueFilter::Labeled::Labeled)
        w += " AND d.reward IS NOT NULL";
    else if (m_filter.labeled == DialogueFilter::Labeled::Unlabeled)
        w += " AND d.reward IS NULL";
    if (m_filter.flagsAny != 0)
        w += " AND (d.flags & ?) != 0";
    if (!ftsQuery(m_filter.search).empty())
        w += " AND d.id IN (SELECT rowid FROM dialogue_fts WHERE dialogue_fts MATCH ?)";
    return w;
}

int DialogueQuery::bindParams(Statement& st) const
{
    int i = 1;
    if (!m_filter.task.empty())
        st.bind(i++, m_filter.task);
    if (!m_filter.source.empty())
        st.bind(i++, m_filter.source);
    if (m_filter.rewardMin)
        st.bind(i++, *m_filter.rewardMin);
    if (m_filter.rewardMax)
        st.bind(i++, *m_filter.rewardMax);
    if (m_filter.flagsAny != 0)
        st.bind(i++, static_cast<int64_t>(m_filter.flagsAny));
    const std::string fts = ftsQuery(m_filter.search);
    if (!fts.empty())
        st.bind(i++, fts);
    return i;
}

int64_t DialogueQuery::count() const
{
    Statement st(m_db, "SELECT count(*) FROM dialogues d" + whereSql());
    bindParams(st);
    return st.step() ? st.int64(0) : 0;
}

std::vector<DialogueRow> DialogueQuery::page(int64_t offset, int64_t limit,
                                             std::optional<int64_t> knownCount) const
{
    // A page in the far half is read from the other end (reversed order, small offset): SQLite
    // then keeps a top-N heap instead of sorting every row to skip most of them.
    bool reversed = false;
    if (knownCount && offset > *knownCount / 2) {
        limit = std::min(limit, *knownCount - offset);
        offset = *knownCount - offset - limit;
        reversed = true;
    }
    if (limit <= 0 || offset < 0)
        return {};
    // Two steps: sort only (key, id) pairs to find the page's ids, then read those rows. Sorting
    // 100k narrow pairs is several times cheaper than sorting 100k full rows, and the first step
    // can run on the covering index dialogues_task_reward for reward orders.
    const bool descending = m_sort.descending != reversed;
    const char* dir = descending ? " DESC" : " ASC";
    std::string key;
    if (m_sort.key == DialogueSortKey::Task) {
        // Order by name without joining tasks into the sort: rank the (few) task ids by name.
        key = "CASE d.task_id";
        Statement tasks(m_db, "SELECT id FROM tasks ORDER BY name");
        for (int rank = 0; tasks.step(); ++rank)
            key += " WHEN " + std::to_string(tasks.int64(0)) + " THEN " + std::to_string(rank);
        key += " END";
    } else {
        key = sortExpression(m_sort.key);
    }
    std::string order = " ORDER BY " + key + dir;
    if (m_sort.key == DialogueSortKey::Reward) // unlabeled rows stay at the end either way
        order += reversed ? " NULLS FIRST" : " NULLS LAST";
    if (m_sort.key != DialogueSortKey::Id)
        order += std::string(", d.id") + dir;

    std::vector<int64_t> ids;
    {
        Statement st(m_db, "SELECT d.id FROM dialogues d" + whereSql() + order + " LIMIT ? OFFSET ?");
        const int next = bindParams(st);
        st.bind(next, limit).bind(next + 1, offset);
        while (st.step())
            ids.push_back(st.int64(0));
    }
    if (reversed)
        std::reverse(ids.begin(), ids.end());
    if (ids.empty())
        return {};
    std::string idList = "[";
    for (size_t i = 0; i < ids.size(); ++i)
        idList += (i ? "," : "") + std::to_string(ids[i]);
    idList += "]";
    Statement st(m_db, std::string("SELECT ") + kRowColumns
                           + " FROM dialogues d JOIN tasks t ON t.id = d.task_id"
                             " WHERE d.id IN (SELECT value FROM json_each(?))");
    st.bind(1, idList);
    std::unordered_map<int64_t, DialogueRow> byId;
    byId.reserve(ids.size());
    while (st.step()) {
        DialogueRow r = readRow(st);
        byId.emplace(r.id, std::move(r));
    }
    std::vector<DialogueRow> rows;
    rows.reserve(ids.size());
    for (int64_t id : ids)
        if (auto it = byId.find(id); it != byId.end())
            rows.push_back(std::move(it->second));
    return rows;
}

std::optional<DialogueRow> DialogueQuery::row(int64_t id) const
{
    Statement st(m_db, std::string("SELECT ") + kRowColumns
                           + " FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE d.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    return readRow(st);
}

std::vector<std::string> DialogueQuery::sources(Database& db)
{
    std::vector<std::string> out;
    Statement st(db, "SELECT DISTINCT source FROM dialogues ORDER BY source");
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

std::vector<TaskSummary> summarizeTasks(Database& db)
{
    std::vector<TaskSummary> out;
    {
        Statement st(db, R"SQL(
            SELECT t.name, count(d.id), count(d.reward), count(d.id) - count(d.reward),
                   coalesce(sum(d.flags != 0), 0), coalesce(sum(d.n_turns), 0),
                   avg(d.reward), min(d.reward), max(d.reward)
            FROM tasks t LEFT JOIN dialogues d ON d.task_id = t.id
            GROUP BY t.id ORDER BY t.name)SQL");
        while (st.step()) {
            TaskSummary s;
            s.task = st.text(0);
            s.dialogues = st.int64(1);
            s.labeled = st.int64(2);
            s.unlabeled = st.int64(3);
            s.flagged = st.int64(4);
            s.turns = st.int64(5);
            s.rewardMean = st.optReal(6);
            s.rewardMinSeen = st.optReal(7);
            s.rewardMaxSeen = st.optReal(8);
            out.push_back(std::move(s));
        }
    }
    auto find = [&](const std::string& task) -> TaskSummary* {
        for (auto& s : out)
            if (s.task == task)
                return &s;
        return nullptr;
    };
    Statement bySource(db, "SELECT t.name, d.source, count(*) FROM dialogues d JOIN tasks t ON "
                           "t.id = d.task_id GROUP BY d.task_id, d.source");
    while (bySource.step())
        if (auto* s = find(bySource.text(0)))
            s->bySource[bySource.text(1)] = bySource.int64(2);
    Statement byLabel(db, "SELECT t.name, d.reward_source, count(*) FROM dialogues d JOIN tasks t "
                          "ON t.id = d.task_id WHERE d.reward IS NOT NULL "
                          "GROUP BY d.task_id, d.reward_source");
    while (byLabel.step())
        if (auto* s = find(byLabel.text(0)))
            s->byRewardSource[byLabel.text(1)] = byLabel.int64(2);
    return out;
}

namespace {
// Of a group of dialogues, how many are hindsight regenerations (source kind "regeneration").
constexpr const char* kRegenerationCount = "coalesce(sum(source = 'regeneration'), 0)";
} // namespace

std::vector<HistogramBin> rewardHistogram(Database& db, const std::string& task, double rangeMin,
                                          double rangeMax, int bins)
{
    constexpr const char* kTaskWhere =
        " FROM dialogues WHERE task_id = (SELECT id FROM tasks WHERE name = ?) AND reward IS NOT NULL";
    Statement stats(db, std::string("SELECT count(*), min(reward), max(reward), "
                                    "coalesce(sum(reward != round(reward)), 0)")
                            + kTaskWhere);
    stats.bind(1, task);
    stats.step();
    const int64_t n = stats.int64(0);
    double lo = rangeMin, hi = rangeMax;
    if (n > 0) {
        lo = std::min(lo, stats.real(1));
        hi = std::max(hi, stats.real(2));
    }
    if (!(hi > lo))
        hi = lo + 1.0;
    const bool integral = n > 0 && stats.int64(3) == 0 && std::floor(lo) == lo && std::floor(hi) == hi
        && hi - lo <= 24.0;

    std::vector<HistogramBin> out;
    if (integral) {
        for (double v = lo; v <= hi; v += 1.0)
            out.push_back({v - 0.5, v + 0.5, 0});
        Statement st(db, std::string("SELECT CAST(round(reward) AS INTEGER), count(*), ") + kRegenerationCount
                             + kTaskWhere + " GROUP BY 1");
        st.bind(1, task);
        while (st.step()) {
            const auto i = static_cast<size_t>(std::clamp<int64_t>(
                st.int64(0) - static_cast<int64_t>(lo), 0, static_cast<int64_t>(out.size()) - 1));
            out[i].count += st.int64(1);
            out[i].regenerations += st.int64(2);
        }
        return out;
    }
    bins = std::max(1, bins);
    const double width = (hi - lo) / bins;
    for (int b = 0; b < bins; ++b)
        out.push_back({lo + b * width, b + 1 == bins ? hi : lo + (b + 1) * width, 0});
    Statement st(db, std::string("SELECT max(0, min(?, CAST((reward - ?) / ? AS INTEGER))), count(*), ")
                         + kRegenerationCount + " FROM dialogues WHERE task_id = (SELECT id FROM tasks WHERE name = ?)"
                           " AND reward IS NOT NULL GROUP BY 1");
    st.bind(1, static_cast<int64_t>(bins - 1)).bind(2, lo).bind(3, width).bind(4, task);
    while (st.step()) {
        out[static_cast<size_t>(st.int64(0))].count += st.int64(1);
        out[static_cast<size_t>(st.int64(0))].regenerations += st.int64(2);
    }
    return out;
}

} // namespace hw
