#include "app/cli/pipeline_options.h"

#include "core/store/database.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"

#include <cstdio>
#include <memory>
#include <mutex>
#include <iostream>

namespace hw::cli {

const char* kEndpointOptionsHelp = R"(
endpoint (any OpenAI-compatible /v1/chat/completions server):
  --endpoint NAME|URL     a saved profile (see `hindsight endpoint`) or a base URL such as
                          http://127.0.0.1:8000/v1 (then --model is required)
  --model NAME            model name (overrides the profile's)
  --api-key-env VAR       environment variable holding the API key (the key is never stored)
  --temperature X         sampling temperature
  --max-tokens N          completion token limit
  --timeout SECONDS       per attempt
  --max-attempts N        tries per call (timeouts, connection errors, 429, 5xx)
  --price-prompt X        price per 1k prompt tokens (for the cost figures)
  --price-completion X    price per 1k completion tokens
)";

const char* kJobOptionsHelp = R"(
job:
  --task NAME             the task (default: the project's only task)
  --seed N                seed for sampling and picks (default 0); part of each request's cache key
  --limit N               process at most N items
  --concurrency N         requests in flight (default: the endpoint's maxInFlight)
  --json                  print a JSON summary on stdout: {"job_id","kind","status",
                          "items":{"total","done","failed","skipped","processed"},"requests",
                          "cache_hits","retries","prompt_tokens","completion_tokens","tokens","cost",...,
                          "description":{the stage description the job stores and resumes from}}
  --quiet                 no progress on stderr

Jobs commit every finished item. Running the same command again continues an interrupted job:
finished items are skipped and finished LLM calls are replayed from the project's cache.
Progress goes to stderr; Ctrl+C stops cleanly (run again to resume).
)";

std::set<std::string> endpointValueOptions()
{
    std::set<std::string> out;
    for (const std::string p : {"", "hard-"})
        for (const char* o : {"endpoint", "model", "api-key-env", "temperature", "max-tokens", "timeout",
                              "max-attempts", "price-prompt", "price-completion"})
            out.insert(p + o);
    return out;
}

std::set<std::string> jobValueOptions() { return {"task", "seed", "limit", "concurrency"}; }
std::set<std::string> jobFlags() { return {"json", "quiet"}; }

std::optional<EndpointProfile> endpointFromArgs(const Args& args, bool required, const std::string& prefix)
{
    const auto endpoint = args.value(prefix + "endpoint");
    if (!endpoint) {
        if (required)
            throw Error("--" + prefix + "endpoint is required (a profile name or a URL such as http://127.0.0.1:8000/v1)");
        return std::nullopt;
    }
    EndpointProfile p = resolveEndpoint(*endpoint, args.value(prefix + "model", ""), EndpointProfiles::load());
    if (auto v = args.value(prefix + "api-key-env"))
        p.apiKeyEnv = *v;
    p.temperature = args.doubleValue(prefix + "temperature", p.temperature);
    p.maxTokens = static_cast<int>(args.intValue(prefix + "max-tokens", p.maxTokens));
    p.timeoutS = args.doubleValue(prefix + "timeout", p.timeoutS);
    p.maxAttempts = static_cast<int>(args.intValue(prefix + "max-attempts", p.maxAttempts));
    p.pricePromptPer1k = args.doubleValue(prefix + "price-prompt", p.pricePromptPer1k);
    p.priceCompletionPer1k = args.doubleValue(prefix + "price-completion", p.priceCompletionPer1k);
    if (const long long c = args.intValue("concurrency", 0); c > 0)
        p.maxInFlight = static_cast<int>(c);
    p.validate();
    return p;
}

std::string taskFromArgs(const Args& args, Database& db)
{
    if (auto t = args.value("task")) {
        if (!DialogueStore(db).task(*t))
            throw Error("no task named '" + *t + "' in " + db.path());
        return *t;
    }
    Statement st(db, "SELECT t.name FROM tasks t WHERE EXISTS (SELECT 1 FROM dialogues d WHERE d.task_id = t.id) "
                     "ORDER BY t.name");
    std::vector<std::string> names;
    while (st.step())
        names.push_back(st.text(0));
    if (names.size() == 1)
        return names.front();
    if (names.empty()) {
        Statement all(db, "SELECT name FROM tasks ORDER BY name");
        while (all.step())
            names.push_back(all.text(0));
        if (names.size() == 1)
            return names.front();
        if (names.empty())
            throw Error(db.path() + " has no tasks and no dialogues (import some first)");
    }
    std::string list;
    for (const auto& n : names)
        list += (list.empty() ? "" : ", ") + n;
    throw Error(db.path() + " has several tasks (" + list + "): choose one with --task");
}

JobOptions jobOptionsFromArgs(const Args& args, Database& db)
{
    JobOptions o;
    o.task = taskFromArgs(args, db);
    const long long seed = args.intValue("seed", 0);
    o.seed = static_cast<uint64_t>(seed);
    o.limit = args.intValue("limit", 0);
    if (o.limit < 0)
        throw Error("--limit cannot be negative");
    o.concurrency = static_cast<int>(args.intValue("concurrency", 0));
    if (o.concurrency < 0)
        throw Error("--concurrency cannot be negative");
    o.json = args.flag("json");
    o.quiet = args.flag("quiet");
    return o;
}

JobHooks hooksFor(CliProgress& progress)
{
    JobHooks hooks;
    hooks.stop = progress.stopToken();
    ProgressFn show = progress.callback();
    auto mutex = std::make_shared<std::mutex>();
    hooks.onProgress = [show, mutex](const JobProgress& p) {
        Progress q;
        q.stage = p.kind;
        q.done = p.done + p.failed;
        q.total = p.total;
        char buf[200];
        std::snprintf(buf, sizeof buf, "failed %lld, requests %lld, cache %lld, tokens %lld, cost %.4f",
                      static_cast<long long>(p.failed), static_cast<long long>(p.usage.requests),
                      static_cast<long long>(p.usage.cacheHits),
                      static_cast<long long>(p.usage.promptTokens + p.usage.completionTokens), p.usage.cost);
        q.message = buf;
        if (p.etaS >= 0)
            q.message += ", ETA " + std::to_string(static_cast<long long>(p.etaS + 0.5)) + " s";
        std::lock_guard<std::mutex> lock(*mutex);
        show(q);
    };
    return hooks;
}

std::string summaryLine(const JobSummary& s)
{
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%s (job %lld): %s; %lld/%lld done, %lld failed, %lld skipped; requests %lld, cache hits %lld, "
                  "retries %lld, tokens %lld, cost %.4f, %.1f s",
                  s.kind.c_str(), static_cast<long long>(s.jobId), s.status.c_str(), static_cast<long long>(s.done),
                  static_cast<long long>(s.total), static_cast<long long>(s.failed), static_cast<long long>(s.skipped),
                  static_cast<long long>(s.usage.requests), static_cast<long long>(s.usage.cacheHits),
                  static_cast<long long>(s.usage.retries),
                  static_cast<long long>(s.usage.promptTokens + s.usage.completionTokens), s.usage.cost, s.seconds);
    std::string line = buf;
    if (!s.error.empty())
        line += "\n  error: " + s.error;
    return line;
}

std::string trainingSetLine(const JobSummary& s)
{
    const nlohmann::json& e = s.extra;
    auto n = [&](const char* k) { return static_cast<long long>(e.value(k, int64_t(0))); };
    const long long shortfall = n("shortfall");
    std::string shortText;
    if (shortfall > 0) {
        char factor[128];
        std::snprintf(factor, sizeof factor, ", %lld short: %.2fx of %gx", shortfall, e.value("achieved_k", 0.0),
                      e.value("k", 0.0));
        shortText = factor;
    }
    char buf[512];
    std::snprintf(buf, sizeof buf, "training set '%s' (id %lld): %lld originals + %lld regenerations = %lld (target %lld%s)",
                  e.value("name", std::string()).c_str(), n("set_id"), n("originals"), n("regenerations"), n("size"),
                  n("target"), shortText.c_str());
    return buf;
}

void warnIfShort(const JobSummary& aggregate, const std::string& verb)
{
    const std::string warning = aggregate.extra.value("warning", std::string());
    if (!warning.empty())
        std::cerr << "hindsight " << verb << ": warning: " << warning << "\n";
}

int exitCodeFor(const std::string& status)
{
    if (status == "done")
        return 0;
    if (status == "cancelled")
        return 130;
    return 1;
}

int reportSummary(const JobSummary& s, bool json)
{
    if (json)
        std::cout << s.toJson().dump() << std::endl;
    else
        std::cout << summaryLine(s) << std::endl;
    if (!s.error.empty())
        std::cerr << "hindsight " << s.kind << ": error: " << s.error << "\n";
    return exitCodeFor(s.status);
}

} // namespace hw::cli
