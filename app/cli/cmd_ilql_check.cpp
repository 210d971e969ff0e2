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
                       include_adv (same form as --config: the object or one under "config")
  --row R              batch row of the decoding step; default: "decode.row" of a whole
                       golden file, else 0
  --position P         token position whose logits, V and min(tq1,tq2) are used; default:
                       "decode.position" of a whole golden file, else the row's last attended
                       position
  --pad-id N           token never sampled (the reference's pad, set to -inf); default:
                       meta.vocab_roles.pad of a whole golden file, else 0; -1 for none
  The value range (value_min/value_max) of --config, when given, clips target Q.
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

int runDecode(const nlohmann::json& file, const IlqlReferenceInputs& in, const IlqlConfig& config,
              const IlqlDecodeConfig& decode, const Args& args)
{
    const auto B = in.batch.tokens.size(0), T = in.batch.tokens.size(1);
    const nlohmann::json* golden = file.contains("decode") && file.at("decode").is_object() ? &file.at("decode")
                                                                                             : nullptr;
    int64_t row = golden && golden->contains("row") ? golden->at("row").get<int64_t>() : 0;
    row = args.intValue("row", row);
    if (row < 0 || row >= B)
        throw Error("--row " + std::to_string(row) + " is outside the batch of " + std::to_string(B));
    int64_t position = golden && golden->contains("position") ? golden->at("position").get<int64_t>()
                                                               : in.batch.attnMask[row].sum().item<int64_t>() - 1;
    position = args.intValue("position", position);
    if (position < 0 || position >= T)
        throw Error("--position " + std::to_string(position) + " is outside the sequence of " + std::to_string(T));
    std::optional<int64_t> pad = 0;
    if (file.contains("meta") && file.at("meta").contains("vocab_roles")
        && file.at("meta").at("vocab_roles").contains("pad"))
        pad = file.at("meta").at("vocab_roles").at("pad").get<int64_t>();
    const auto padArg = args.intValue("pad-id", pad.value_or(-1));
    pad = padArg < 0 ? std::nullopt : std::optional<int64_t>(padArg);

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
    if (const auto path = args.value("decode-config")) {
        IlqlDecodeConfig decode;
        try {
            decode = configObject(readJsonFile(*path)).get<IlqlDecodeConfig>();
        } catch (const Error& e) {
            throw Error(*path + ": " + e.what());
        }
        return runDecode(file, in, config, decode, args);
    }
    return runLoss(in, config, args.flag("detail"));
}

const bool registered = registerCommand(
    {"ilql-check", "ILQL loss or decoding distribution on given head outputs (reference check)", kUsage,
     &runIlqlCheck});

} // namespace
} // namespace hw::cli
