#include "core/train/adamw.h"

#include "core/util/error.h"

#include <cmath>
#include <set>

namespace hw {

std::vector<NamedParameter> decayGroups(const torch::nn::Module& module, const std::string& prefix)
{
    std::vector<NamedParameter> out;
    for (const auto& item : module.named_parameters(/*recurse=*/true)) {
        if (!item.value().requires_grad())
            continue;
        out.push_back({prefix + item.key(), item.value(), item.value().dim() >= 2});
    }
    return out;
}

AdamW::AdamW(std::vector<NamedParameter> params, AdamWOptions options)
    : m_params(std::move(params)), m_options(options)
{
    std::set<std::string> seen;
    for (const auto& p : m_params) {
        if (!seen.insert(p.name).second)
            throw Error("AdamW: parameter '" + p.name + "' given twice");
        auto opts = p.tensor.options().dtype(torch::kFloat32);
        m_expAvg.push_back(torch::zeros(p.tensor.sizes(), opts));
        m_expAvgSq.push_back(torch::zeros(p.tensor.sizes(), opts));
    }
}

void AdamW::zeroGrad()
{
    for (auto& p : m_params) {
        auto& g = p.tensor.mutable_grad();
        if (g.defined())
            g = torch::Tensor(); // set_to_none: cheaper than zeroing, and "no grad" is visible
    }
}

double AdamW::clipGradNorm(double maxNorm)
{
    std::vector<torch::Tensor> grads;
    for (const auto& p : m_params)
        if (p.tensor.grad().defined())
            grads.push_back(p.tensor.grad());
    if (grads.empty())
        return 0.0;
    std::vector<torch::Tensor> norms;
    norms.reserve(grads.size());
    for (const auto& g : grads)
        norms.push_back(g.detach().to(torch::kFloat32).norm());
    const double total = torch::stack(norms).norm().item<double>();
    if (maxNorm > 0 && total > maxNorm) {
        const double scale = maxNorm / (total + 1e-6);
        torch::NoGradGuard ng;
        for (auto& g : grads)
            g.mul_(scale);
    }
    return total;
}

void AdamW::step()
{
    torch::NoGradGuard ng;
    ++m_step;
    const double b1 = m_options.beta1, b2 = m_options.beta2;
    const double bc1 = 1.0 - std::pow(b1, static_cast<double>(m_step));
    const double bc2 = 1.0 - std::pow(b2, static_cast<double>(m_step));
    const double stepSize = m_options.lr / bc1;
    const double bc2Sqrt = std::sqrt(bc2);
    for (size_t i = 0; i < m_params.size(); ++i) {
        auto& p = m_params[i].tensor;
        const auto& grad = p.grad();
        if (!grad.defined())
            continue;
        const auto g = grad.scalar_type() == torch::kFloat32 ? grad : grad.to(torch::kFloat32);
        if (m_params[i].decay && m_options.weightDecay != 0.0)
            p.mul_(1.0 - m_options.lr * m_options.weightDecay);
        m_expAvg[i].mul_(b1).add_(g, 1.0 - b1);
        m_expAvgSq[i].mul_(b2).addcmul_(g, g, 1.0 - b2);
        const auto denom = (m_expAvgSq[i].sqrt() / bc2Sqrt).add_(m_options.eps);
        if (p.scalar_type() == torch::kFloat32) {
            p.addcdiv_(m_expAvg[i], denom, -stepSize);
        } else {
            // Low-precision weights: compute the update in float32, round once.
            p.copy_(p.to(torch::kFloat32).addcdiv_(m_expAvg[i], denom, -stepSize));
        }
    }
}

std::map<std::string, torch::Tensor> AdamW::stateTensors() const
{
    std::map<std::string, torch::Tensor> out;
    for (size_t i = 0; i < m_params.size(); ++i) {
        out[m_params[i].name + ".exp_avg"] = m_expAvg[i];
        out[m_params[i].name + ".exp_avg_sq"] = m_expAvgSq[i];
    }
    return out;
}

nlohmann::json AdamW::stateJson() const
{
    nlohmann::json names = nlohmann::json::array();
    for (const auto& p : m_params)
        names.push_back(p.name);
    return {{"format", "hindsight-adamw-1"}, {"options", m_options}, {"step", m_step}, {"params", names}};
}

void AdamW::loadState(const std::map<std::string, torch::Tensor>& tensors, const nlohmann::json& json,
                      const std::string& origin)
{
    if (!json.is_object() || !json.contains("step") || !json.contains("params"))
        throw Error(origin + ": optimizer state lacks 'step' or 'params'");
    std::set<std::string> saved;
    for (const auto& n : json.at("params"))
        saved.insert(n.get<std::string>());
    for (const auto& p : m_params)
        if (!saved.count(p.name))
            throw Error(origin + ": optimizer state has no entry for parameter '" + p.name + "'");
    if (saved.size() != m_params.size())
        throw Error(origin + ": optimizer state has " + std::to_string(saved.size())
                    + " parameters, the model has " + std::to_string(m_params.size()));
    std::vector<torch::Tensor> avg, avgSq;
    for (const auto& p : m_params) {
        for (const char* suffix : {".exp_avg", ".exp_avg_sq"}) {
            const auto it = tensors.find(p.name + suffix);
            if (it == tensors.end())
                throw Error(origin + ": missing tensor '" + p.name + suffix + "'");
            if (it->second.sizes() != p.tensor.sizes())
                throw Error(origin + ": tensor '" + p.name + suffix + "' has shape "
                            + c10::str(it->second.sizes()) + ", parameter has "
                            + c10::str(p.tensor.sizes()));
            auto t = it->second.to(p.tensor.device(), torch::kFloat32).clone();
            (std::string(suffix) == ".exp_avg" ? avg : avgSq).push_back(t);
        }
    }
    m_expAvg = std::move(avg);
    m_expAvgSq = std::move(avgSq);
    m_step = json.at("step").get<int64_t>();
    if (json.contains("options"))
        m_options = json.at("options").get<AdamWOptions>();
}

} // namespace hw
