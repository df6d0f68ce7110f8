// The benchmark's load through the JS protocols' official clients (bench/peers/peer_bench.py):
// COUNT runs of PROMPT, CONCURRENCY in flight, each a new chat, keys round robin. Prints one
// JSON line: per run {ttft_ms, total_ms, events, tokens, error}.
//   node bench_clients.mjs ai-sdk|ag-ui BASE_URL COUNT CONCURRENCY PROMPT KEY[,KEY...]
import { randomUUID } from 'node:crypto';
import { DefaultChatTransport, readUIMessageStream } from 'ai';
import { HttpAgent } from '@ag-ui/client';

const [protocol, baseUrl, count, concurrency, prompt, keyList] = process.argv.slice(2);
const keys = keyList.split(',');

async function aiSdk(key, result, started) {
  // What useChat does for one new chat: DefaultChatTransport sends it, readUIMessageStream reads.
  const transport = new DefaultChatTransport({
    api: `${baseUrl}/ai-sdk/chat`,
    headers: { Authorization: `Bearer ${key}` },
  });
  const stream = await transport.sendMessages({
    chatId: randomUUID(),
    messages: [{ id: randomUUID(), role: 'user', parts: [{ type: 'text', text: prompt }] }],
    trigger: 'submit-message',
    messageId: undefined,
    abortSignal: undefined,
  });
  let seen = 0;
  for await (const message of readUIMessageStream({ stream })) {
    result.events += 1;
    const text = message.parts.filter((p) => p.type === 'text').map((p) => p.text).join('');
    if (text.length > seen) {
      seen = text.length;
      result.tokens += 1;
      result.ttft_ms ??= performance.now() - started;
    }
  }
}

async function agUi(key, result, started) {
  // HttpAgent.runAgent: the client's own parser and event verifier over one new thread.
  const agent = new HttpAgent({
    url: `${baseUrl}/ag-ui`,
    headers: { Authorization: `Bearer ${key}` },
    threadId: randomUUID(),
    initialMessages: [{ id: randomUUID(), role: 'user', content: prompt }],
  });
  await agent.runAgent({}, {
    onEvent: ({ event }) => {
      result.events += 1;
      if (event.type === 'TEXT_MESSAGE_CONTENT') {
        result.tokens += 1;
        result.ttft_ms ??= performance.now() - started;
      }
    },
    onRunErrorEvent: ({ event }) => { result.error = `RUN_ERROR ${event.message}`; },
  });
}

const run = { 'ai-sdk': aiSdk, 'ag-ui': agUi }[protocol];
const results = [];
let next = 0;
async function worker() {
  while (next < Number(count)) {
    const n = next++;
    const result = { ttft_ms: null, total_ms: null, events: 0, tokens: 0, error: null };
    const started = performance.now();
    try {
      await run(keys[n % keys.length], result, started);
      result.total_ms = performance.now() - started;
      if (!result.error && !result.tokens) result.error = 'stream ended without an answer';
    } catch (error) {
      result.error = String(error?.message ?? error);
    }
    results[n] = result;
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify(results));
