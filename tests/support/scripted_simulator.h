#pragma once
// A scripted simulated user for evaluation tests, as a FakeLlmServer responder. It recognises the
// evaluation prompts (prompts/<task>/simulator*.txt, chat_*.txt) and answers:
//   agent turns:  model "good-agent" talks about the children, "bad-agent" says "ok.";
//   user turns:   "Hmm, tell me more (line N)." (never repeated);
//   decisions:    Dependent: donation 0.2 + 0.15 per agent line mentioning children + a jitter
//                 from the persona and seed in [0, 0.2]; IgnoresAgent: 0.5 + the same jitter;
//                 Unparsable: "I would rather not say." (no decision line).
// GDP-Zero's value prompt gets "Score: 3", plus 4 per agent line about the children.
// Counseling decisions answer "Final Emotional Intensity: N" the same way (N = 4 - helpful lines).
#include "fake_llm_server.h"

namespace hwtest {

enum class SimulatorScript { Dependent, IgnoresAgent, Unparsable };

FakeLlmServer::Responder scriptedSimulator(SimulatorScript script);

} // namespace hwtest
