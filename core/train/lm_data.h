#pragma once
// From project dialogues to LM training examples: role selection, held-out split, windows.
#include "core/data/dialogue.h"
#include "core/model/dialogue_codec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace hw {

class Database;

// The paper's language-model roles (plus the SFT policy baseline).
enum class LmRole {
    Forward,     // forward model: all dialogues, every turn token (completes dialogues)
    ForwardHard, // "hard" forward model: the same on the bottom 25% by reward
    PolicySft,   // policy by supervised fine-tuning: agent tokens of the top 25% by reward
    Reward,      // reward model: trunk + regression head on dataset rewards
};
std::string toString(LmRole role);              // "forward" | "forward-hard" | "policy-sft" | "reward"
LmRole lmRoleFromString(const std::string& s);  // throws hw::Error listing the roles
std::string runKind(LmRole role);               // runs.kind: "lm-forward", ...
LossTokens defaultLossTokens(LmRole role);
LossTokens lossTokensFromString(const std::string& s); // "agent" | "user" | "all_but_context" | "all"

enum class RewardSlice { All, BottomQuartile, TopQuartile };
RewardSlice defaultSlice(LmRole role);

// Original dialogues of a task (source not regeneration / imagined), in id order. labeledOnly
// drops those without a reward. Throws hw::Error when the task does not exist.
std::vector<Dialogue> loadOriginalDialogues(Database& db, const std::string& task, bool labeledOnly);
// Dialogues of a saved training set (training_sets.name), in id order.
std::vector<Dialogue> loadTrainingSetDialogues(Database& db, const std::string& setName);

// Exactly ceil(n/4) dialogues with the lowest (bottom) or highest (top) reward; ties are broken by
// a hash of the uid (not by id order, which follows the source files). Unlabeled ones are dropped.
std::vector<Dialogue> selectByReward(std::vector<Dialogue> dialogues, RewardSlice slice);

// Deterministic held-out split by a seeded hash of the uid: the same dialogue is held out for every
// role and run with the same seed and fraction (so the reward model's test set is stable).
bool isHeldOut(const std::string& uid, double fraction, uint64_t seed);
struct DialogueSplit {
    std::vector<Dialogue> train;
    std::vector<Dialogue> valid;
};
DialogueSplit splitDialogues(std::vector<Dialogue> dialogues, double fraction, uint64_t seed);

// One dialogue as LM examples of at most maxSeqLen tokens. A longer dialogue is cut into windows
// of whole turns, each with the context prefix: the last window ends the dialogue (</eod>), earlier
// ones are unfinished prefixes, and every turn is in exactly one window.
std::vector<EncodedDialogue> encodeWindows(const DialogueCodec& codec, const Dialogue& dialogue,
                                           int64_t maxSeqLen);

// Stable fingerprint of a list of dialogues (ids, uids and turn counts): a resumed run checks that
// it sees the same data.
std::string dataFingerprint(const std::vector<Dialogue>& dialogues);

// Every utterance of the given dialogues and their context prefixes, for tokenizer training.
std::vector<std::string> tokenizerCorpus(const std::vector<Dialogue>& dialogues, const DialogueCodec* codec = nullptr);

} // namespace hw
