#include "core/rl/row_logsumexp.h"

#include "core/util/error.h"

#include <algorithm>

namespace hw {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// Rows per block: about 1 MiB of float32 on the CPU (stays in cache between the passes over a
// block); the whole matrix at once on an accelerator.
int64_t blockRows(const torch::Tensor& x)
{
    if (!x.device().is_cpu())
        return std::max<int64_t>(1, x.size(0));
    return std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(1, x.size(1)));
}

class RowLogSumExpFn : public torch::autograd::Function<RowLogSumExpFn> {
public:
    static variable_list forward(AutogradContext* ctx, const torch::Tensor& xIn, const torch::Tensor& index,
                                 double temperature, bool withMean)
    {
        const auto x = xIn.contiguous();
        const int64_t N = x.size(0);
        const auto idx = index.reshape({N, 1});
        auto selected = x.gather(1, idx).squeeze(1);
        auto lse = torch::empty({N}, x.options());
        auto mean = torch::zeros({N}, x.options());
        const int64_t rows = blockRows(x);
        for (int64_t r0 = 0; r0 < N; r0 += rows) {
            const int64_t n = std::min(rows, N - r0);
            auto s = x.narrow(0, r0, n);
            if (temperature != 1.0)
                s = s / temperature;
            const auto m = s.amax(1, /*keepdim=*/true);   // [n,1]
            auto e = (s - m).exp_();
            const auto z = e.sum(1);
            lse.narrow(0, r0, n).copy_(z.log() + m.squeeze(1));
            if (withMean)
                mean.narrow(0, r0, n).copy_(e.mul_(s).sum(1) / z);
        }
        ctx->save_for_backward({x, idx, lse});
        ctx->saved_data["temperature"] = temperature;
        ctx->mark_non_differentiable({mean});
        return {selected, lse, mean};
    }

    static variable_list backward(AutogradContext* ctx, variable_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto& x = saved[0];
        const auto& idx = saved[1];
        const auto& lse = saved[2];
        const double temperature = ctx->saved_data["temperature"].toDouble();
        const auto& gSel = grads[0];
        const auto& gLse = grads[1];
        const int64_t N = x.size(0);
        auto grad = torch::empty_like(x);
        const int64_t rows = blockRows(x);
        for (int64_t r0 = 0; r0 < N; r0 += rows) {
            const int64_t n = std::min(rows, N - r0);
            auto g = grad.narrow(0, r0, n);
            if (gLse.defined()) {
                // d lse / d x = softmax(x/t) / t
                auto s = x.narrow(0, r0, n);
                if (temperature != 1.0)
                    s = s / temperature;
                torch::sub_out(g, s, lse.narrow(0, r0, n).unsqueeze(1));
                g.exp_().mul_((gLse.narrow(0, r0, n) / temperature).unsqueeze(1));
            } else {
                g.zero_();
            }
            if (gSel.defined())
                g.scatter_add_(1, idx.narrow(0, r0, n), gSel.narrow(0, r0, n).unsqueeze(1));
        }
        return {grad, torch::Tensor(), torch::Tensor(), torch::Tensor()};
    }
};

} // namespace

RowLogSumExp rowLogSumExpGather(const torch::Tensor& x, const torch::Tensor& index, double temperature,
                                bool withSoftmaxMean)
{
    if (!x.defined() || x.dim() != 2)
        throw Error("rowLogSumExpGather: x must be [N,V]");
    if (!index.defined() || index.numel() != x.size(0))
        throw Error("rowLogSumExpGather: one index per row is needed");
    if (!(temperature > 0))
        throw Error("rowLogSumExpGather: the temperature must be positive");
    if (x.size(0) == 0) {
        auto e = torch::zeros({0}, x.options());
        return {e, e, e};
    }
    const auto out = RowLogSumExpFn::apply(x, index.to(torch::kLong), temperature, withSoftmaxMean);
    return {out[0], out[1], out[2]};
}

} // namespace hw
