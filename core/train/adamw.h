#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hw {

struct AdamWOptions {
    double lr = 3e-4;
    double beta1 = 0.9;
    double beta2 = 0.95;
    double eps = 1e-8;
    double weightDecay = 0.1;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AdamWOptions, lr, beta1, beta2, eps, weightDecay)

// A named parameter the optimizer updates. decay = false for norms and biases (the usual split).
struct NamedParameter {
    std::string name;
    torch::Tensor tensor;
    bool decay = true;
};

// Named parameters of a module with the usual decay split: tensors of rank >= 2 decay,
// norm gains and biases (rank < 2) do not. Only parameters with requires_grad.
std::vector<NamedParameter> decayGroups(const torch::nn::Module& module, const std::string& prefix = "");

// AdamW (decoupled weight decay, Loshchilov & Hutter), same update as torch.optim.AdamW.
// Written out rather than wrapping torch::optim::AdamW so that its state is addressed by
// parameter *name*: it saves to safetensors + JSON and restores into a freshly built model,
// which is what exact resume needs.
//
//   optimizer.safetensors: "<param>.exp_avg", "<param>.exp_avg_sq"  (float32, param's shape)
//   optimizer.json:        {"options": {...}, "step": N, "params": ["<param>", ...]}
class AdamW {
public:
    AdamW(std::vector<NamedParameter> params, AdamWOptions options);
    AdamW(AdamW&&) = default;
    AdamW& operator=(AdamW&&) = default;

    void zeroGrad();
    // Clips the global L2 norm of all gradients to maxNorm (no clipping when maxNorm <= 0) and
    // returns the norm before clipping.
    double clipGradNorm(double maxNorm);
    // One update with the current learning rate; parameters without a gradient are skipped.
    void step();

    void setLr(double lr) { m_options.lr = lr; }
    double lr() const { return m_options.lr; }
    const AdamWOptions& options() const { return m_options; }
    int64_t stepCount() const { return m_step; }
    const std::vector<NamedParameter>& params() const { return m_params; }

    std::map<std::string, torch::Tensor> stateTensors() const;
    nlohmann::json stateJson() const;
    // Restores a saved state. Throws hw::Error naming the parameter when the saved names or shapes
    // do not match this optimizer's parameters. `origin` names the files in messages.
    void loadState(const std::map<std::string, torch::Tensor>& tensors, const nlohmann::json& json,
                   const std::string& origin);

private:
    std::vector<NamedParameter> m_params;
    std::vector<torch::Tensor> m_expAvg;
    std::vector<torch::Tensor> m_expAvgSq;
    AdamWOptions m_options;
    int64_t m_step = 0;
};

} // namespace hw
