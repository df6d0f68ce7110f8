import { useState } from 'react';
import { useStream } from '@langchain/langgraph-sdk/react';

// Where the API is: this page's origin (`npm run dev` proxies /langgraph to the server), or
// ?api=http://host:port/langgraph for a server that lets this page's origin in (`make run`
// lets any loopback page in; otherwise list the origin in CORS_ORIGINS).
const params = new URLSearchParams(window.location.search);
const apiUrl = params.get('api') ?? `${window.location.origin}/langgraph`;

function useSetting(name, initial) {
  const [value, setValue] = useState(() => window.localStorage.getItem(name) ?? initial);
  const save = (next) => {
    window.localStorage.setItem(name, next);
    setValue(next);
  };
  return [value, save];
}

// The thread lives in the URL, so a reload shows the same conversation and rejoins its run.
function threadFromUrl() {
  return new URLSearchParams(window.location.search).get('thread');
}

function rememberThread(threadId) {
  const url = new URL(window.location.href);
  url.searchParams.set('thread', threadId);
  window.history.replaceState(null, '', url);
}

const AGENTS = { planner: 'Planner', worker: 'Worker', critic: 'Critic', synthesizer: 'Synthesizer' };

// A run paused after the Planner (`interruptAfter: ['planner']`): its plan, to run as it is or
// edited first (`threads.updateState` as the planner, then a run with no input goes on).
function PlanReview({ plan, onRun }) {
  const [descriptions, setDescriptions] = useState(() => plan.subtasks.map((s) => s.description));
  const edited = descriptions.some((text, index) => text !== plan.subtasks[index].description);
  const run = () => {
    const subtasks = plan.subtasks.map((s, index) => ({ ...s, description: descriptions[index] }));
    onRun(edited ? { ...plan, subtasks } : null);
  };
  return (
    <section className="review" data-testid="plan-review">
      <h2>The plan, before the worker runs it</h2>
      {plan.subtasks.map((subtask, index) => (
        <label key={subtask.id}>
          Step {subtask.id} ({subtask.data_plan.map((call) => call.tool).join(', ') || 'no data'})
          <textarea
            data-testid={`plan-step-${subtask.id}`}
            value={descriptions[index]}
            onChange={(event) =>
              setDescriptions((all) => all.map((text, i) => (i === index ? event.target.value : text)))
            }
          />
        </label>
      ))}
      <button type="button" data-testid="run-plan" onClick={run}>
        {edited ? 'Run the edited plan' : 'Run this plan'}
      </button>
    </section>
  );
}

// A run waiting for writes to be approved (`config.configurable.approve_writes`): each write
// in LangChain's HumanInTheLoopMiddleware shape, answered with a decision each.
function WritesReview({ request, onDecide }) {
  const actions = request.action_requests;
  const [contents, setContents] = useState(() => actions.map((a) => a.args?.document?.content ?? ''));
  const decide = (approved) =>
    onDecide(
      actions.map((action, index) => {
        if (!approved) return { type: 'reject', message: 'Not now' };
        const content = contents[index];
        if (content === (action.args?.document?.content ?? '')) return { type: 'approve' };
        const document = { ...action.args.document, content };
        return { type: 'edit', edited_action: { name: action.name, args: { ...action.args, document } } };
      }),
    );
  return (
    <section className="review" data-testid="writes-review">
      <h2>The worker asks to write</h2>
      {actions.map((action, index) => (
        <label key={index}>
          {action.name} into {action.args?.collection}
          <textarea
            data-testid={`write-${index}`}
            value={contents[index]}
            onChange={(event) =>
              setContents((all) => all.map((text, i) => (i === index ? event.target.value : text)))
            }
          />
        </label>
      ))}
      <div className="actions">
        <button type="button" data-testid="approve-writes" onClick={() => decide(true)}>
          Approve
        </button>
        <button type="button" data-testid="reject-writes" onClick={() => decide(false)}>
          Reject
        </button>
      </div>
    </section>
  );
}

export default function App() {
  const [apiKey, setApiKey] = useSetting('orchestrator-key', 'devkey');
  // With the service key (devkey) a new thread names its user; a user key acts as its user.
  const [userId, setUserId] = useSetting('orchestrator-user', 'demo-user');
  const [threadId, setThreadId] = useState(threadFromUrl);
  const [steps, setSteps] = useState([]);
  const [prompt, setPrompt] = useState('');
  // Pause for a person: after the Planner (to review its plan), before each write.
  const [reviewPlan, setReviewPlan] = useSetting('orchestrator-review-plan', '');
  const [approveWrites, setApproveWrites] = useSetting('orchestrator-approve-writes', '');

  const thread = useStream({
    apiUrl,
    apiKey,
    assistantId: 'orchestrator',
    messagesKey: 'messages',
    threadId,
    onThreadId: (id) => {
      setThreadId(id);
      rememberThread(id);
    },
    reconnectOnMount: true,
    // As Agent Chat UI: the thread's history (its checkpoints) is fetched with the thread.
    fetchStateHistory: true,
    onUpdateEvent: (update) => {
      for (const [name, output] of Object.entries(update)) {
        setSteps((seen) => [...seen, { kind: 'agent', name, output }]);
      }
    },
    onCustomEvent: (event) => {
      if (event?.type === 'tool_call') setSteps((seen) => [...seen, { kind: 'tool', ...event }]);
    },
  });

  // What the thread waits for, if anything: a pause after the Planner, or writes to approve.
  const head = thread.history?.[0];
  const waiting = thread.isLoading ? undefined : thread.interrupt;
  const paused = waiting?.when === 'breakpoint' && head?.next?.includes('worker') ? head.values.plan : null;
  const writes = waiting?.value?.action_requests ? waiting.value : null;

  const options = () => ({
    streamResumable: true,
    interruptAfter: reviewPlan ? ['planner'] : undefined,
    config: approveWrites ? { configurable: { approve_writes: true } } : undefined,
  });

  const runPlan = async (editedPlan) => {
    setSteps([]);
    if (editedPlan) {
      await thread.client.threads.updateState(threadId, { values: { plan: editedPlan }, asNode: 'planner' });
    }
    thread.submit(undefined, options());
  };

  const decideWrites = (decisions) => {
    setSteps([]);
    thread.submit(undefined, { ...options(), command: { resume: { decisions } } });
  };

  const send = (event) => {
    event.preventDefault();
    const text = prompt.trim();
    if (!text || thread.isLoading) return;
    setSteps([]);
    setPrompt('');
    thread.submit(
      { messages: [{ type: 'human', content: text }] },
      {
        ...options(),
        metadata: userId.trim() ? { user_id: userId.trim() } : undefined,
        optimisticValues: (prev) => ({
          ...prev,
          messages: [...(prev.messages ?? []), { type: 'human', content: text, id: `local-${Date.now()}` }],
        }),
      },
    );
  };

  return (
    <main data-state={thread.isLoading ? 'streaming' : paused || writes ? 'waiting' : 'idle'}>
      <header>
        <h1>Orchestrator</h1>
        <label>
          API key
          <input
            data-testid="key"
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
            placeholder="devkey on a development server"
          />
        </label>
        <label>
          <input
            type="checkbox"
            data-testid="review-plan"
            checked={Boolean(reviewPlan)}
            onChange={(event) => setReviewPlan(event.target.checked ? 'yes' : '')}
          />
          Review the plan
        </label>
        <label>
          <input
            type="checkbox"
            data-testid="approve-writes-setting"
            checked={Boolean(approveWrites)}
            onChange={(event) => setApproveWrites(event.target.checked ? 'yes' : '')}
          />
          Approve writes
        </label>
        <label>
          User
          <input
            data-testid="user"
            value={userId}
            onChange={(event) => setUserId(event.target.value)}
            placeholder="empty with a user key"
          />
        </label>
      </header>

      <section className="messages" data-testid="messages">
        {thread.messages.map((message, index) => (
          <p key={message.id ?? index} className={message.type} data-testid={`message-${message.type}`}>
            {typeof message.content === 'string' ? message.content : JSON.stringify(message.content)}
          </p>
        ))}
      </section>

      <ol className="steps" data-testid="steps">
        {steps.map((step, index) =>
          step.kind === 'agent' ? (
            <li key={index} data-testid="step-agent">
              {AGENTS[step.name] ?? step.name} finished in {Math.round(step.output?.durationMs ?? 0)} ms
              {step.output?.verdict && !step.output.verdict.ok ? ' (sent back)' : ''}
            </li>
          ) : (
            <li key={index} data-testid="step-tool">
              {step.tool} {step.status}
            </li>
          ),
        )}
      </ol>

      {paused ? <PlanReview key={head.checkpoint.checkpoint_id} plan={paused} onRun={runPlan} /> : null}
      {writes ? <WritesReview key={waiting.id} request={writes} onDecide={decideWrites} /> : null}

      {thread.error ? <p className="error" data-testid="error">{String(thread.error)}</p> : null}

      <form onSubmit={send}>
        <input
          data-testid="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          placeholder="Ask something, e.g. How many sessions do I have?"
        />
        {thread.isLoading ? (
          <button type="button" data-testid="stop" onClick={() => thread.stop()}>
            Stop
          </button>
        ) : (
          <button type="submit" data-testid="send">Send</button>
        )}
      </form>
    </main>
  );
}
