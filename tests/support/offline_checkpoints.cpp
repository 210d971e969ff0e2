#include "offline_checkpoints.h"

#include "core/train/lm_training_job.h"
#include "lm_corpus.h"

namespace hwtest {

OfflineProject makeOfflineProject(const std::string& dir)
{
    OfflineProject out;
    out.project = dir + "/offline.hwb";
    insertDialogues(out.project, lmDialogues(48, 11));
    auto train = [&](hw::LmRole role, int steps) {
        hw::LmJobOptions o;
        o.projectPath = out.project;
        o.role = role;
        o.config = hw::LmTrainConfig::tiny();
        o.config.device = "cpu";
        o.config.maxSteps = steps;
        o.config.optimizer.lr = 1e-2;
        o.config.evalEvery = 0;
        o.outDir = dir + "/" + hw::toString(role);
        return hw::runLmTrainingJob(o).train.checkpointDir;
    };
    // Enough steps for the forward model to end its continuations (as tst_core_offline).
    out.forward = train(hw::LmRole::Forward, 80);
    out.reward = train(hw::LmRole::Reward, 20);
    return out;
}

} // namespace hwtest
