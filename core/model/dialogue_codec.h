#pragma once
// Dialogue <-> tokens: the ONE format every model of the workbench reads and writes.
//
//   <s> [context </s>] user </s> agent </a> user </s> agent </a> ... [</eod>]
//        `-- state --'  `- state -' `- action -'
//
// - <s> opens every sequence. The optional context prefix (task, ESConv problem / emotion /
//   situation, persona) is written as text and closed by </s>, i.e. it is part of the first state.
// - A user turn is a *state*: its tokens then </s>. An agent turn is an *action*: its tokens then
//   </a>. Consecutive turns of one side each get their own end token.
// - </eod> follows the last turn when the dialogue is finished (not flagged unfinished, and not
//   cut by truncation at its end).
//
// Index conventions (those of the ILQL reference, ../shared/reference/ilql/README.md):
// - position p predicts token p+1 (logits[p] scores tokens[p+1]);
// - actionIdxs: every position p whose *next* token is an agent token (its words and its </a>),
//   so the action taken at slot j is tokens[actionIdxs[j] + 1];
// - stateIdxs = actionIdxs followed by the last position of the sequence (the </eod> when
//   finished): V is read there, Q and logits at actionIdxs;
// - rewards: one per action slot; a turn's reward sits on the slot whose action is that turn's
//   </a>; the dialogue reward on the last agent turn's </a>;
// - terminals: one per state slot, 0 for each action slot then 1 for the final state when the
//   dialogue is finished, else 0. Collation pads terminals with 1 and index tables with 0
//   (the reference's padding), and adds actionSlotMask = 1 for real action slots only (the
//   reference leaves the first padded slot of an unfinished row unmasked; use actionSlotMask).
//
// Per-token masks are over the positions of the tokens themselves (not shifted): for a
// next-token loss over targets tokens[:, 1:], use mask[:, 1:] (see targetMask()).
#include "core/data/dialogue.h"
#include "core/model/tokenizer.h"

#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hw {

enum class TokenKind : uint8_t {
    Pad = 0,
    Begin = 1,          // <s>
    Context = 2,        // context prefix text and its </s>
    User = 3,           // user words and their </s>
    Agent = 4,          // agent words and their </a>
    EndOfDialogue = 5,  // </eod>
};

enum class TruncateSide {
    Left,   // keep <s>, the context and the *latest* turns (rewards at the end survive)
    Right,  // keep the earliest turns; the dialogue then counts as unfinished
};

struct CodecOptions {
    bool includeContext = true;
    bool includeTask = true;  // "task: counseling" line in the context
    // Dialogue::metadata keys written into the context, in this order, as "key: value" lines
    // (keys absent from a dialogue are skipped).
    std::vector<std::string> contextKeys = {"problem_type", "emotion_type", "situation", "persona"};
    int64_t maxTokens = 0;          // 0 = no limit; otherwise whole turns are dropped to fit
    TruncateSide truncate = TruncateSide::Left;
    double rewardScale = 1.0;       // reward placed = scale * (reward + shift)
    double rewardShift = 0.0;
};

// A turn already tokenized (no end token).
struct TokenTurn {
    Role role = Role::User;
    std::vector<int64_t> tokens;
    std::optional<float> reward; // per-turn reward on this agent turn's </a> (added to the final one)
};

struct EncodedDialogue {
    std::vector<int64_t> tokens;
    std::vector<uint8_t> kinds;          // TokenKind per token
    std::vector<int64_t> actionIdxs;
    std::vector<int64_t> stateIdxs;      // actionIdxs.size() + 1 entries
    std::vector<float> rewards;          // actionIdxs.size() entries
    std::vector<int64_t> terminals;      // stateIdxs.size() entries
    bool finished = false;
    // Token span [begin, end) of each kept turn (end token included) and its index in the dialogue.
    struct Span {
        int turnIndex = 0;
        Role role = Role::User;
        int64_t begin = 0;
        int64_t end = 0;
    };
    std::vector<Span> turns;
    int64_t droppedTurns = 0;            // turns removed by truncation
};

struct DialogueBatch {
    torch::Tensor tokens;        // [B,T] int64, padded with the pad id on the right
    torch::Tensor attentionMask; // [B,T] float32, 1 for real tokens
    torch::Tensor kinds;         // [B,T] uint8 TokenKind
    torch::Tensor agentMask;     // [B,T] float32, agent words and </a>
    torch::Tensor userMask;      // [B,T] float32, user words and their </s>
    torch::Tensor contextMask;   // [B,T] float32, context text and its </s>
    torch::Tensor actionIdxs;    // [B,A] int64, padded with 0
    torch::Tensor stateIdxs;     // [B,A+1] int64, padded with 0
    torch::Tensor rewards;       // [B,A] float32, padded with 0
    torch::Tensor terminals;     // [B,A+1] float32, padded with 1
    torch::Tensor actionSlotMask;// [B,A] float32, 1 for real action slots
    torch::Tensor lengths;       // [B] int64

    int64_t size() const { return tokens.defined() ? tokens.size(0) : 0; }
    DialogueBatch to(const torch::Device& device) const;
};

// Which targets a next-token loss counts.
enum class LossTokens {
    Agent,      // policy / behaviour cloning: agent words and </a>
    User,       // user simulator
    AllButContext, // forward model: every turn token and </eod>
    All,        // every non-pad target
};
// [B, T-1] float mask over targets tokens[:, 1:].
torch::Tensor targetMask(const DialogueBatch& batch, LossTokens which);

// Collates with right padding to the longest row, rounded up to a multiple of padMultiple.
DialogueBatch collate(const std::vector<EncodedDialogue>& rows, int64_t padId, int64_t padMultiple = 1);

class DialogueCodec {
public:
    explicit DialogueCodec(Tokenizer tokenizer, CodecOptions options = {});

    // The whole dialogue; reward from dialogue.reward (0 when unlabeled); finished unless the
    // dialogue is flagged unfinished (or `finished` says otherwise).
    EncodedDialogue encode(const Dialogue& dialogue, std::optional<bool> finished = std::nullopt) const;
    // The first turnCount turns, ended, ready for the next speaker to be generated: the agent
    // continues until </a>, a user simulator until </s>. With options().maxTokens set, the prompt
    // keeps <s>, the context and the latest turns within maxTokens - 1 tokens (so set maxTokens to
    // max_position_embeddings minus the reply budget).
    std::vector<int64_t> encodePrompt(const Dialogue& dialogue, size_t turnCount) const;
    // Same from chat messages (OpenAI style): context (system text) + turns.
    std::vector<int64_t> encodePrompt(const std::string& context, const std::vector<Turn>& turns) const;
    // The context prefix text of a dialogue ("" when none).
    std::string contextText(const Dialogue& dialogue) const;
    // Text of generated turn tokens (end tokens and specials dropped).
    std::string decodeTurn(const std::vector<int64_t>& tokens) const;

    // The tokenizer-free core, used by encode() and by tests with hand-made ids.
    static EncodedDialogue encodeTurns(const SpecialTokens& special, const std::vector<int64_t>& context,
                                       const std::vector<TokenTurn>& turns, bool finished,
                                       float finalReward, int64_t maxTokens = 0,
                                       TruncateSide truncate = TruncateSide::Left);

    const Tokenizer& tokenizer() const { return m_tokenizer; }
    const CodecOptions& options() const { return m_options; }

private:
    Tokenizer m_tokenizer;
    CodecOptions m_options;
};

} // namespace hw
