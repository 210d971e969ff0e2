#pragma once
#include "core/train/length_bucket_batcher.h"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace hw {

// Where a training run is; saved as trainer_state.json in each checkpoint (with the torch RNG
// state and the schedule), restored by --resume. Everything a resumed run needs to continue
// exactly besides the model and optimizer tensors.
struct TrainState {
    int64_t step = 0;              // optimizer steps taken
    DataCursor cursor;             // next batch of the data stream (data-order RNG state)
    int64_t tokensSeen = 0;        // real (non-pad) tokens processed
    std::optional<double> bestEval;
    int64_t runId = 0;             // runs.id in the project file (0 = not recorded)
    double elapsedSeconds = 0;     // training wall time so far, over all sessions
};

void to_json(nlohmann::json& j, const TrainState& s);
void from_json(const nlohmann::json& j, TrainState& s);

} // namespace hw
