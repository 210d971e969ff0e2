#include "core/store/eval_store.h"

#include "core/store/database.h"
#include "core/store/original_dialogue.h"

namespace hw {

void EvalStore::record(const EvalEpisodeRecord& e)
{
    Statement st(m_db,
                 "INSERT OR REPLACE INTO eval_episodes(job_id, agent_index, episode, agent_name, agent_spec, persona, "
                 "seed, dialogue_id, status, reward, outcome, decision_raw, faults, error, simulator, n_turns) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, e.jobId).bind(2, e.agentIndex).bind(3, e.episode).bind(4, e.agentName).bind(5, e.agentSpec);
    st.bind(6, e.persona).bind(7, static_cast<int64_t>(e.seed)).bind(8, e.dialogueId).bind(9, e.status);
    st.bind(10, e.reward).bind(11, e.outcome).bind(12, e.decisionRaw).bind(13, e.faults.dump());
    st.bind(14, e.error).bind(15, e.simulator.dump()).bind(16, e.turns);
    st.exec();
}

std::vector<EvalEpisodeRecord> EvalStore::episodes(int64_t jobId)
{
    Statement st(m_db,
                 "SELECT job_id, agent_index, episode, agent_name, agent_spec, persona, seed, dialogue_id, status, "
                 "reward, outcome, decision_raw, faults, error, simulator, n_turns FROM eval_episodes "
                 "WHERE job_id = ? ORDER BY agent_index, episode");
    st.bind(1, jobId);
    std::vector<EvalEpisodeRecord> out;
    while (st.step()) {
        EvalEpisodeRecord e;
        e.jobId = st.int64(0);
        e.agentIndex = static_cast<int>(st.int64(1));
        e.episode = static_cast<int>(st.int64(2));
        e.agentName = st.text(3);
        e.agentSpec = st.text(4);
        e.persona = st.text(5);
        e.seed = static_cast<uint64_t>(st.int64(6));
        e.dialogueId = st.optInt64(7);
        e.status = st.text(8);
        e.reward = st.optReal(9);
        e.outcome = st.optReal(10);
        e.decisionRaw = st.text(11);
        e.faults = nlohmann::json::parse(st.text(12), nullptr, false);
        e.error = st.text(13);
        e.simulator = nlohmann::json::parse(st.text(14), nullptr, false);
        e.turns = static_cast<int>(st.int64(15));
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<std::pair<int64_t, std::string>> EvalStore::runs()
{
    Statement st(m_db, "SELECT id, name FROM jobs WHERE kind = 'evaluate' ORDER BY id DESC");
    std::vector<std::pair<int64_t, std::string>> out;
    while (st.step())
        out.emplace_back(st.int64(0), st.text(1));
    return out;
}

std::vector<std::pair<std::string, nlohmann::json>> EvalStore::esconvMetadata(const std::string& task, int limit)
{
    Statement st(m_db,
                 "SELECT d.uid, d.metadata FROM dialogues d JOIN tasks t ON t.id = d.task_id "
                 "WHERE t.name = ? AND d.source = 'esconv' ORDER BY d.id LIMIT ?");
    st.bind(1, task).bind(2, static_cast<int64_t>(limit));
    std::vector<std::pair<std::string, nlohmann::json>> out;
    while (st.step())
        out.emplace_back(st.text(0), nlohmann::json::parse(st.text(1), nullptr, false));
    return out;
}

std::vector<int64_t> EvalStore::fidelityDialogueIds(const std::string& task, int limit)
{
    Statement st(m_db,
                 "SELECT d.id FROM dialogues d JOIN tasks t ON t.id = d.task_id WHERE t.name = ? AND d.reward IS NOT NULL "
                 "AND d.n_turns > 0 AND " + originalDialogueSql("d") + " "
                 "ORDER BY CASE d.split WHEN 'test' THEN 0 WHEN 'valid' THEN 1 ELSE 2 END, d.id LIMIT ?");
    st.bind(1, task).bind(2, static_cast<int64_t>(limit));
    std::vector<int64_t> out;
    while (st.step())
        out.push_back(st.int64(0));
    return out;
}

} // namespace hw
