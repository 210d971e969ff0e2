#include "core/offline/local_chat_server.h"

#include "core/gen/generation_engine.h"
#include "core/gen/slot_decoder.h"
#include "core/model/dialogue_codec.h"
#include "core/model/generation.h"
#include "core/model/model_io.h"
#include "core/net/http_server.h"
#include "core/offline/chat_http_guard.h"
#include "core/offline/in_flight_budget.h"
#include "core/rl/ilql_policy.h"
#include "core/rl/ilql_sampling.h"
#include "core/train/ilql_trainer.h"
#include "core/train/checkpoint.h"
#include "core/util/error.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <random>

namespace hw {
namespace {

// An invalid request: becomes HTTP 400 with the parameter named.
class RequestError : public Error {
public:
    RequestError(const std::string& what, std::string param, int status = 400, std::string code = "")
        : Error(what), param(std::move(param)), status(status), code(std::move(code))
    {
    }
    std::string param;
    int status;
    std::string code;
};

HttpServerResponse errorResponse(int status, const std::string& message, const std::string& type,
                                 const std::string& param = "", const std::string& code = "")
{
    return openAiError(status, message, type, param, code);
}

// Below this a temperature would overflow the logits (1e-320 is a denormal): it means greedy.
constexpr double kMinTemperature = 1e-3;
constexpr double kMaxTokensLimit = 1e6;
constexpr size_t kMaxStopStrings = 4;

int64_t unixNow()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string completionId()
{
    static std::atomic<uint64_t> counter{0};
    return "chatcmpl-hw" + std::to_string(unixNow()) + "-" + std::to_string(++counter);
}

// The parsed request.
struct Request {
    std::string context;
    std::vector<Turn> turns;
    SamplingOptions sampling;
    int64_t maxTokens = 0;
    int n = 1;
    bool stream = false;
    std::vector<std::string> stop;
    std::optional<double> beta;   // ILQL servers: β of this request
};

} // namespace

struct LocalChatServer::Impl {
    ChatServerOptions options;
    std::string dir;
    std::string name;
    Transformer model{nullptr};
    std::optional<IlqlDecodingModel> ilql;   // ChatServerOptions::beta set
    IlqlDecodeConfig ilqlDecode;             // the checkpoint's decoding options
    std::unique_ptr<DialogueCodec> codec;
    std::unique_ptr<HttpServer> server;
    std::unique_ptr<ChatHttpGuard> guard;
    std::unique_ptr<InFlightBudget> budget;
    std::mutex modelMutex; // one generation at a time (the model is not shared across threads)
    std::unique_ptr<GenerationEngine> engine; // continuous batching; null = one request at a time
    int64_t created = unixNow();

    Request parse(const nlohmann::json& body)
    {
        if (!body.is_object())
            throw RequestError("the request body must be a JSON object", "");
        Request r;
        const auto it = body.find("messages");
        if (it == body.end() || !it->is_array() || it->empty())
            throw RequestError("'messages' must be a non-empty array", "messages");
        int index = 0;
        for (const auto& m : *it) {
            if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
                throw RequestError("each message needs a string 'role'", "messages");
            const std::string role = m["role"].get<std::string>();
            std::string content;
            const auto c = m.find("content");
            if (c != m.end() && c->is_string()) {
                content = c->get<std::string>();
            } else if (c != m.end() && c->is_array()) { // [{"type":"text","text":...}]
                for (const auto& part : *c)
                    if (part.is_object() && part.value("type", "") == "text")
                        content += part.value("text", "");
            } else if (c != m.end() && !c->is_null()) {
                throw RequestError("message content must be a string or a list of text parts", "messages");
            }
            if (role == "system" || role == "developer") {
                r.context += (r.context.empty() ? "" : "\n") + content;
            } else if (role == "user" || role == "assistant") {
                Turn t;
                t.index = index++;
                t.role = role == "user" ? Role::User : Role::Agent;
                t.text = content;
                r.turns.push_back(std::move(t));
            } else {
                throw RequestError("unsupported message role '" + role + "'", "messages");
            }
        }
        auto number = [&](const char* key, double lo, double hi) -> std::optional<double> {
            const auto v = body.find(key);
            if (v == body.end() || v->is_null())
                return std::nullopt;
            if (!v->is_number())
                throw RequestError(std::string("'") + key + "' must be a number", key);
            const double x = v->get<double>();
            if (!std::isfinite(x) || x < lo || x > hi)
                throw RequestError(std::string("'") + key + "' must be in [" + std::to_string(lo) + ", "
                                       + std::to_string(hi) + "]",
                                   key);
            return x;
        };
        r.sampling.temperature = number("temperature", 0, 2).value_or(options.defaultTemperature);
        if (r.sampling.temperature < kMinTemperature)
            r.sampling.temperature = 0;
        r.sampling.topP = number("top_p", 0, 1).value_or(1.0);
        if (r.sampling.topP <= 0)
            r.sampling.temperature = 0; // top_p 0 keeps only the best token
        r.sampling.topK = static_cast<int64_t>(number("top_k", 0, 1e9).value_or(0));
        const auto maxTokens = number("max_completion_tokens", 1, kMaxTokensLimit)
                                   ? number("max_completion_tokens", 1, kMaxTokensLimit)
                                   : number("max_tokens", 1, kMaxTokensLimit);
        r.maxTokens = maxTokens ? static_cast<int64_t>(*maxTokens) : options.defaultMaxTokens;
        r.n = static_cast<int>(number("n", 1, options.maxN).value_or(1));
        if (const auto seed = number("seed", -9.2e18, 1.8e19)) {
            // Negative seeds wrap as two's complement; casting a value above INT64_MAX to int64 is UB.
            r.sampling.seed = *seed < 0 ? static_cast<uint64_t>(static_cast<int64_t>(*seed))
                                        : static_cast<uint64_t>(*seed);
        } else {
            std::random_device rd;
            r.sampling.seed = (static_cast<uint64_t>(rd()) << 32) | rd();
        }
        if (const auto s = body.find("stream"); s != body.end() && !s->is_null()) {
            if (!s->is_boolean())
                throw RequestError("'stream' must be a boolean", "stream");
            r.stream = s->get<bool>();
        }
        if (const auto b = number("beta", 0, 1e6)) {
            if (!ilql)
                throw RequestError("'beta' needs a server started with --beta (an ILQL checkpoint)", "beta");
            r.beta = *b;
        } else if (ilql) {
            r.beta = options.beta;
        }
        if (const auto s = body.find("stop"); s != body.end() && !s->is_null()) {
            if (s->is_string())
                r.stop.push_back(s->get<std::string>());
            else if (s->is_array())
                for (const auto& x : *s)
                    if (x.is_string() && !x.get<std::string>().empty())
                        r.stop.push_back(x.get<std::string>());
            if (r.stop.size() > kMaxStopStrings)
                throw RequestError("'stop' takes at most " + std::to_string(kMaxStopStrings) + " strings", "stop");
        }
        return r;
    }

    // Refuses a prompt longer than the model's context (older turns are still dropped to make
    // room for the reply, but a prompt that cannot fit at all is the client's error), then holds
    // the request's share of the in-flight budget.
    std::shared_ptr<void> reserve(const Request& r)
    {
        const int64_t context = model->config().maxPositionEmbeddings;
        const auto promptTokens = static_cast<int64_t>(codec->encodePrompt(r.context, r.turns).size());
        if (promptTokens >= context)
            throw RequestError("this model's context is " + std::to_string(context) + " tokens; the messages are "
                                   + std::to_string(promptTokens) + " tokens",
                               "messages", 400, "context_length_exceeded");
        const int64_t need = static_cast<int64_t>(r.n) * std::min<int64_t>(context, promptTokens + r.maxTokens);
        if (need > budget->capacity())
            throw RequestError("the request needs " + std::to_string(need) + " token positions, more than this server's in-flight budget of "
                                   + std::to_string(budget->capacity()) + " (lower n or max_tokens)",
                               "n", 413);
        auto reservation = budget->tryReserve(need);
        if (!reservation)
            throw RequestError("the server is busy with other requests; retry shortly", "", 429, "server_busy");
        return reservation;
    }

    // Prompts, generation options and (ILQL) logits hook for a request.
    std::pair<std::vector<std::vector<int64_t>>, GenerationOptions> prepare(const Request& r, LogitsHook* hook = nullptr)
    {
        const auto& sp = codec->tokenizer().special();
        const int64_t maxPos = model->config().maxPositionEmbeddings;
        GenerationOptions go;
        go.sampling = r.sampling;
        go.maxNewTokens = std::min<int64_t>(r.maxTokens, maxPos - 8);
        go.stopTokens = {sp.endOfAction, sp.endOfState, sp.endOfDialogue};
        go.padId = sp.pad;
        CodecOptions co = codec->options();
        co.maxTokens = maxPos - go.maxNewTokens; // room for the reply: older turns are dropped
        const DialogueCodec c(codec->tokenizer(), co);
        const auto prompt = c.encodePrompt(r.context, r.turns);
        if (ilql && r.beta && hook) {
            go.sampling.bannedTokens = {sp.pad, sp.bos};
            useIlqlDecoding(go, *hook, *ilql,
                            ilqlDecodeConfigFor(ilqlDecode, r.sampling.temperature, r.sampling.topK, r.sampling.topP, *r.beta));
        }
        return {std::vector<std::vector<int64_t>>(static_cast<size_t>(r.n), prompt), go};
    }

    nlohmann::json usage(int64_t prompt, int64_t completion)
    {
        return {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
    }

    std::string finishReason(FinishReason f)
    {
        return f == FinishReason::Length ? "length" : "stop";
    }

    nlohmann::json completeParsed(const Request& r)
    {
        LogitsHook hook;
        auto [prompts, go] = prepare(r, &hook);
        GenerationResult g;
        if (useEngine(go)) {
            EngineRequest er;
            er.prompts = prompts;
            er.options = go;
            er.hook = hook;
            g = engine->submit(std::move(er)).get();
        } else {
            std::lock_guard<std::mutex> lock(modelMutex);
            g = generate(model, prompts, go, hook);
        }
        nlohmann::json choices = nlohmann::json::array();
        int64_t completion = 0;
        for (size_t i = 0; i < g.tokens.size(); ++i) {
            std::string text = codec->decodeTurn(g.tokens[i]);
            std::string reason = finishReason(g.finish[i]);
            for (const auto& s : r.stop)
                if (const auto pos = text.find(s); pos != std::string::npos) {
                    text.resize(pos);
                    reason = "stop";
                }
            completion += static_cast<int64_t>(g.tokens[i].size());
            choices.push_back({{"index", i},
                               {"message", {{"role", "assistant"}, {"content", text}}},
                               {"logprobs", nullptr},
                               {"finish_reason", reason}});
        }
        return {{"id", completionId()},
                {"object", "chat.completion"},
                {"created", unixNow()},
                {"model", name},
                {"system_fingerprint", "hindsight-" + name},
                {"choices", choices},
                {"usage", usage(static_cast<int64_t>(prompts[0].size()) * r.n, completion)}};
    }

    bool useEngine(const GenerationOptions& go) const { return engine && go.companions.empty(); }

    // Tokens of a streamed request, from the engine thread to the connection's thread: the engine
    // never waits on a slow client, and a client that has gone cancels the request (its slot is
    // free at the next step).
    struct StreamChannel {
        std::mutex mutex;
        std::condition_variable ready;
        std::deque<std::pair<size_t, std::string>> deltas;
    };

    HttpServerResponse streamedByEngine(const Request& r)
    {
        LogitsHook hook;
        auto [prompts, go] = prepare(r, &hook);
        auto channel = std::make_shared<StreamChannel>();
        auto streamers = std::make_shared<std::vector<TextStreamer>>(prompts.size(), TextStreamer(codec->tokenizer()));
        const auto sp = codec->tokenizer().special();
        EngineRequest er;
        er.prompts = prompts;
        er.options = go;
        er.hook = hook;
        er.onToken = [channel, streamers, sp](const TokenEvent& e) {
            if (e.stop || e.token == sp.endOfAction || e.token == sp.endOfState || e.token == sp.endOfDialogue)
                return;
            std::string delta = (*streamers)[size_t(e.row)].push(e.token);
            if (delta.empty())
                return;
            std::lock_guard<std::mutex> lock(channel->mutex);
            channel->deltas.emplace_back(size_t(e.row), std::move(delta));
            channel->ready.notify_one();
        };
        StopToken cancel = er.stop;
        auto future = std::make_shared<std::future<GenerationResult>>(engine->submit(std::move(er))); // may throw EngineQueueFull
        HttpServerResponse resp;
        resp.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}};
        resp.stream = [this, r, channel, future, cancel](HttpChunkWriter& w) {
            const std::string id = completionId();
            const int64_t created = unixNow();
            auto chunk = [&](size_t index, const nlohmann::json& delta, const nlohmann::json& finish) {
                nlohmann::json c = {{"id", id},
                                    {"object", "chat.completion.chunk"},
                                    {"created", created},
                                    {"model", name},
                                    {"choices", {{{"index", index}, {"delta", delta}, {"finish_reason", finish}}}}};
                return "data: " + c.dump() + "\n\n";
            };
            for (int i = 0; i < r.n; ++i)
                if (!w.write(chunk(static_cast<size_t>(i), {{"role", "assistant"}, {"content", ""}}, nullptr))) {
                    cancel.requestStop();
                    return;
                }
            for (;;) {
                std::deque<std::pair<size_t, std::string>> batch;
                const bool finished = future->wait_for(std::chrono::seconds(0)) == std::future_status::ready;
                {
                    std::unique_lock<std::mutex> lock(channel->mutex);
                    if (channel->deltas.empty() && !finished)
                        channel->ready.wait_for(lock, std::chrono::milliseconds(20));
                    batch.swap(channel->deltas);
                }
                for (const auto& [row, delta] : batch)
                    if (!w.write(chunk(row, {{"content", delta}}, nullptr))) {
                        cancel.requestStop(); // client went away: the engine frees its slot
                        return;
                    }
                if (finished && batch.empty())
                    break;
            }
            GenerationResult g;
            try {
                g = future->get();
            } catch (const std::exception&) {
                return; // the request failed after the headers went out: end the stream
            }
            for (size_t i = 0; i < g.finish.size(); ++i)
                w.write(chunk(i, nlohmann::json::object(), finishReason(g.finish[i])));
            w.write("data: [DONE]\n\n");
        };
        return resp;
    }

    HttpServerResponse streamed(const Request& r)
    {
        if (engine) {
            LogitsHook probe;
            auto prepared = prepare(r, &probe);
            if (useEngine(prepared.second))
                return streamedByEngine(r);
        }
        HttpServerResponse resp;
        resp.headers = {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}};
        resp.stream = [this, r](HttpChunkWriter& w) {
            const std::string id = completionId();
            const int64_t created = unixNow();
            auto chunk = [&](size_t index, const nlohmann::json& delta, const nlohmann::json& finish) {
                nlohmann::json c = {{"id", id},
                                    {"object", "chat.completion.chunk"},
                                    {"created", created},
                                    {"model", name},
                                    {"choices", {{{"index", index}, {"delta", delta}, {"finish_reason", finish}}}}};
                return "data: " + c.dump() + "\n\n";
            };
            StopToken gone;
            for (int i = 0; i < r.n; ++i)
                if (!w.write(chunk(static_cast<size_t>(i), {{"role", "assistant"}, {"content", ""}}, nullptr)))
                    return;
            LogitsHook hook;
            auto [prompts, go] = prepare(r, &hook);
            std::vector<TextStreamer> streamers(prompts.size(), TextStreamer(codec->tokenizer()));
            const auto& sp = codec->tokenizer().special();
            GenerationResult g;
            {
                std::lock_guard<std::mutex> lock(modelMutex);
                g = generate(
                    model, prompts, go, hook,
                    [&](const TokenEvent& e) {
                        if (e.stop || e.token == sp.endOfAction || e.token == sp.endOfState
                            || e.token == sp.endOfDialogue || gone.stopRequested())
                            return;
                        const std::string delta = streamers[static_cast<size_t>(e.row)].push(e.token);
                        if (!delta.empty() && !w.write(chunk(static_cast<size_t>(e.row), {{"content", delta}}, nullptr)))
                            gone.requestStop(); // client went away: stop generating
                    },
                    &gone);
            }
            if (gone.stopRequested())
                return;
            for (size_t i = 0; i < g.finish.size(); ++i)
                w.write(chunk(i, nlohmann::json::object(), finishReason(g.finish[i])));
            w.write("data: [DONE]\n\n");
        };
        return resp;
    }

    HttpServerResponse handle(const HttpServerRequest& req)
    {
        try {
            if (auto refused = guard->check(req, req.path != "/health"))
                return *refused;
            if (req.path == "/health")
                return HttpServerResponse::text(200, "ok");
            if (req.path == "/metrics") {
                EngineMetrics e;
                if (engine)
                    e = engine->metrics();
                auto resp = HttpServerResponse::text(200, GenerationEngine::prometheusText(e, name));
                resp.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
                return resp;
            }
            if (req.path == "/v1/models" || req.path == "/models") {
                if (req.method != "GET")
                    return errorResponse(405, "use GET for " + req.path, "invalid_request_error");
                nlohmann::json models = {{"object", "list"},
                                         {"data",
                                          {{{"id", name},
                                            {"object", "model"},
                                            {"created", created},
                                            {"owned_by", "hindsight-workbench"}}}}};
                return HttpServerResponse::json(200, models.dump());
            }
            if (req.path == "/v1/chat/completions" || req.path == "/chat/completions") {
                if (req.method != "POST")
                    return errorResponse(405, "use POST for " + req.path, "invalid_request_error");
                nlohmann::json body;
                try {
                    body = nlohmann::json::parse(req.body);
                } catch (const nlohmann::json::exception& e) { // parse_error, out_of_range (1e400)
                    return errorResponse(400, std::string("the body is not valid JSON: ") + e.what(),
                                         "invalid_request_error");
                }
                const Request r = parse(body);
                auto reservation = reserve(r);
                if (r.stream) {
                    HttpServerResponse resp = streamed(r);
                    // The reservation lives as long as the stream.
                    resp.stream = [inner = std::move(resp.stream), reservation](HttpChunkWriter& w) { inner(w); };
                    return resp;
                }
                return HttpServerResponse::json(
                    200, completeParsed(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
            }
            return errorResponse(404, "no route " + req.method + " " + req.path
                                          + " (this server offers /v1/models and /v1/chat/completions)",
                                 "invalid_request_error");
        } catch (const RequestError& e) {
            return errorResponse(e.status, e.what(), e.status == 429 ? "rate_limit_error" : "invalid_request_error",
                                 e.param, e.code);
        } catch (const EngineQueueFull& e) {
            return errorResponse(429, e.what(), "rate_limit_error");
        } catch (const std::exception& e) {
            return errorResponse(500, e.what(), "server_error");
        }
    }
};

LocalChatServer::LocalChatServer(ChatServerOptions options) : m(std::make_unique<Impl>())
{
    m->options = std::move(options);
    m->dir = resolveCheckpointDir(m->options.checkpoint);
    LoadOptions lo;
    lo.device = m->options.device;
    auto loaded = loadModelDirectory(m->dir, lo);
    if (!loaded.tokenizer)
        throw Error(m->dir + ": missing tokenizer.model (serving needs the checkpoint's tokenizer)");
    m->model = loaded.model;
    if (m->options.beta) {
        if (!(*m->options.beta >= 0))
            throw Error("--beta must be >= 0");
        m->ilql = loadIlqlDecodingModel(m->dir, m->options.device); // names the file when heads are missing
        m->ilqlDecode = loadIlqlDecodeConfig(m->dir);
        if (m->ilql->trunk->config().vocabSize != m->model->config().vocabSize)
            throw Error(m->dir + ": the ILQL trunk's vocabulary differs from the tokenizer's model");
        m->model = m->ilql->trunk;
    }
    m->model->eval();
    if (m->options.continuousBatching && SlotDecoder::supports(m->model)) {
        EngineOptions eo;
        eo.maxBatch = std::max<int64_t>(m->options.maxBatch, 1);
        m->options.maxN = int(std::min<int64_t>(m->options.maxN, eo.maxBatch)); // a request's samples share its slots
        eo.maxQueue = m->options.maxQueue;
        eo.maxLength = m->model->config().maxPositionEmbeddings;
        m->engine = std::make_unique<GenerationEngine>(m->model, eo);
    }
    m->codec = std::make_unique<DialogueCodec>(std::move(*loaded.tokenizer));
    m->name = !m->options.modelName.empty() ? m->options.modelName
                                            : std::filesystem::path(m->dir).lexically_normal().filename().string();
    if (m->name.empty() || m->name.rfind("step-", 0) == 0) // OUT/step-N: name it after OUT
        m->name = std::filesystem::path(m->dir).lexically_normal().parent_path().filename().string() + "/"
                  + m->name;
}

LocalChatServer::~LocalChatServer() { stop(); }

void LocalChatServer::start()
{
    HttpServer::Options so;
    so.host = m->options.host;
    so.port = m->options.port;
    so.maxBodyBytes = m->options.maxBodyBytes;
    so.maxConnectionsPerClient = m->options.maxConnectionsPerClient;
    so.headerTimeoutMs = m->options.headerTimeoutMs;
    const int64_t context = m->model->config().maxPositionEmbeddings;
    m->budget = std::make_unique<InFlightBudget>(m->options.maxInFlightTokens > 0 ? m->options.maxInFlightTokens
                                                                                  : 64 * context);
    ChatHttpGuard::Options go;
    go.boundHost = m->options.host;
    go.port = m->options.port;
    go.apiKey = m->options.apiKey;
    go.allowedHosts = m->options.allowedHosts;
    m->guard = std::make_unique<ChatHttpGuard>(go);
    m->server = std::make_unique<HttpServer>([this](const HttpServerRequest& r) { return m->handle(r); }, so);
    m->server->start();
    m->guard->setPort(m->server->port()); // the real one when options.port was 0
}

void LocalChatServer::stop()
{
    if (m && m->server)
        m->server->stop();
}

std::string LocalChatServer::baseUrl() const { return m->server ? m->server->baseUrl() : std::string(); }
uint16_t LocalChatServer::port() const { return m->server ? m->server->port() : 0; }
const std::string& LocalChatServer::modelName() const { return m->name; }
uint64_t LocalChatServer::requestsServed() const { return m->server ? m->server->requestsServed() : 0; }

nlohmann::json LocalChatServer::complete(const nlohmann::json& request)
{
    return m->completeParsed(m->parse(request));
}

} // namespace hw
