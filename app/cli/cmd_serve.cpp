// hindsight serve: a local checkpoint behind an OpenAI-compatible /v1/chat/completions.
#include "app/cli/args.h"
#include "app/cli/cli_progress.h"
#include "app/cli/command.h"

#include "core/model/device.h"
#include "core/offline/local_chat_server.h"
#include "core/util/error.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace hw::cli {
namespace {

const char* kUsage = R"(usage: hindsight serve --checkpoint DIR [--port N] [--host H] [options]

Serves a local checkpoint (a run directory, OUT/step-N, or any Llama-family model directory)
as an OpenAI-compatible API, so any OpenAI client can talk to it, including this workbench's
pipeline and chat page (endpoint URL http://HOST:PORT/v1):
  GET  /v1/models
  POST /v1/chat/completions   messages, temperature, top_p, max_tokens, seed, n, stop, stream (SSE)
"system" messages are the dialogue's context; "user" and "assistant" messages are the user's
and the agent's turns; the reply is the agent's next turn.

Listens on the loopback interface only unless --host says otherwise; another address needs
--api-key-env (clients then send "Authorization: Bearer KEY"). Requests whose Host header does
not name this server (DNS rebinding), browser cross-origin requests and POST bodies that are not
"Content-Type: application/json" are refused. Ctrl+C stops.

Options:
  --checkpoint DIR   model to serve (required)
  --device D         cpu | cuda | cuda:N | auto (default auto: CUDA when available)
  --port N           port (default 8000; 0 = any free port, printed on stdout)
  --host H           address to listen on (default 127.0.0.1; 0.0.0.0 = every interface)
  --name NAME        model id reported by /v1/models (default: the directory name)
  --max-tokens N     default max_tokens of a request (default 128)
  --temperature T    default temperature (default 1.0)
  --api-key-env VAR  require "Authorization: Bearer $VAR" (the variable must be set and non-empty)
  --allow-host NAME  also accept NAME in the Host header (repeatable; e.g. the machine's DNS name)
  --beta B           serve an ILQL checkpoint (value heads) as pi ~ pi_beta * exp(B (Q - V)), with the
                     checkpoint's decoding options (exp/sign weighting, adv_clip); a request may
                     set its own "beta" (extension field). Without it the checkpoint serves pi_beta.
)";

int runServe(const std::vector<std::string>& argv)
{
    const Args args(argv,
                    {"checkpoint", "port", "host", "name", "max-tokens", "temperature", "device", "api-key-env",
                     "allow-host", "beta"},
                    {});
    const auto checkpoint = args.value("checkpoint");
    if (!checkpoint)
        throw Error("missing --checkpoint DIR");
    const long long port = args.intValue("port", 8000);
    if (port < 0 || port > 65535)
        throw Error("--port must be in 0..65535");
    configureTorchThreads();
    ChatServerOptions o;
    o.checkpoint = *checkpoint;
    o.device = deviceFromOption(args.value("device", "auto"));
    o.port = static_cast<uint16_t>(port);
    o.host = args.value("host", "127.0.0.1");
    o.modelName = args.value("name", "");
    o.defaultMaxTokens = args.intValue("max-tokens", 128);
    o.defaultTemperature = args.doubleValue("temperature", 1.0);
    o.allowedHosts = args.values("allow-host");
    if (const auto var = args.value("api-key-env")) {
        // A misspelt variable must not silently serve without authentication.
        const char* key = std::getenv(var->c_str());
        if (!key)
            throw Error("--api-key-env " + *var + ": environment variable " + *var + " is not set");
        if (!*key)
            throw Error("--api-key-env " + *var + ": environment variable " + *var + " is empty");
        o.apiKey = key;
    }
    const bool loopback = o.host == "localhost" || o.host == "::1" || o.host.rfind("127.", 0) == 0;
    if (o.host == "localhost")
        o.host = "127.0.0.1";
    if (!loopback && o.apiKey.empty())
        throw Error("refusing to listen on " + o.host
                    + " without authentication: anyone who can reach it could use the model; set --api-key-env VAR");
    if (args.value("beta"))
        o.beta = args.doubleValue("beta", 0.0);

    CliProgress signals(false); // only for Ctrl+C -> stop token
    LocalChatServer server(o);
    server.start();
    // The first stdout line is machine-readable (scripts and tests wait for it).
    std::cout << "serving " << server.modelName() << " at " << server.baseUrl() << "/v1" << std::endl;
    while (!signals.stopToken().stopRequested())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
    std::cerr << "stopped after " << server.requestsServed() << " requests\n";
    return 0;
}

const bool registered = registerCommand({"serve", "serve a checkpoint as an OpenAI-compatible API", kUsage, &runServe});

} // namespace
} // namespace hw::cli
