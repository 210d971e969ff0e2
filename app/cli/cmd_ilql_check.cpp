// hindsight ilql-check: the ILQL loss (or decoding distribution) on given head outputs, in float32.
#include "app/cli/args.h"
#include "app/cli/command.h"

#include "core/rl/ilql_config.h"
#include "core/rl/ilql_decode.h"
#include "core/rl/ilql_loss.h"
#include "core/rl/ilql_reference_io.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight ilql-check --inputs FILE.json [--config CONFIG.json]
                          [--decode-config D.json [--row R] [--position P] [--pad-id N]]

Computes the ILQL loss of the reference implementation (Snell et al.; padded action slots
masked out) on given head outputs, in float32, and prints one JSON object:
  {"token_loss":..,"v_loss":..,"q_loss":..,"cql_loss":..,"dm_loss":..,"total_loss":..}
(v_loss is the one the configuration uses: against target Q, or reward-to-go with mc_returns).

  --inputs FILE        the "inputs" object of the golden file format (tokens, attn_mask,
                       state_idxs, action_idxs, rewards, terminals, optional action_mask, and
                       heads {logits, v, q1, q2, tq1, tq2} per token position), or a whole
                       golden file holding one under "inputs"
  --config FILE        loss configuration with the reference's keys (gamma, tau, cql_temp,
                       dm_margin, value_min, value_max, transition_weight, clip_weight, beta,
                       exp_weights, double_q, loss_weights{awac_weight, v_loss_weight,
                       q_loss_weight, cql_loss_weight, dm_loss_weight, mc_returns}); an object
                       with the configuration under "config" is accepted too. Missing keys take
                       the paper's dialogue defaults; unknown keys are an error.
  --detail             also print the intermediate tensors under "detail"

Decoding (prints {"row","position","probs":[V],"full_logits":[V]} instead; -inf as "-inf"):
  --decode-config FILE temp, top_k, top_p, exp_adv, adv_weight, adv_clip, include_logits,
                       include_adv, and where to decode: row, position, pad_id (the golden
                       file's decode.row / decode.position). Same form as --config: the object,
                       or one under "config" (as a golden decode.snell entry); row / position /
                       pad_id may sit beside "config" too.
  --row R              batch row of the decoding step
  --position P         token position whose logits, V and min(tq1,tq2) are used
  --pad-id N           token never sampled (the reference's pad, set to -inf); -1 for none
  Each of row / position / pad id comes from, in this order: the flag, the decode
  configuration, the --inputs file when it is a whole golden file (decode.row,
  decode.position, meta.vocab_roles.pad). Otherwise: row 0; its first action slot
  (action_idxs[row][0], where the agent's first token is chosen; a note on stderr says so);
  pad id 0.
  The value range (value_min/value_max) of --config, when given, clips target Q.
  Model options of --config (alpha, seperate_*, detach_*, advanced_mlp) do not change a loss or
  decoding on given head outputs; a note on stderr says so when they are set.
)";

nlohmann::json readJsonFile(const std::string& path)
{
    std::ifstream f(path);
    if (!f)
        throw Error("cannot open " + path);
    try {
        return nlohmann::json::parse(f);
    } catch (const nlohmann::json::exception& e) {
        throw Error(path + ": not valid JSON: " + e.what());
    }
}

// The configuration object, or the one an object keeps under "config".
const nlohmann::json& configObject(const nlohmann::json& j)
{
    if (j.is_object() && j.contains("config") && j.at("config").is_object())
        return j.at("config");
    return j;
}

double scalar(const torch::Tensor& t) { return static_cast<double>(t.item<float>()); }

int runLoss(const IlqlReferenceInputs& in, const IlqlConfig& config, bool detailWanted)
{
    const auto heads = gatherReferenceHeads(in, config.double_q);
    IlqlPolicyOutputs policy;
    policy.logits = in.logits;
    IlqlLossDetail detail;
    torch::NoGradGuard noGrad;
    const auto r = ilqlLoss(in.batch, heads, policy, config, detailWanted ? &detail : nullptr);
    nlohmann::ordered_json out = {{"token_loss", scalar(r.tokenLoss)}, {"v_loss", scalar(r.vLoss)},
                          {"q_loss", scalar(r.qLoss)},         {"cql_loss", scalar(r.cqlLoss)},
                          {"dm_loss", scalar(r.dmLoss)},       {"total_loss", scalar(r.total)}};
    if (detailWanted) {
        nlohmann::ordered_json d;
        auto put = [&](const char* key, const torch::Tensor& t) {
            if (t.defined())
                d[key] = tensorToJson(t.to(torch::kDouble));
        };
        put("vs_at_states", detail.vsAtStates);
        put("select_tokens", detail.selectTokens);
        put("q1_selected", detail.q1Selected);
        put("q2_selected", detail.q2Selected);
        put("target_q_selected", detail.targetQSelected);
        put("v_t", detail.vT);
        put("v_tp1", detail.vTp1);
        put("mask_live", detail.maskLive);
        put("n", detail.n);
        put("reward_to_go", detail.rewardToGo);
        put("awac_token_weights", detail.awacTokenWeights);
        put("token_ce", detail.tokenCe);
        put("v_loss", detail.vLossQ);
        put("v_loss_mc", detail.vLossMc);
        out["detail"] = d;
    }
    std::cout << out.dump() << "\n";
    return 0;
}

// Where to decode, as the decoding configuration names it (null values = not given).
struct DecodeSite {
    std::optional<int64_t> row, position;
    std::optional<std::optional<int64_t>> pad; // outer: given at all; inner: null = no pad token
};

// Splits the decode configuration file into the decoding options and the site keys (row,
// position, pad_id), which may sit in the options object or beside its "config".
std::pair<IlqlDecodeConfig, DecodeSite> readDecodeConfig(const nlohmann::json& file)
{
    nlohmann::json options = configObject(file);
    DecodeSite site;
    auto take = [&](nlohmann::json& from) {
        if (!from.is_object())
            return;
        auto integer = [&](const char* key) -> std::optional<std::optional<int64_t>> {
            if (!from.contains(key))
                return std::nullopt;
            const auto v = from.at(key);
            from.erase(key);
            if (v.is_null())
                return std::optional<int64_t>();
            if (!v.is_number_integer())
                throw Error(std::string("ILQL decoding config.") + key + ": expected an integer, got " + v.dump());
            return std::optional<int64_t>(v.get<int64_t>());
        };
        if (auto r = integer("row"); r && *r)
            site.row = **r;
        if (auto p = integer("position"); p && *p)
            site.position = **p;
        if (auto pad = integer("pad_id"))
            site.pad = *pad;
    };
    if (&configObject(file) != &file) {
        nlohmann::json outer = file;
        outer.erase("config");
        take(outer);
    }
    take(options);
    return {options.get<IlqlDecodeConfig>(), site};
}

int runDecode(const nlohmann::json& file, const IlqlReferenceInputs& in, const IlqlConfig& config,
              const IlqlDecodeConfig& decode, const DecodeSite& site, const Args& args)
{
    const auto B = in.batch.tokens.size(0), T = in.batch.tokens.size(1);
    const nlohmann::json* golden = file.contains("decode") && file.at("decode").is_object() ? &file.at("decode")
                                                                                             : nullptr;
    auto fromGolden = [&](const char* key) -> std::optional<int64_t> {
        if (golden && golden->contains(key) && golden->at(key).is_number_integer())
            return golden->at(key).get<int64_t>();
        return std::nullopt;
    };
    int64_t row = 0;
    if (args.value("row"))
        row = args.intValue("row", 0);
    else if (site.row)
        row = *site.row;
    else if (const auto g = fromGolden("row"))
        row = *g;
    if (row < 0 || row >= B)
        throw Error("row " + std::to_string(row) + " is outside the batch of " + std::to_string(B));
    int64_t position = 0;
    if (args.value("position")) {
        position = args.intValue("position", 0);
    } else if (site.position) {
        position = *site.position;
    } else if (const auto g = fromGolden("position")) {
        position = *g;
    } else {
        if (in.batch.actionIdxs.size(1) == 0)
            throw Error("the inputs have no action slots: give the decoding position (--position P or "
                        "\"position\" in the decode configuration)");
        position = in.batch.actionIdxs[row][0].item<int64_t>();
        std::cerr << "note: no decoding position given: row " << row << ", position " << position
                  << " (its first action slot); set \"row\" and \"position\" in the decode configuration "
                     "(a golden file's decode.row / decode.position) to choose\n";
    }
    if (position < 0 || position >= T)
        throw Error("position " + std::to_string(position) + " is outside the sequence of " + std::to_string(T));
    std::optional<int64_t> pad = 0;
    if (file.contains("meta") && file.at("meta").contains("vocab_roles")
        && file.at("meta").at("vocab_roles").contains("pad"))
        pad = file.at("meta").at("vocab_roles").at("pad").get<int64_t>();
    if (site.pad)
        pad = *site.pad;
    if (args.value("pad-id")) {
        const auto padArg = args.intValue("pad-id", -1);
        pad = padArg < 0 ? std::nullopt : std::optional<int64_t>(padArg);
    }

    auto minTargetQ = in.tq1[row][position];
    if (config.double_q && in.tq2.defined())
        minTargetQ = torch::minimum(minTargetQ, in.tq2[row][position]);
    minTargetQ = ilqlClipValues(minTargetQ, config);
    const auto out = ilqlDecode(in.logits[row][position], in.v[row][position], minTargetQ, decode, pad);
    nlohmann::ordered_json j = {{"row", row},
                        {"position", position},
                        {"probs", tensorToJson(out.probs.to(torch::kDouble))},
                        {"full_logits", tensorToJson(out.fullLogits.to(torch::kDouble))}};
    std::cout << j.dump() << "\n";
    return 0;
}

int runIlqlCheck(const std::vector<std::string>& argv)
{
    const Args args(argv, {"inputs", "config", "decode-config", "row", "position", "pad-id"}, {"detail"});
    const auto inputsPath = args.value("inputs");
    if (!inputsPath)
        throw Error("--inputs FILE.json is required (see hindsight ilql-check --help)");
    const auto file = readJsonFile(*inputsPath);
    const auto in = readIlqlReferenceInputs(file);

    IlqlConfig config = IlqlConfig::paperDefaults();
    if (const auto path = args.value("config")) {
        try {
            config = configObject(readJsonFile(*path)).get<IlqlConfig>();
        } catch (const Error& e) {
            throw Error(*path + ": " + e.what());
        }
    }
    for (const auto& note : config.headOutputNotes())
        std::cerr << "note: " << note << "\n";
    if (const auto path = args.value("decode-config")) {
        std::pair<IlqlDecodeConfig, DecodeSite> decode;
        try {
            decode = readDecodeConfig(readJsonFile(*path));
        } catch (const Error& e) {
            throw Error(*path + ": " + e.what());
        }
        return runDecode(file, in, config, decode.first, decode.second, args);
    }
    return runLoss(in, config, args.flag("detail"));
}

const bool registered = registerCommand(
    {"ilql-check", "ILQL loss or decoding distribution on given head outputs (reference check)", kUsage,
     &runIlqlCheck});

} // namespace
} // namespace hw::cli
