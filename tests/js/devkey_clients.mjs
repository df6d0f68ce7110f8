// The official JS clients of every protocol, each as its own docs have it, with `devkey` and
// no user field of ours (a development server's service key acts as dev-user). Prints one JSON
// line of the answers; tests/e2e/test_clients_unchanged.py runs it against a live server.
import { HttpAgent } from '@ag-ui/client';
import { Client } from '@langchain/langgraph-sdk';
import { DefaultChatTransport, readUIMessageStream } from 'ai';
import OpenAI from 'openai';

const [base] = process.argv.slice(2);
const headers = { Authorization: 'Bearer devkey' };
const question = 'What is AI?';

const transport = new DefaultChatTransport({ api: `${base}/ai-sdk/chat`, headers });
const stream = await transport.sendMessages({
  chatId: crypto.randomUUID(),
  messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: question }] }],
  trigger: 'submit-message',
  messageId: undefined,
  abortSignal: undefined,
});
let message;
for await (const assembled of readUIMessageStream({ stream })) message = assembled;
const aiSdk = message.parts.filter((part) => part.type === 'text').map((part) => part.text).join('');

const agent = new HttpAgent({ url: `${base}/ag-ui`, headers, threadId: crypto.randomUUID() });
agent.addMessage({ id: 'u1', role: 'user', content: question });
await agent.runAgent();
const agUi = agent.messages.at(-1).content;

const langgraph = new Client({ apiUrl: `${base}/langgraph`, apiKey: 'devkey' });
const thread = await langgraph.threads.create();
const final = await langgraph.runs.wait(thread.thread_id, 'orchestrator', {
  input: { messages: [{ type: 'human', content: question }] },
});

const openai = new OpenAI({ baseURL: `${base}/openai/v1`, apiKey: 'devkey' });
const reply = await openai.chat.completions.create({
  model: 'orchestrator',
  messages: [{ role: 'user', content: question }],
});

console.log(JSON.stringify({
  aiSdk,
  agUi,
  langgraph: final.messages.at(-1).content,
  openai: reply.choices[0].message.content,
}));
