// The official `@langchain/langgraph-sdk` JS client pausing a run: a write waits for
// approval (config.configurable.approve_writes), the thread's state shows the interrupt, an
// edit of the plan on another paused run (threads.updateState), the history, and resumes with
// `command: { resume }` and with no input. Prints one JSON line of what it saw;
// tests/protocols/langgraph/test_js_sdk.py runs it against a live server and checks it.
import { Client } from '@langchain/langgraph-sdk';

const [apiUrl, apiKey, user] = process.argv.slice(2);
const client = new Client({ apiUrl, apiKey, callerOptions: { maxRetries: 0 } });
const ask = (content) => ({ messages: [{ type: 'human', content }] });

const writes = await client.threads.create({ metadata: { user_id: user } });
const paused = await client.runs.wait(writes.thread_id, 'orchestrator', {
  input: ask('Remember that I like green tea'),
  config: { configurable: { approve_writes: true } },
});
const waiting = await client.threads.getState(writes.thread_id);
const thread = await client.threads.get(writes.thread_id);
const approved = await client.runs.wait(writes.thread_id, 'orchestrator', {
  command: { resume: { decisions: [{ type: 'approve' }] } },
});

const plan = await client.threads.create({ metadata: { user_id: user } });
const parts = [];
for await (const part of client.runs.stream(plan.thread_id, 'orchestrator', {
  input: ask('How many sessions do I have?'),
  interruptAfter: ['planner'],
  streamMode: ['updates'],
})) {
  parts.push({ event: part.event, data: part.data });
}
const before = await client.threads.getState(plan.thread_id);
const edited = structuredClone(before.values.plan);
edited.subtasks[0].description = 'Count my sessions';
const update = await client.threads.updateState(plan.thread_id, {
  values: { plan: edited },
  asNode: 'planner',
});
const goneOn = await client.runs.wait(plan.thread_id, 'orchestrator', { input: null });
const after = await client.threads.getState(plan.thread_id);
const history = await client.threads.getHistory(plan.thread_id, { limit: 10 });

console.log(JSON.stringify({
  paused, waiting, threadStatus: thread.status, threadInterrupts: thread.interrupts, approved,
  parts, before, update, goneOn, after, history,
}));
