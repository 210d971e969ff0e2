#pragma once
// A small project for the curation screens' tests and screenshots: counseling dialogues with
// hindsight suggestions in every status (one failed with its raw reply), an original with
// regenerated branches at two divergence turns (one branch regenerated again), and pipeline jobs
// with progress, a failed item and its LLM exchange. Header-only, Qt-free.
#include "core/data/dialogue.h"
#include "core/data/task.h"
#include "core/llm/call_cache.h"
#include "core/store/job_store.h"
#include "core/store/regeneration_store.h"
#include "core/store/suggestion_store.h"
#include "core/store/database.h"
#include "core/store/dialogue_store.h"

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hwtest {

struct CurationDemo {
    std::vector<int64_t> dialogues;        // originals, in id order
    std::vector<int64_t> suggestions;      // every suggestion, in insertion order
    int64_t failedSuggestion = 0;
    int64_t original = 0;                  // the original with branches
    std::vector<int64_t> branches;         // its direct branches
    int64_t nestedBranch = 0;              // a branch of branches[0]
    int64_t relabelJob = 0;
    int64_t regenerateJob = 0;
    int64_t labelJob = 0;
};

inline hw::Dialogue makeCurationDialogue(const std::string& uid, const std::vector<std::pair<hw::Role, std::string>>& turns,
                                 std::optional<double> reward)
{
    hw::Dialogue d;
    d.uid = uid;
    d.task = "counseling";
    d.source = "esconv";
    d.split = "train";
    for (size_t i = 0; i < turns.size(); ++i)
        d.turns.push_back({static_cast<int>(i), turns[i].first, turns[i].second, nlohmann::json::object()});
    d.reward = reward;
    d.rewardSource = reward ? "dataset" : "";
    d.metadata = {{"emotion_type", "anxiety"}, {"problem_type", "job crisis"}};
    return d;
}

inline CurationDemo fillCurationDemo(hw::Database& db)
{
    using R = hw::Role;
    hw::DialogueStore store(db);
    store.ensureTask(hw::Task::counseling());
    CurationDemo out;

    const std::vector<std::vector<std::pair<R, std::string>>> scripts = {
        {{R::User, "Hi, I have been feeling really anxious since I lost my job last month."},
         {R::Agent, "Why don't you just look for another job?"},
         {R::User, "I have been trying, but every rejection makes me feel worse about myself."},
         {R::Agent, "Rejections are normal. Everyone gets them."},
         {R::User, "I know, but I keep thinking I am not good enough for anything."},
         {R::Agent, "You should stop thinking like that."},
         {R::User, "It is hard. My family depends on me and I feel like I am letting them down."},
         {R::Agent, "Maybe talk to your family about it."},
         {R::User, "Maybe. I just do not want them to worry."},
         {R::Agent, "Okay. Good luck with everything."}},
        {{R::User, "My best friend moved to another country and I feel so lonely."},
         {R::Agent, "That happens to a lot of people."},
         {R::User, "We used to see each other every day. Now the evenings are so quiet."},
         {R::Agent, "You could call her."},
         {R::User, "We do call, but with the time difference it is hard."},
         {R::Agent, "Try to make new friends then."},
         {R::User, "I am not very good at meeting new people."},
         {R::Agent, "Join a club or something."}},
        {{R::User, "I have exams next week and I cannot sleep at all."},
         {R::Agent, "Just relax, it will be fine."},
         {R::User, "Everyone says that, but I feel like I will fail."},
         {R::Agent, "Have you studied?"},
         {R::User, "Yes, a lot. But my mind goes blank when I think about the exam."},
         {R::Agent, "That is anxiety. It goes away."}},
        {{R::User, "I had a big argument with my sister and now she will not talk to me."},
         {R::Agent, "What was the argument about?"},
         {R::User, "About our mother's care. I said some things I regret."},
         {R::Agent, "You should apologize."},
         {R::User, "I want to, but I am afraid she will not listen."},
         {R::Agent, "Write her a letter."}},
    };
    const std::vector<std::optional<double>> rewards = {1.0, 0.0, -1.0, 2.0};
    for (size_t i = 0; i < scripts.size(); ++i)
        out.dialogues.push_back(store.insert(makeCurationDialogue("demo-" + std::to_string(i + 1), scripts[i], rewards[i])).id);

    hw::JobStore jobs(db);
    out.relabelJob = jobs.create("relabel", "relabel counseling",
                                 {{"task", "counseling"}, {"suggestions", 3},
                                  {"stage", {{"endpoint", "http://127.0.0.1:8000/v1/chat/completions"},
                                             {"model", "llama-3.1-8b-instruct"}}}});
    hw::SuggestionStore sugg(db);
    const nlohmann::json prov = {{"kind", "llm"}, {"model", "llama-3.1-8b-instruct"},
                                 {"prompt", "counseling/controller.txt"}};
    auto add = [&](int64_t dialogue, int rank, std::optional<int> turn, const std::string& original,
                   const std::string& critique, const std::string& proposed, const std::string& status) {
        hw::Suggestion s;
        s.dialogueId = dialogue;
        s.rank = rank;
        s.turnIndex = turn;
        s.originalText = original;
        s.critique = critique;
        s.proposedText = proposed;
        s.status = status;
        s.provenance = prov;
        s.jobId = out.relabelJob;
        const int64_t id = sugg.insert(s);
        out.suggestions.push_back(id);
        return id;
    };
    const int64_t d1 = out.dialogues[0], d2 = out.dialogues[1], d3 = out.dialogues[2], d4 = out.dialogues[3];
    add(d1, 1, 1, "Why don't you just look for another job?",
        "Jumps to advice before acknowledging the seeker's anxiety.",
        "That sounds really stressful. Losing a job can shake your confidence. How have you been coping?",
        "proposed");
    add(d1, 2, 5, "You should stop thinking like that.",
        "Dismisses the feeling instead of exploring it.",
        "It makes sense that rejections leave you doubting yourself. What makes you feel you are not good enough?",
        "proposed");
    add(d1, 3, 9, "Okay. Good luck with everything.", "Ends abruptly without support or a plan.",
        "You care a lot about your family, and that shows strength. Would it help to plan how to talk with them?",
        "accepted");
    add(d2, 1, 1, "That happens to a lot of people.", "Minimises the loneliness.",
        "I am sorry, missing someone you saw every day can feel very lonely. What do you miss most?", "proposed");
    add(d2, 2, 5, "Try to make new friends then.", "Advice given too early and too bluntly.",
        "It can take time to build new connections. Are there small activities you used to enjoy?", "rejected");
    add(d2, 3, 7, "Join a club or something.", "Vague and dismissive.",
        "Meeting new people can feel daunting. Would a small group around a hobby you like feel easier?",
        "proposed");
    add(d3, 1, 1, "Just relax, it will be fine.", "Empty reassurance.",
        "Not being able to sleep before exams is exhausting. What goes through your mind at night?", "proposed");
    add(d3, 2, 5, "That is anxiety. It goes away.", "Labels without empathy.",
        "Your mind going blank sounds frightening. Many students feel this; could we try a calming routine?",
        "proposed");
    // A reply the parser could not use: kept with its raw text, retryable.
    hw::Suggestion failed;
    failed.dialogueId = d4;
    failed.rank = 0;
    failed.status = "failed";
    failed.provenance = prov;
    failed.jobId = out.relabelJob;
    failed.error = "reply has no numbered suggestions (expected 1. \"...\";...;\"...\"/)";
    failed.rawReply = "Sure! Here are some thoughts about this conversation:\n"
                      "The supporter could be more empathetic overall and ask more open questions.";
    out.failedSuggestion = sugg.insert(failed);
    out.suggestions.push_back(out.failedSuggestion);

    // Branches of dialogue 1 at turns 2 (index 1) and 6 (index 5).
    out.original = d1;
    out.regenerateJob = jobs.create("regenerate", "regenerate counseling",
                                    {{"task", "counseling"}, {"mode", "random"}, {"samples", 3}});
    hw::RegenerationStore regs(db);
    const auto parent = *store.get(d1);
    auto branch = [&](const hw::Dialogue& from, int prefix, const std::string& newTurn,
                      const std::vector<std::pair<R, std::string>>& rest, std::optional<double> reward, int sample,
                      bool hard, std::optional<int64_t> suggestion) {
        hw::Dialogue d;
        d.uid = "regen-" + std::to_string(from.id) + "-" + std::to_string(prefix) + "-" + std::to_string(sample);
        d.task = "counseling";
        d.source = "regeneration";
        d.parentId = from.id;
        for (int i = 0; i < prefix; ++i)
            d.turns.push_back(from.turns[static_cast<size_t>(i)]);
        d.turns.push_back({prefix, R::Agent, newTurn, nlohmann::json::object()});
        for (const auto& [role, text] : rest)
            d.turns.push_back({static_cast<int>(d.turns.size()), role, text, nlohmann::json::object()});
        d.reward = reward;
        d.rewardSource = reward ? "llm" : "";
        const int64_t id = store.insert(d).id;
        hw::Regeneration r;
        r.dialogueId = id;
        r.parentDialogueId = from.id;
        r.prefixLen = prefix;
        r.suggestionId = suggestion;
        r.generator = {{"kind", "llm"}, {"model", "llama-3.1-8b-instruct"}, {"hard", hard}};
        r.hard = hard;
        r.seed = 7;
        r.sampleIndex = sample;
        r.jobId = out.regenerateJob;
        regs.insert(r);
        return id;
    };
    const std::string better1 = "That sounds really stressful. Losing a job can shake your confidence. How have you been coping?";
    out.branches.push_back(branch(parent, 1, better1,
                                  {{R::User, "Honestly not well. I barely sleep and I keep checking job sites."},
                                   {R::Agent, "That sounds exhausting. It is understandable to feel on edge after such a loss."},
                                   {R::User, "Thank you. It helps to hear that it is understandable."},
                                   {R::Agent, "Would it help to set a small routine for the search, so it does not take over your days?"},
                                   {R::User, "Yes, I think a routine would help. I feel a bit calmer now."}},
                                  3.0, 0, false, out.suggestions[0]));
    out.branches.push_back(branch(parent, 1, better1,
                                  {{R::User, "I have been okay, I guess. Just tired."},
                                   {R::Agent, "Tired in what way?"},
                                   {R::User, "Tired of trying. Nothing works."}},
                                  1.0, 1, false, out.suggestions[0]));
    out.branches.push_back(branch(parent, 1, better1,
                                  {{R::User, "I do not want to talk about coping."},
                                   {R::Agent, "That is fine. We can talk about whatever feels right."},
                                   {R::User, "I just feel stuck."}},
                                  0.0, 2, true, out.suggestions[0]));
    const std::string better2 = "It makes sense that rejections leave you doubting yourself. What makes you feel you are not good enough?";
    out.branches.push_back(branch(parent, 5, better2,
                                  {{R::User, "I guess because I was the one they let go, not my colleagues."},
                                   {R::Agent, "Being let go can feel personal, even when it is about budgets."},
                                   {R::User, "That is true. It was budget cuts. I forget that."}},
                                  2.0, 0, false, out.suggestions[1]));
    out.branches.push_back(branch(parent, 5, better2,
                                  {{R::User, "Everything, really."}, {R::Agent, "That sounds heavy."}},
                                  std::nullopt, 1, true, out.suggestions[1]));
    const auto first = *store.get(out.branches[0]);
    out.nestedBranch = branch(first, 3, "It is understandable to feel on edge. What has helped you on difficult days before?",
                              {{R::User, "Walking with my dog helps a bit."},
                               {R::Agent, "That is a good thing to hold on to."}},
                              2.0, 0, false, std::nullopt);

    // Jobs: relabel done with one failed item and its exchange; regenerate running; label failed.
    std::mutex mutex;
    hw::ProjectCallCache cache(db, mutex);
    hw::CallRecord call;
    call.requestHash = "demo-hash-1";
    call.endpoint = "http://127.0.0.1:8000/v1/chat/completions";
    call.model = "llama-3.1-8b-instruct";
    call.request = nlohmann::json({{"model", call.model}, {"temperature", 0.7},
                                   {"messages", {{{"role", "system"}, {"content", "You are a hindsight controller."}},
                                                 {{"role", "user"}, {"content", "Dialogue:\nH: I had a big argument...\n"
                                                                                 "List 3 better agent turns."}}}}})
                       .dump();
    call.content = failed.rawReply;
    call.response = nlohmann::json({{"choices", {{{"message", {{"role", "assistant"}, {"content", failed.rawReply}}},
                                                   {"finish_reason", "stop"}}}},
                                    {"usage", {{"prompt_tokens", 412}, {"completion_tokens", 38}}}})
                        .dump();
    call.promptTokens = 412;
    call.completionTokens = 38;
    call.latencyMs = 812;
    call.jobId = out.relabelJob;
    const int64_t callId = cache.store(call);
    for (size_t i = 0; i < 3; ++i)
        jobs.recordItem(out.relabelJob, "d:" + std::to_string(out.dialogues[i]), "done", {{"suggestions", 3}}, "");
    jobs.recordItem(out.relabelJob, "d:" + std::to_string(d4), "failed", {{"attempts", 1}, {"llm_call_ids", {callId}}},
                    failed.error);
    jobs.setTotal(out.relabelJob, 4);
    jobs.setProgress(out.relabelJob, 3, 1,
                     {{"usage", {{"requests", 4}, {"cache_hits", 0}, {"prompt_tokens", 1650}, {"completion_tokens", 540},
                                 {"cost", 0.0123}}},
                      {"counts", {{"suggestions", 8}, {"failed_suggestions", 1}}}});
    jobs.setStatus(out.relabelJob, "done");

    jobs.setTotal(out.regenerateJob, 12);
    jobs.setProgress(out.regenerateJob, 6, 0,
                     {{"usage", {{"requests", 6}, {"prompt_tokens", 5210}, {"completion_tokens", 1804}, {"cost", 0.0421}}}});
    jobs.setStatus(out.regenerateJob, "running");

    out.labelJob = jobs.create("label", "label counseling", {{"task", "counseling"}});
    jobs.setTotal(out.labelJob, 7);
    jobs.recordItem(out.labelJob, "r:" + std::to_string(out.branches[4]), "failed", {{"attempts", 2}},
                    "POST http://127.0.0.1:8000/v1/chat/completions (model llama-3.1-8b-instruct): HTTP 401 "
                    "Unauthorized: {\"error\":\"invalid api key sk-****\"}");
    jobs.setProgress(out.labelJob, 2, 1, {{"usage", {{"requests", 3}, {"prompt_tokens", 2200}, {"completion_tokens", 30}}}});
    jobs.setStatus(out.labelJob, "failed",
                   "POST http://127.0.0.1:8000/v1/chat/completions: HTTP 401 Unauthorized (check the API key variable "
                   "of the endpoint profile)");
    return out;
}

} // namespace hwtest
