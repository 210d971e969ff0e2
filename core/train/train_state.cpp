#include "core/train/train_state.h"

namespace hw {

void to_json(nlohmann::json& j, const TrainState& s)
{
    j = {{"step", s.step},
         {"cursor", s.cursor},
         {"tokens_seen", s.tokensSeen},
         {"best_eval", s.bestEval ? nlohmann::json(*s.bestEval) : nlohmann::json(nullptr)},
         {"run_id", s.runId},
         {"elapsed_seconds", s.elapsedSeconds}};
}

void from_json(const nlohmann::json& j, TrainState& s)
{
    s = TrainState{};
    s.step = j.at("step").get<int64_t>();
    if (j.contains("cursor"))
        s.cursor = j.at("cursor").get<DataCursor>();
    s.tokensSeen = j.value("tokens_seen", int64_t(0));
    if (j.contains("best_eval") && j.at("best_eval").is_number())
        s.bestEval = j.at("best_eval").get<double>();
    s.runId = j.value("run_id", int64_t(0));
    s.elapsedSeconds = j.value("elapsed_seconds", 0.0);
}

} // namespace hw
