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

export default function App() {
  const [apiKey, setApiKey] = useSetting('orchestrator-key', 'devkey');
  // With the service key (devkey) a new thread names its user; a user key acts as its user.
  const [userId, setUserId] = useSetting('orchestrator-user', 'demo-user');
  const [threadId, setThreadId] = useState(threadFromUrl);
  const [steps, setSteps] = useState([]);
  const [prompt, setPrompt] = useState('');

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

  const send = (event) => {
    event.preventDefault();
    const text = prompt.trim();
    if (!text || thread.isLoading) return;
    setSteps([]);
    setPrompt('');
    thread.submit(
      { messages: [{ type: 'human', content: text }] },
      {
        streamResumable: true,
        metadata: userId.trim() ? { user_id: userId.trim() } : undefined,
        optimisticValues: (prev) => ({
          ...prev,
          messages: [...(prev.messages ?? []), { type: 'human', content: text, id: `local-${Date.now()}` }],
        }),
      },
    );
  };

  return (
    <main data-state={thread.isLoading ? 'streaming' : 'idle'}>
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
