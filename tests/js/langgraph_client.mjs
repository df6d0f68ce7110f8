// The official `@langchain/langgraph-sdk` JS client against this service: a thread, a run
// streamed in several modes, a join after an event id, a run waited for, a search, the state,
// and a background run cancelled. Prints one JSON line of what it saw;
// tests/protocols/langgraph/test_js_sdk.py runs it against a live server and checks it.
import { Client } from '@langchain/langgraph-sdk';

const [apiUrl, apiKey, user] = process.argv.slice(2);
const client = new Client({ apiUrl, apiKey, callerOptions: { maxRetries: 0 } });
const ask = (content) => ({ messages: [{ type: 'human', content }] });

const thread = await client.threads.create({ metadata: { user_id: user, via: 'js' } });
let created = null;
const parts = [];
for await (const part of client.runs.stream(thread.thread_id, 'orchestrator', {
  input: ask('My name is Juniper.'),
  streamMode: ['values', 'messages-tuple', 'updates', 'custom'],
  onRunCreated: (meta) => { created = meta; },
})) {
  parts.push({ id: part.id, event: part.event, data: part.data });
}
const runId = parts[0].data.run_id;
const chunks = parts.filter((p) => p.event === 'messages').map((p) => p.data[0].content);
const lastValues = parts.filter((p) => p.event === 'values').at(-1).data;

const after = parts[Math.floor(parts.length / 2)].id;
const joined = [];
for await (const part of client.runs.joinStream(thread.thread_id, runId, { lastEventId: after })) {
  joined.push(part.id);
}

const joinedAll = [];
for await (const part of client.runs.joinStream(thread.thread_id, runId, { lastEventId: '-1' })) {
  joinedAll.push(part.id);
}

const waited = await client.runs.wait(thread.thread_id, 'orchestrator', { input: ask('What is my name?') });
const found = await client.threads.search({ metadata: { via: 'js', user_id: user } });
const state = await client.threads.getState(thread.thread_id);

const background = await client.runs.create(thread.thread_id, 'orchestrator', {
  input: ask('What is AI?'),
});
await client.runs.cancel(thread.thread_id, background.run_id, true);
const cancelled = await client.runs.get(thread.thread_id, background.run_id);

console.log(JSON.stringify({
  threadId: thread.thread_id,
  created,
  runId,
  events: parts.map((p) => p.event),
  ids: parts.map((p) => p.id),
  answer: chunks.join(''),
  lastValues,
  after,
  joined,
  joinedAll,
  waited,
  found: found.map((t) => t.thread_id),
  state: state.values,
  cancelledStatus: cancelled.status,
}));
