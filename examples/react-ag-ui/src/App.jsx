import { useMemo, useRef, useState } from 'react';
import { HttpAgent } from '@ag-ui/client';

// Where the server is: this page's origin (`npm run dev` proxies /ag-ui to it), or
// ?api=http://host:port for a server that lists this page's origin in CORS_ORIGINS.
const params = new URLSearchParams(window.location.search);
const server = params.get('api') ?? window.location.origin;

function useSetting(name, initial) {
  const [value, setValue] = useState(() => window.localStorage.getItem(name) ?? initial);
  const save = (next) => {
    window.localStorage.setItem(name, next);
    setValue(next);
  };
  return [value, save];
}

export default function App() {
  const [apiKey, setApiKey] = useSetting('orchestrator-key', 'devkey');
  // With the service key (devkey) the thread names its user; a user key acts as its user.
  const [userId, setUserId] = useSetting('orchestrator-user', 'demo-user');
  const threadId = useMemo(() => `thread-${crypto.randomUUID()}`, []);
  const agentRef = useRef(null);
  const [messages, setMessages] = useState([]);
  const [steps, setSteps] = useState([]);
  const [suggestions, setSuggestions] = useState([]);
  const [state, setState] = useState('idle');
  const [error, setError] = useState(null);
  const [prompt, setPrompt] = useState('');

  const agent = () => {
    if (agentRef.current === null) {
      agentRef.current = new HttpAgent({
        url: `${server}/ag-ui`,
        headers: { Authorization: `Bearer ${apiKey}` },
        threadId,
      });
    }
    return agentRef.current;
  };

  const run = async (text) => {
    if (!text.trim() || state === 'running') return;
    const current = agent();
    current.headers = { Authorization: `Bearer ${apiKey}` };
    current.addMessage({ id: crypto.randomUUID(), role: 'user', content: text });
    setMessages([...current.messages]);
    setSteps([]);
    setSuggestions([]);
    setError(null);
    setPrompt('');
    setState('running');
    try {
      await current.runAgent(
        { forwardedProps: userId.trim() ? { userId: userId.trim() } : {} },
        {
          onMessagesChanged: ({ messages: next }) => setMessages([...next]),
          onStepStartedEvent: ({ event }) => setSteps((seen) => [...seen, { kind: 'step', name: event.stepName }]),
          onToolCallStartEvent: ({ event }) => setSteps((seen) => [...seen, { kind: 'tool', name: event.toolCallName }]),
          onCustomEvent: ({ event }) => {
            if (event.name === 'suggestions') setSuggestions(event.value);
            if (event.name === 'critic_verdict' && event.value.retry) {
              setSteps((seen) => [...seen, { kind: 'retry', name: 'critic' }]);
            }
          },
          onRunErrorEvent: ({ event }) => setError(`${event.code}: ${event.message}`),
        },
      );
    } catch (failure) {
      setError(String(failure?.message ?? failure));
    } finally {
      setState('idle');
    }
  };

  const shown = messages.filter((m) => (m.role === 'user' || m.role === 'assistant') && m.content);

  return (
    <main data-state={state}>
      <header>
        <h1>Orchestrator</h1>
        <label>
          API key
          <input data-testid="key" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
        </label>
        <label>
          User
          <input data-testid="user" value={userId} onChange={(e) => setUserId(e.target.value)} />
        </label>
      </header>
      <section className="messages" data-testid="messages">
        {shown.map((message) => (
          <article key={message.id} className={message.role} data-testid={`message-${message.role}`}>
            <p>{message.content}</p>
          </article>
        ))}
      </section>
      <ol className="steps" data-testid="steps">
        {steps.map((step, index) => (
          <li key={index} data-testid={`step-${step.kind}`}>
            {step.kind === 'tool' ? `${step.name} called` : step.kind === 'retry' ? 'Critic sent work back' : `${step.name} started`}
          </li>
        ))}
      </ol>
      {suggestions.length ? (
        <div className="suggestions">
          {suggestions.map((suggestion) => (
            <button key={suggestion} type="button" data-testid="suggestion" onClick={() => run(suggestion)}>
              {suggestion}
            </button>
          ))}
        </div>
      ) : null}
      {error ? <p className="error" data-testid="error">{error}</p> : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          run(prompt);
        }}
      >
        <input
          data-testid="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          placeholder="Ask something, e.g. How many sessions do I have?"
        />
        {state === 'running' ? (
          <button type="button" data-testid="stop" onClick={() => agent().abortRun()}>
            Stop
          </button>
        ) : (
          <button type="submit" data-testid="send">Send</button>
        )}
      </form>
    </main>
  );
}
