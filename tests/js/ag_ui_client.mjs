// `@ag-ui/client`'s HttpAgent against this service's /ag-ui: one run, its events checked by
// the client's own verifier (runAgent fails on an event out of order), the events and the
// agent's messages afterwards. Prints one JSON line; tests/protocols/ag_ui/test_js_client.py
// runs it against a live server and checks it.
import { HttpAgent } from '@ag-ui/client';

const [url, apiKey, userId, threadId] = process.argv.slice(2);
const agent = new HttpAgent({
  url: `${url}/ag-ui`,
  headers: { Authorization: `Bearer ${apiKey}` },
  threadId,
  initialMessages: [{ id: 'u1', role: 'user', content: 'How many sessions do I have?' }],
});
const events = [];
const { result } = await agent.runAgent(
  { forwardedProps: { userId }, tools: [{ name: 'ignored', description: 'a client tool', parameters: {} }] },
  { onEvent: ({ event }) => { events.push(event); } },
);
console.log(JSON.stringify({ types: events.map((e) => e.type), events, messages: agent.messages, result }));
