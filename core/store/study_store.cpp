#include "core/store/study_store.h"

#include "core/data/task.h"
#include "core/eval/episode_runner.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <algorithm>
#include <cctype>
#include <random>

namespace hw {
namespace {

// Fisher-Yates with the raw engine output: std::shuffle and the standard distributions differ
// between standard libraries, and a participant's order must not change with the build.
template <typename T>
void portableShuffle(std::vector<T>& v, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    for (size_t i = v.size(); i > 1; --i) {
        const size_t j = static_cast<size_t>(rng() % i);
        std::swap(v[i - 1], v[j]);
    }
}

uint64_t fnv1a(const std::string& s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::optional<int64_t> optInt(const std::optional<int>& v)
{
    return v ? std::optional<int64_t>(*v) : std::nullopt;
}

std::optional<int> toInt(const std::optional<int64_t>& v)
{
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

const char* kTrialColumns = "id, study_id, participant, position, agent_index, session_id, status, initial_intensity, "
                            "naturalness, relevance, comforting, outcome, reward, coalesce(finished_at, '')";

StudyTrial readTrial(const Statement& st)
{
    StudyTrial t;
    t.id = st.int64(0);
    t.studyId = st.int64(1);
    t.participant = st.text(2);
    t.position = static_cast<int>(st.int64(3));
    t.agentIndex = static_cast<int>(st.int64(4));
    t.sessionId = st.optInt64(5);
    t.status = st.text(6);
    t.initialIntensity = toInt(st.optInt64(7));
    t.rating.slot = 0;
    t.rating.naturalness = toInt(st.optInt64(8));
    t.rating.relevance = toInt(st.optInt64(9));
    t.rating.comforting = toInt(st.optInt64(10));
    t.rating.outcome = st.optReal(11);
    t.reward = st.optReal(12);
    t.finishedAt = st.text(13);
    return t;
}

} // namespace

std::string StudyInfo::agentName(int index) const
{
    if (index < 0 || index >= static_cast<int>(agents.size()))
        return {};
    return agents[static_cast<size_t>(index)].displayName();
}

bool studyAsksComforting(bool counseling) { return counseling; }

std::string participantIdProblem(const std::string& participant)
{
    if (participant.empty())
        return "a participant id must not be empty";
    if (std::all_of(participant.begin(), participant.end(), [](unsigned char c) { return std::isspace(c); }))
        return "a participant id must not be blank";
    if (std::isspace(static_cast<unsigned char>(participant.front()))
        || std::isspace(static_cast<unsigned char>(participant.back())))
        return "a participant id must not start or end with whitespace";
    if (participant.size() > 64)
        return "a participant id has at most 64 characters";
    return {};
}

std::vector<std::string> studyLabels(size_t agents, uint64_t seed)
{
    if (agents > 26)
        throw Error("a study compares at most 26 agents");
    std::vector<int> letters(agents);
    for (size_t i = 0; i < agents; ++i)
        letters[i] = static_cast<int>(i);
    portableShuffle(letters, seed ^ 0x5eed1abe15ull);
    std::vector<std::string> out;
    for (int l : letters)
        out.push_back(std::string("Agent ") + static_cast<char>('A' + l));
    return out;
}

std::vector<int> studySchedule(size_t agents, int trialsPerAgent, uint64_t seed, const std::string& participant)
{
    std::vector<int> order;
    for (size_t a = 0; a < agents; ++a)
        for (int k = 0; k < trialsPerAgent; ++k)
            order.push_back(static_cast<int>(a));
    portableShuffle(order, seed * 0x9e3779b97f4a7c15ull ^ fnv1a(participant));
    return order;
}

StudyStore::StudyStore(Database& db) : m_db(db) {}

int64_t StudyStore::createStudy(const StudySpec& spec)
{
    if (spec.name.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("a study needs a name");
    if (spec.agents.empty())
        throw Error("a study needs at least one agent");
    if (spec.trialsPerAgent < 1 || spec.trialsPerAgent > 100)
        throw Error("trials per agent must be between 1 and 100");
    if (spec.maxTurns < 0 || spec.maxTurns > 1000)
        throw Error("the turn cap must be between 1 and 1000 (0 = the task's default)");
    DialogueStore ds(m_db);
    std::optional<Task> task = ds.task(spec.task);
    if (!task)
        task = Task::builtinNamed(spec.task);
    if (!task)
        throw Error("no task named '" + spec.task + "'");
    const auto labels = studyLabels(spec.agents.size(), spec.seed);
    std::vector<ChatAgentSpec> agents = spec.agents;
    for (size_t i = 0; i < agents.size(); ++i)
        agents[i].slot = 0; // each trial's session has the one agent in slot 0
    Transaction tx(m_db);
    const int64_t taskId = ds.ensureTask(*task);
    Statement st(m_db, "INSERT INTO studies(task_id, name, agents, labels, trials_per_agent, max_turns, seed) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, taskId).bind(2, spec.name).bind(3, nlohmann::json(agents).dump()).bind(4, nlohmann::json(labels).dump());
    st.bind(5, spec.trialsPerAgent).bind(6, spec.maxTurns > 0 ? spec.maxTurns : defaultMaxTurns(*task));
    // SQLite integers are signed: the seed is stored as its two's-complement bit pattern.
    st.bind(7, static_cast<int64_t>(spec.seed));
    st.exec();
    const int64_t id = m_db.lastInsertId();
    tx.commit();
    return id;
}

std::optional<StudyInfo> StudyStore::study(int64_t id)
{
    Statement st(m_db, "SELECT s.id, s.task_id, t.name, t.kind, s.name, s.agents, s.labels, s.trials_per_agent, "
                       "s.max_turns, s.seed, s.created_at FROM studies s JOIN tasks t ON t.id = s.task_id "
                       "WHERE s.id = ?");
    st.bind(1, id);
    if (!st.step())
        return std::nullopt;
    StudyInfo s;
    s.id = st.int64(0);
    s.taskId = st.int64(1);
    s.task = st.text(2);
    s.counseling = st.text(3) == "counseling";
    s.name = st.text(4);
    try {
        s.agents = nlohmann::json::parse(st.text(5)).get<std::vector<ChatAgentSpec>>();
        s.labels = nlohmann::json::parse(st.text(6)).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
        throw Error("study " + std::to_string(id) + ": malformed agents or labels: " + e.what());
    }
    if (s.labels.size() != s.agents.size())
        throw Error("study " + std::to_string(id) + ": " + std::to_string(s.agents.size()) + " agents but "
                    + std::to_string(s.labels.size()) + " labels");
    s.trialsPerAgent = static_cast<int>(st.int64(7));
    s.maxTurns = static_cast<int>(st.int64(8));
    s.seed = static_cast<uint64_t>(st.int64(9));
    s.createdAt = st.text(10);
    return s;
}

std::vector<StudyInfo> StudyStore::studies()
{
    std::vector<int64_t> ids;
    {
        Statement st(m_db, "SELECT id FROM studies ORDER BY id DESC");
        while (st.step())
            ids.push_back(st.int64(0));
    }
    std::vector<StudyInfo> out;
    for (int64_t id : ids)
        if (auto s = study(id))
            out.push_back(std::move(*s));
    return out;
}

bool StudyStore::removeStudy(int64_t id)
{
    Statement st(m_db, "DELETE FROM studies WHERE id = ?");
    st.bind(1, id).exec();
    return m_db.changes() > 0;
}

void StudyStore::addParticipant(int64_t studyId, const std::string& participant)
{
    if (const auto problem = participantIdProblem(participant); !problem.empty())
        throw Error(problem);
    const auto s = study(studyId);
    if (!s)
        throw Error("no study " + std::to_string(studyId));
    {
        Statement st(m_db, "SELECT 1 FROM study_participants WHERE study_id = ? AND participant = ?");
        st.bind(1, studyId).bind(2, participant);
        if (st.step())
            throw Error("participant '" + participant + "' is already in study '" + s->name + "'");
    }
    const auto schedule = studySchedule(s->agents.size(), s->trialsPerAgent, s->seed, participant);
    Transaction tx(m_db);
    {
        Statement st(m_db, "INSERT INTO study_participants(study_id, participant) VALUES (?, ?)");
        st.bind(1, studyId).bind(2, participant).exec();
    }
    Statement ins(m_db, "INSERT INTO study_trials(study_id, participant, position, agent_index) VALUES (?, ?, ?, ?)");
    for (size_t i = 0; i < schedule.size(); ++i) {
        ins.reset();
        ins.bind(1, studyId).bind(2, participant).bind(3, static_cast<int64_t>(i)).bind(4, schedule[i]).exec();
    }
    tx.commit();
}

std::vector<ParticipantProgress> StudyStore::participants(int64_t studyId)
{
    // Trials are inserted with the participant: their smallest id is the order of adding.
    Statement st(m_db, "SELECT p.participant, count(t.id), coalesce(sum(t.status = 'done'), 0) "
                       "FROM study_participants p LEFT JOIN study_trials t "
                       "ON t.study_id = p.study_id AND t.participant = p.participant "
                       "WHERE p.study_id = ? GROUP BY p.participant ORDER BY min(t.id), p.participant");
    st.bind(1, studyId);
    std::vector<ParticipantProgress> out;
    while (st.step())
        out.push_back({st.text(0), static_cast<int>(st.int64(1)), static_cast<int>(st.int64(2))});
    return out;
}

std::vector<StudyTrial> StudyStore::trials(int64_t studyId, const std::string& participant)
{
    Statement st(m_db, std::string("SELECT ") + kTrialColumns + " FROM study_trials WHERE study_id = ? "
                           "AND (? = '' OR participant = ?) ORDER BY participant, position");
    st.bind(1, studyId).bind(2, participant).bind(3, participant);
    std::vector<StudyTrial> out;
    while (st.step())
        out.push_back(readTrial(st));
    return out;
}

std::optional<StudyTrial> StudyStore::trial(int64_t trialId)
{
    Statement st(m_db, std::string("SELECT ") + kTrialColumns + " FROM study_trials WHERE id = ?");
    st.bind(1, trialId);
    if (!st.step())
        return std::nullopt;
    return readTrial(st);
}

std::optional<StudyTrial> StudyStore::nextTrial(int64_t studyId, const std::string& participant)
{
    Statement st(m_db, std::string("SELECT ") + kTrialColumns + " FROM study_trials WHERE study_id = ? "
                           "AND participant = ? AND status <> 'done' ORDER BY CASE status WHEN 'running' THEN 0 "
                           "WHEN 'pending' THEN 1 ELSE 2 END, position LIMIT 1");
    st.bind(1, studyId).bind(2, participant);
    if (!st.step())
        return std::nullopt;
    return readTrial(st);
}

void StudyStore::startTrial(int64_t trialId, int64_t sessionId, std::optional<int> initialIntensity)
{
    const auto t = trial(trialId);
    if (!t)
        throw Error("no study trial " + std::to_string(trialId));
    if (t->status != trial_status::kPending && t->status != trial_status::kAbandoned)
        throw Error("trial " + std::to_string(trialId) + " is " + t->status + ", not pending");
    const auto s = study(t->studyId);
    if (s->counseling && !initialIntensity)
        throw Error("a counseling trial starts with the participant's initial emotional intensity (1-5)");
    if (initialIntensity && (*initialIntensity < 1 || *initialIntensity > 5))
        throw Error("the initial emotional intensity must be between 1 and 5");
    Statement st(m_db, "UPDATE study_trials SET status = 'running', session_id = ?, initial_intensity = ?, "
                       "naturalness = NULL, relevance = NULL, comforting = NULL, outcome = NULL, reward = NULL "
                       "WHERE id = ?");
    Transaction tx(m_db);
    st.bind(1, sessionId).bind(2, s->counseling ? optInt(initialIntensity) : std::nullopt).bind(3, trialId).exec();
    Statement link(m_db, "INSERT INTO study_trial_sessions(session_id, trial_id) VALUES (?, ?)");
    link.bind(1, sessionId).bind(2, trialId).exec();
    tx.commit();
}

void StudyStore::finishTrial(int64_t trialId, const ChatRating& r)
{
    const auto t = trial(trialId);
    if (!t)
        throw Error("no study trial " + std::to_string(trialId));
    if (t->status != trial_status::kRunning)
        throw Error("trial " + std::to_string(trialId) + " is " + t->status + ", not running");
    const auto s = study(t->studyId);
    auto need = [](const std::optional<int>& v, const char* what) {
        if (!v)
            throw Error(std::string("the ") + what + " rating is missing");
        if (*v < 1 || *v > 5)
            throw Error(std::string("the ") + what + " rating must be between 1 and 5");
    };
    need(r.naturalness, "naturalness");
    need(r.relevance, s->counseling ? "helpfulness" : "relevancy");
    if (studyAsksComforting(s->counseling))
        need(r.comforting, "comforting");
    if (!r.outcome)
        throw Error(s->counseling ? "the final emotional intensity is missing" : "the donation is missing");
    double reward = *r.outcome;
    if (s->counseling) {
        if (*r.outcome < 1 || *r.outcome > 5 || *r.outcome != static_cast<int>(*r.outcome))
            throw Error("the final emotional intensity must be a whole number between 1 and 5");
        if (!t->initialIntensity)
            throw Error("trial " + std::to_string(trialId) + " has no initial intensity");
        reward = *t->initialIntensity - *r.outcome;
    } else if (*r.outcome < 0 || *r.outcome > 2) {
        throw Error("the donation must be between $0 and $2");
    }
    Statement st(m_db, "UPDATE study_trials SET status = 'done', naturalness = ?, relevance = ?, comforting = ?, "
                       "outcome = ?, reward = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                       "WHERE id = ? AND status = 'running'");
    st.bind(1, optInt(r.naturalness)).bind(2, optInt(r.relevance));
    st.bind(3, studyAsksComforting(s->counseling) ? optInt(r.comforting) : std::nullopt);
    st.bind(4, r.outcome).bind(5, reward).bind(6, trialId).exec();
}

void StudyStore::abandonTrial(int64_t trialId)
{
    Statement st(m_db, "UPDATE study_trials SET status = 'abandoned' WHERE id = ? AND status = 'running'");
    st.bind(1, trialId).exec();
    if (m_db.changes() == 0)
        throw Error("trial " + std::to_string(trialId) + " is not running");
}

bool StudyStore::isStudySession(int64_t sessionId)
{
    Statement st(m_db, "SELECT 1 FROM study_trial_sessions WHERE session_id = ?");
    st.bind(1, sessionId);
    return st.step();
}

} // namespace hw
