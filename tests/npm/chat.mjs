// Drives `hindsight serve` with the official openai npm package: node chat.mjs BASE_URL API_KEY
// Prints one JSON line with what the client saw; tests/tst_core_serve.cpp checks it.
import OpenAI, { AuthenticationError } from "openai";

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120000 });
const messages = [
  { role: "system", content: "situation: worried about my exams" },
  { role: "user", content: "I feel anxious about my exams." },
];
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);

const plain = await client.chat.completions.create({ model: out.models[0], messages, max_tokens: 16, temperature: 0, seed: 7 });
out.content = plain.choices[0].message.content;
out.finish = plain.choices[0].finish_reason;
out.promptTokens = plain.usage.prompt_tokens;

const stream = await client.chat.completions.create({ model: out.models[0], messages, max_tokens: 16, temperature: 0, seed: 7, stream: true });
out.streamed = "";
out.chunks = 0;
for await (const chunk of stream) {
  out.chunks += 1;
  out.streamed += chunk.choices[0]?.delta?.content ?? "";
  if (chunk.choices[0]?.finish_reason) out.streamFinish = chunk.choices[0].finish_reason;
}

try {
  await new OpenAI({ baseURL, apiKey: apiKey + "-wrong", maxRetries: 0 }).models.list();
  out.wrongKeyStatus = 200;
} catch (e) {
  out.wrongKeyStatus = e instanceof AuthenticationError ? e.status : String(e);
}
console.log(JSON.stringify(out));
