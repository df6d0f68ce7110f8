// The official `@langchain/langgraph-sdk` JS client's crons against this service: create one on
// a thread and one thread-less, update, search, count, delete, and a refused schedule. Prints
// one JSON line of what it saw; tests/protocols/langgraph/test_js_sdk.py checks it.
import { Client } from '@langchain/langgraph-sdk';

const [apiUrl, apiKey] = process.argv.slice(2);
const client = new Client({ apiUrl, apiKey, callerOptions: { maxRetries: 0 } });
const input = { messages: [{ role: 'user', content: 'Summarise my notes.' }] };

const thread = await client.threads.create();
const onThread = await client.crons.createForThread(thread.thread_id, 'orchestrator', {
  schedule: '0 9 * * 1',
  timezone: 'America/New_York',
  input,
  metadata: { purpose: 'digest' },
});
const threadless = await client.crons.create('orchestrator', { schedule: '30 6 * * *', input });
const updated = await client.crons.update(onThread.cron_id, { enabled: false, schedule: '0 10 * * 1' });
const found = await client.crons.search({ threadId: thread.thread_id });
const disabled = await client.crons.search({ enabled: false, metadata: { purpose: 'digest' } });
const counted = await client.crons.count({ threadId: thread.thread_id });
let refused = null;
try {
  await client.crons.createForThread(thread.thread_id, 'orchestrator', { schedule: 'hourly', input });
} catch (error) {
  refused = { status: error.status, message: String(error.message) };
}
await client.crons.delete(threadless.cron_id);
const left = await client.crons.search({});
console.log(JSON.stringify({ threadId: thread.thread_id, onThread, threadless, updated, found, disabled, counted, refused, left }));
