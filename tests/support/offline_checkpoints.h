#pragma once
// A small counseling project with the paper's offline roles trained on it (tiny models, CPU,
// seconds): a forward model and a reward model, recorded as runs of the project, for tests that
// run the pipeline with local backends only (no endpoint). The header has no libtorch in it, so
// widget tests can use it.
#include <string>

namespace hwtest {

struct OfflineProject {
    std::string project;   // the project file (48 counseling dialogues with rewards)
    std::string forward;   // checkpoint folder of the forward model (run kind lm-forward)
    std::string reward;    // checkpoint folder of the reward model (run kind lm-reward)
};

// Creates the project and trains the two models under `dir`. Throws hw::Error.
OfflineProject makeOfflineProject(const std::string& dir);

} // namespace hwtest
