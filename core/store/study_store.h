#pragma once
// Human studies (the papers' user-study protocol): a study compares agents on one task; each
// participant (an id per person) talks to every agent in separate trials, trialsPerAgent times
// each, in an order drawn from (study seed, participant id) and stored when the participant is
// added. Agents are shown under stable anonymous labels ("Agent A", ...) drawn from the study seed,
// so a label does not tell the order the researcher listed the agents in. A trial runs in a
// single-agent blind chat session (ChatStore), up to the study's turn cap; counseling asks the
// participant's emotional intensity before (1-5) and after; reward = donation, or the drop.
//
//   StudyStore store(db);
//   int64_t id = store.createStudy({"persuasion", "pilot", {a, b}}); // 3 trials per agent
//   store.addParticipant(id, "P01");                 // its 6 trials, in its own order
//   auto t = store.nextTrial(id, "P01");             // pending (or running, or abandoned) first
//   store.startTrial(t->id, sessionId, std::nullopt); // counseling: the initial intensity
//   store.finishTrial(t->id, rating);                 // Likert + outcome; reward computed
#include "core/chat/chat_agent_spec.h"
#include "core/store/chat_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hw {

class Database;
struct Task;

struct StudySpec {
    std::string task;                     // task name (must exist in the project, or be built in)
    std::string name;
    std::vector<ChatAgentSpec> agents;    // 1..26, in the order the researcher listed them
    int trialsPerAgent = 3;
    int maxTurns = 0;                     // 0 = the task's default (defaultMaxTurns: 10 / 15)
    uint64_t seed = 0;
};

struct StudyInfo {
    int64_t id = 0;
    int64_t taskId = 0;
    std::string task;
    bool counseling = false;              // the task's kind: initial and final intensity
    std::string name;
    std::vector<ChatAgentSpec> agents;    // listed order
    std::vector<std::string> labels;      // labels[i]: the anonymous label of agents[i]
    int trialsPerAgent = 3;
    int maxTurns = 10;
    uint64_t seed = 0;
    std::string createdAt;

    int trialsPerParticipant() const { return static_cast<int>(agents.size()) * trialsPerAgent; }
    // The real name of agents[i] (its spec's display name).
    std::string agentName(int index) const;
};

namespace trial_status {
inline constexpr const char* kPending = "pending";
inline constexpr const char* kRunning = "running";
inline constexpr const char* kDone = "done";
inline constexpr const char* kAbandoned = "abandoned";
} // namespace trial_status

struct StudyTrial {
    int64_t id = 0;
    int64_t studyId = 0;
    std::string participant;
    int position = 0;                     // 0-based place in the participant's schedule
    int agentIndex = 0;                   // into StudyInfo::agents
    std::optional<int64_t> sessionId;     // the chat session it ran in (the latest try)
    std::string status = trial_status::kPending;
    std::optional<int> initialIntensity;  // counseling
    ChatRating rating;                    // naturalness, relevance (helpfulness), comforting, outcome
    std::optional<double> reward;
    std::string finishedAt;
};

struct ParticipantProgress {
    std::string participant;
    int total = 0;
    int done = 0;
};

class StudyStore {
public:
    explicit StudyStore(Database& db);

    // Throws hw::Error for an unknown task, no agents, more than 26, or bad counts.
    int64_t createStudy(const StudySpec& spec);
    std::optional<StudyInfo> study(int64_t id);
    std::vector<StudyInfo> studies();     // newest first
    bool removeStudy(int64_t id);

    // Adds the participant and their whole schedule in one transaction. Throws hw::Error for an
    // empty or blank id, leading/trailing whitespace, or an id already in the study.
    void addParticipant(int64_t studyId, const std::string& participant);
    std::vector<ParticipantProgress> participants(int64_t studyId);   // in the order added

    std::vector<StudyTrial> trials(int64_t studyId, const std::string& participant = {});
    std::optional<StudyTrial> trial(int64_t trialId);
    // The trial to run next: a running one (to resume), else the first pending, else the first
    // abandoned (abandoned trials are offered again after the rest); nullopt when all are done.
    std::optional<StudyTrial> nextTrial(int64_t studyId, const std::string& participant);

    // pending|abandoned -> running, in the given chat session. Counseling studies need the
    // initial intensity (1-5). Throws hw::Error otherwise.
    void startTrial(int64_t trialId, int64_t sessionId, std::optional<int> initialIntensity);
    // running -> done with the ratings (each Likert the task asks for, 1-5) and the outcome
    // (donation 0-2, or final intensity 1-5); the reward is computed here. Throws hw::Error.
    void finishTrial(int64_t trialId, const ChatRating& rating);
    // running -> abandoned (its session is kept; the trial is offered again later).
    void abandonTrial(int64_t trialId);

    // Whether a chat session is a study trial's (the chat page lists only the others).
    bool isStudySession(int64_t sessionId);

private:
    Database& m_db;
};

// Which Likert scales a task's trials ask for: persuasion naturalness + relevancy; counseling
// naturalness + comforting + helpfulness (ChatRating::relevance).
bool studyAsksComforting(bool counseling);

// The participant id rules (non-empty, not blank, no leading/trailing whitespace, at most 64
// characters); "" when valid, else why not.
std::string participantIdProblem(const std::string& participant);

// The anonymous labels of n agents: a seeded permutation of "Agent A".."Agent Z".
std::vector<std::string> studyLabels(size_t agents, uint64_t seed);
// A participant's schedule: agent indices, each of 0..agents-1 exactly trialsPerAgent times, in
// an order drawn from (seed, participant). Portable: the same on every platform and build.
std::vector<int> studySchedule(size_t agents, int trialsPerAgent, uint64_t seed, const std::string& participant);

} // namespace hw
