// bench_chat_latency: what the chat page feels like. Time to first token and tokens/s of one
// reply for each agent kind, through the same ChatAgent objects the page uses:
//   π_β           a small-config checkpoint (vocab 8k, hidden 256, 4 layers, 4 heads / 2 KV heads,
//                 FFN 688), KV-cache generation, per-token π_β probability;
//   ILQL shared   the same plus value heads on π_β's trunk: per token V, min(Q̂1,Q̂2) over the
//                 vocabulary and the perturbed distribution π_β·exp(β(Q̂−V));
//   ILQL separate the ILQL trainer's default layout: the heads sit on their own value trunk (same
//                 small config), which decodes in lockstep with π_β on its own KV cache;
//   endpoint      the prompting baseline (plain prompt) against `hindsight serve` on the same
//                 checkpoint in this process (the client does not stream: first token = whole reply);
//   endpoint-fake the same client against a server that answers at once (HTTP + prompt overhead).
//
//   bench_chat_latency [--tokens N=64] [--replies R=5] [--history TURNS=6] [--json]
//
// Weights are random (latency does not depend on them); replies are sampled (temperature 1) with
// the stop tokens banned from nothing, so a reply may end early: tokens/s counts the tokens made.
#include "core/util/runtime_env.h"
#include "core/chat/chat_agent.h"
#include "core/llm/endpoint_profile.h"
#include "core/model/device.h"
#include "core/model/model_config.h"
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/model/tokenizer.h"
#include "core/model/transformer.h"
#include "core/net/http_server.h"
#include "core/offline/local_chat_server.h"
#include "core/rl/ilql_heads.h"
#include "core/train/ilql_trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

using namespace hw;
namespace fs = std::filesystem;

namespace {

struct Args {
    int64_t tokens = 64;
    int replies = 5;
    int history = 6;
    bool json = false;
};

Args parse(int argc, char** argv)
{
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string s = argv[i];
        auto next = [&] { return i + 1 < argc ? std::atoll(argv[++i]) : 0LL; };
        if (s == "--tokens") a.tokens = next();
        else if (s == "--replies") a.replies = int(next());
        else if (s == "--history") a.history = int(next());
        else if (s == "--json") a.json = true;
        else {
            std::fprintf(stderr, "usage: bench_chat_latency [--tokens N] [--replies R] [--history TURNS] [--json]\n");
            std::exit(2);
        }
    }
    return a;
}

// Enough distinct words for an 8k SentencePiece vocabulary: pseudo-words from syllables.
std::vector<std::string> corpus()
{
    const char* syl[] = {"ka", "lo", "mi", "ren", "sta", "vor", "tu", "qua", "zen", "pil", "dro", "fe",
                         "gan", "hu", "jes", "ne", "ob", "pra", "sil", "tem", "ul", "vim", "wex", "yor"};
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> s(0, 23), len(1, 4), words(6, 18);
    std::vector<std::string> out;
    for (int line = 0; line < 40000; ++line) {
        std::string t;
        const int n = words(rng);
        for (int w = 0; w < n; ++w) {
            if (w)
                t += ' ';
            const int l = len(rng);
            for (int k = 0; k < l; ++k)
                t += syl[s(rng)];
        }
        out.push_back(std::move(t));
    }
    return out;
}

std::string makeCheckpoint(const std::string& dir)
{
    TokenizerTrainOptions to;
    to.vocabSize = 8000;
    to.inputSentenceSize = 0;
    const Tokenizer tok = Tokenizer::train(corpus(), to);
    torch::manual_seed(0);
    ModelConfig config = ModelConfig::small(tok.vocabSize());
    Transformer model(config);
    saveModelDirectory(dir, model, &tok);
    IlqlHeadsOptions ho;
    ho.hidden = config.hiddenSize;
    ho.vocab = config.vocabSize;
    IlqlHeads heads(ho);
    heads->hardUpdate();
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& p : heads->named_parameters(true))
        tensors.emplace_back(p.key(), p.value().detach());
    safetensors::save(dir + "/ilql_heads.safetensors", tensors);
    return dir;
}

// The trainer's default (separate) layout next to the same π_β: a value trunk of the same config
// with its own weights, its config, and the heads under the separate layout's file name (no target
// trunk: the trainer's default targets are heads-only).
std::string makeSeparateCheckpoint(const std::string& from, const std::string& dir)
{
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(from))
        if (e.path().filename() != "ilql_heads.safetensors")
            fs::copy(e.path(), fs::path(dir) / e.path().filename());
    const ModelConfig config = ModelConfig::load(from + "/config.json");
    torch::manual_seed(1);
    Transformer valueTrunk(config);
    safetensors::save(dir + "/value_trunk.safetensors", valueTrunk->namedWeights());
    config.save(dir + "/value_trunk_config.json");
    IlqlHeadsOptions ho;
    ho.hidden = config.hiddenSize;
    ho.vocab = config.vocabSize;
    IlqlHeads heads(ho);
    heads->hardUpdate();
    safetensors::save(dir + "/ilql_value_heads.safetensors", ilqlHeadsTensors(heads));
    return dir;
}

ChatReplyRequest request(int turns)
{
    ChatReplyRequest r;
    r.task = Task::counseling();
    r.context = "worried about my job";
    const char* user[] = {"I feel sad about my job.", "My boss shouted at me today.", "I do not know what to do."};
    const char* agent[] = {"I am sorry to hear that. What happened?", "That sounds really hard.",
                           "You are not alone. What would help right now?"};
    for (int i = 0; i < turns; ++i) {
        Turn t;
        t.index = i;
        t.role = i % 2 == 0 ? Role::User : Role::Agent;
        t.text = i % 2 == 0 ? user[(i / 2) % 3] : agent[(i / 2) % 3];
        r.history.push_back(t);
    }
    if (r.history.empty() || r.history.back().role != Role::User)
        r.history.push_back(Turn{int(r.history.size()), Role::User, "Are you still there?", nlohmann::json::object()});
    return r;
}

struct Figures {
    std::string agent;
    double ttftMs = 0;      // median time to first token
    double tokensPerS = 0;  // median decode rate after the first token (endpoint: tokens / latency)
    double replyMs = 0;     // median whole reply
    double tokens = 0;      // mean tokens per reply
};

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

Figures measure(const std::string& name, ChatAgent& agent, const ChatReplyRequest& req, int replies)
{
    agent.reply(req, {}, StopToken()); // warm-up: allocations, first-call kernels
    std::vector<double> ttft, rate, total;
    double tokens = 0;
    for (int i = 0; i < replies; ++i) {
        const ChatReply r = agent.reply(req, {}, StopToken());
        ttft.push_back(r.firstTokenSeconds * 1000);
        total.push_back(r.seconds * 1000);
        tokens += double(r.tokenCount);
        if (agent.spec().isLocal())
            rate.push_back(r.tokenCount > 1 && r.seconds > r.firstTokenSeconds
                               ? double(r.tokenCount - 1) / (r.seconds - r.firstTokenSeconds)
                               : 0.0);
        else
            rate.push_back(r.seconds > 0 ? double(r.tokenCount) / r.seconds : 0.0);
    }
    return {name, median(ttft), median(rate), median(total), tokens / replies};
}

} // namespace

int main(int argc, char** argv)
{
    hw::ensureRuntimeEnvironment(argc, argv); // OpenBLAS kernels, OpenMP wait policy
    std::fprintf(stderr, "%s\n", hw::runtimeEnvironmentSummary().c_str());
    const Args args = parse(argc, argv);
    configureTorchThreads();
    const std::string base = (fs::temp_directory_path() / ("bench-chat-" + std::to_string(::getpid()))).string();
    fs::create_directories(base);
    setenv("HW_CONFIG_DIR", base.c_str(), 1);
    const std::string ckpt = makeCheckpoint(base + "/checkpoint");
    const ChatReplyRequest req = request(args.history);

    std::vector<Figures> rows;
    ChatAgentSpec spec;
    spec.checkpoint = ckpt;
    spec.temperature = 1.0;
    spec.seed = 1;
    spec.maxNewTokens = args.tokens;

    spec.kind = agent_kind::kPolicy;
    {
        // π_β alone, without heads on disk (what an SFT checkpoint is).
        const std::string plain = base + "/plain";
        fs::create_directories(plain);
        for (const auto& e : fs::directory_iterator(ckpt))
            if (e.path().filename() != "ilql_heads.safetensors")
                fs::copy(e.path(), plain / e.path().filename());
        ChatAgentSpec p = spec;
        p.checkpoint = plain;
        auto agent = makeChatAgent(p);
        rows.push_back(measure("pi_beta", *agent, req, args.replies));
    }
    spec.kind = agent_kind::kIlql;
    spec.beta = 8.0;
    {
        auto agent = makeChatAgent(spec);
        rows.push_back(measure("ilql shared (beta 8)", *agent, req, args.replies));
    }
    {
        ChatAgentSpec sep = spec;
        sep.checkpoint = makeSeparateCheckpoint(ckpt, base + "/separate");
        auto agent = makeChatAgent(sep);
        rows.push_back(measure("ilql separate (beta 8)", *agent, req, args.replies));
    }

    // Endpoints: a profile file so the reply length matches.
    ChatServerOptions so;
    so.checkpoint = ckpt;
    so.port = 0;
    so.defaultMaxTokens = args.tokens;
    LocalChatServer served(so);
    served.start();
    HttpServer fake([](const HttpServerRequest&) {
        return HttpServerResponse::json(
            200, R"({"id":"x","object":"chat.completion","model":"fake","choices":[{"index":0,"finish_reason":"stop",)"
                 R"("message":{"role":"assistant","content":"I hear you. What happened at work today?"}}],)"
                 R"("usage":{"prompt_tokens":120,"completion_tokens":12,"total_tokens":132}})");
    });
    fake.start();
    EndpointProfiles profiles;
    EndpointProfile sp;
    sp.name = "serve";
    sp.baseUrl = served.baseUrl() + "/v1";
    sp.model = served.modelName();
    sp.maxTokens = int(args.tokens);
    sp.temperature = 1.0;
    profiles.upsert(sp);
    EndpointProfile fp = sp;
    fp.name = "fake";
    fp.baseUrl = fake.baseUrl() + "/v1";
    fp.model = "fake";
    profiles.upsert(fp);
    ChatAgentEnv env;
    env.endpointsFile = base + "/endpoints.json";
    profiles.save(env.endpointsFile);
    spec.kind = agent_kind::kEndpoint;
    spec.prompting = prompting::kPlain;
    spec.endpoint = "serve";
    {
        auto agent = makeChatAgent(spec, env);
        rows.push_back(measure("endpoint: hindsight serve", *agent, req, args.replies));
    }
    spec.endpoint = "fake";
    {
        auto agent = makeChatAgent(spec, env);
        rows.push_back(measure("endpoint: instant fake", *agent, req, args.replies));
    }
    served.stop();
    fake.stop();
    fs::remove_all(base);

    const std::string device = defaultDeviceName();
    if (args.json) {
        nlohmann::json j = {{"device", device}, {"tokens", args.tokens}, {"replies", args.replies},
                            {"history_turns", args.history}};
        for (const auto& r : rows)
            j["agents"].push_back({{"agent", r.agent}, {"ttft_ms", r.ttftMs}, {"tokens_per_s", r.tokensPerS},
                                   {"reply_ms", r.replyMs}, {"tokens", r.tokens}});
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("chat latency, small config (vocab 8k, hidden 256, 4 layers, 4/2 heads, FFN 688), %s, "
                "torch threads %d, %lld new tokens, %d-turn history, median of %d replies\n",
                device.c_str(), torch::get_num_threads(), static_cast<long long>(args.tokens), args.history,
                args.replies);
    std::printf("  %-26s %14s %12s %12s %8s\n", "agent", "first token", "tokens/s", "reply", "tokens");
    for (const auto& r : rows)
        std::printf("  %-26s %11.1f ms %12.0f %9.1f ms %8.1f\n", r.agent.c_str(), r.ttftMs, r.tokensPerS, r.replyMs,
                    r.tokens);
    std::printf("  (endpoint: the client does not stream, so its first token is the whole reply; its tokens/s\n"
                "   is completion tokens over the whole request, HTTP and prompt included)\n");
    return 0;
}
