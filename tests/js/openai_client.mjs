// The official `openai` JS SDK against this service: one streamed chat completion, then one
// background response resumed after a sequence number. Prints one JSON line of what it saw;
// tests/protocols/openai/test_js_sdk.py runs it against a live server and checks it.
import OpenAI from 'openai';

const [baseURL, apiKey, user] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

const chunks = await client.chat.completions.create({
  model: 'orchestrator',
  user,
  stream: true,
  stream_options: { include_usage: true },
  messages: [
    { role: 'user', content: 'My name is Juniper.' },
    { role: 'assistant', content: 'Nice to meet you, Juniper.' },
    { role: 'user', content: 'What is my name?' },
  ],
});
let content = '';
let reasoning = '';
let finishReason = null;
let usage = null;
for await (const chunk of chunks) {
  const choice = chunk.choices[0];
  if (choice) {
    content += choice.delta.content ?? '';
    reasoning += choice.delta.reasoning_content ?? '';
    finishReason = choice.finish_reason ?? finishReason;
  }
  usage = chunk.usage ?? usage;
}

const started = await client.responses.create({
  model: 'orchestrator',
  user,
  input: 'What is AI?',
  background: true,
});
const all = [];
for await (const event of await client.responses.retrieve(started.id, { stream: true })) {
  all.push(event);
}
const after = 3;
const resumed = [];
for await (const event of await client.responses.retrieve(started.id, {
  stream: true,
  starting_after: after,
})) {
  resumed.push(event);
}
const final = await client.responses.retrieve(started.id);

console.log(
  JSON.stringify({
    chat: { content, reasoning, finishReason, usage },
    response: {
      id: started.id,
      startedStatus: started.status,
      allSequence: all.map((event) => event.sequence_number),
      resumedSequence: resumed.map((event) => event.sequence_number),
      resumedTypes: resumed.map((event) => event.type),
      after,
      status: final.status,
      outputText: final.output_text,
    },
  }),
);
