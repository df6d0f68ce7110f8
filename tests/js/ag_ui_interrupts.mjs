// `@ag-ui/client`'s HttpAgent meeting a run that pauses: a write to approve ends the run with
// AG-UI 1.0's interrupt outcome (and the `on_interrupt` custom event CopilotKit listens to);
// the next run answers it with `resume` entries built by the client's own buildResumeArray.
// `decision` is approve, cancel or breakpoint (a pause before the critic, resumed with no
// payload). Prints one JSON line; tests/protocols/ag_ui/test_js_client.py checks it.
import { HttpAgent, buildResumeArray } from '@ag-ui/client';

const [url, apiKey, userId, threadId, decision] = process.argv.slice(2);
const breakpoint = decision === 'breakpoint';
const agent = new HttpAgent({
  url: `${url}/ag-ui`,
  headers: { Authorization: `Bearer ${apiKey}` },
  threadId,
  initialMessages: [{ id: 'u1', role: 'user', content: 'Remember that I like green tea' }],
});
const run = async (parameters) => {
  const events = [];
  const { result } = await agent.runAgent(parameters, { onEvent: ({ event }) => { events.push(event); } });
  return { events, result };
};
const props = breakpoint ? { userId, interruptBefore: ['critic'] } : { userId, approveWrites: true };
const first = await run({ forwardedProps: props });
const pending = structuredClone(agent.pendingInterrupts);
const answer = decision === 'cancel'
  ? { status: 'cancelled' }
  : { status: 'resolved', payload: breakpoint ? undefined : { decisions: [{ type: 'approve' }] } };
const resume = buildResumeArray(agent.pendingInterrupts, { [pending[0].id]: answer });
const second = await run({ forwardedProps: { userId }, resume });
console.log(JSON.stringify({ first, pending, resume, second, after: agent.pendingInterrupts }));
