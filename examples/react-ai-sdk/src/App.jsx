import { useEffect, useMemo, useState } from 'react';
import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport } from 'ai';

// Where the server is: this page's origin (`npm run dev` proxies /ai-sdk and /v1 to it), or
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

// The chat (the server's session) lives in the URL: a reload shows it and resumes its run.
function chatIdFromUrl() {
  const url = new URL(window.location.href);
  let id = url.searchParams.get('chat');
  if (!id) {
    id = `chat-${crypto.randomUUID()}`;
    url.searchParams.set('chat', id);
    window.history.replaceState(null, '', url);
  }
  return id;
}

// The conversation stored so far, as UI messages (what useChat starts from after a reload).
async function storedMessages(chatId, apiKey) {
  const response = await fetch(`${server}/v1/sessions/${encodeURIComponent(chatId)}/messages`, {
    headers: { Authorization: `Bearer ${apiKey}` },
  });
  if (!response.ok) return [];
  const { messages } = await response.json();
  return messages.map((message) => ({
    id: message.id,
    role: message.role,
    parts: [{ type: 'text', text: message.content }],
  }));
}

export default function App() {
  const [apiKey, setApiKey] = useSetting('orchestrator-key', 'devkey');
  // With the service key (devkey) a chat names its user; a user key acts as its user.
  const [userId, setUserId] = useSetting('orchestrator-user', 'demo-user');
  const chatId = useMemo(chatIdFromUrl, []);
  const [initial, setInitial] = useState(null);

  useEffect(() => {
    storedMessages(chatId, apiKey).then(setInitial);
  }, [chatId, apiKey]);

  return (
    <main>
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
      {initial === null ? null : (
        <Chat chatId={chatId} apiKey={apiKey} userId={userId} initial={initial} />
      )}
    </main>
  );
}

function Chat({ chatId, apiKey, userId, initial }) {
  const [prompt, setPrompt] = useState('');
  const transport = useMemo(
    () =>
      new DefaultChatTransport({
        api: `${server}/ai-sdk/chat`,
        headers: () => ({ Authorization: `Bearer ${apiKey}` }),
        // `continue`: a run outlives its tab, so that a reload resumes it (Stop cancels it).
        body: () => ({ onDisconnect: 'continue', ...(userId.trim() ? { userId: userId.trim() } : {}) }),
      }),
    [apiKey, userId],
  );
  const { messages, sendMessage, status, stop, error } = useChat({
    id: chatId,
    messages: initial,
    resume: true,
    transport,
  });
  const busy = status === 'submitted' || status === 'streaming';

  const send = (text) => {
    if (!text.trim() || busy) return;
    setPrompt('');
    sendMessage({ text });
  };

  // Stop: abort the stream, and cancel the run on the server (it would go on otherwise).
  const stopRun = async () => {
    const runId = messages.at(-1)?.metadata?.runId;
    await stop();
    if (runId) {
      await fetch(`${server}/v1/runs/${runId}/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}` },
      });
    }
  };

  return (
    <section data-state={busy ? 'streaming' : 'idle'} data-testid="chat">
      <div className="messages" data-testid="messages">
        {messages.map((message) => (
          <Message key={message.id} message={message} onSuggestion={send} />
        ))}
      </div>
      {error ? <p className="error" data-testid="error">{error.message}</p> : null}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          send(prompt);
        }}
      >
        <input
          data-testid="prompt"
          value={prompt}
          onChange={(event) => setPrompt(event.target.value)}
          placeholder="Ask something, e.g. How many sessions do I have?"
        />
        {busy ? (
          <button type="button" data-testid="stop" onClick={stopRun}>
            Stop
          </button>
        ) : (
          <button type="submit" data-testid="send">Send</button>
        )}
      </form>
    </section>
  );
}

const AGENTS = { planner: 'Planner', worker: 'Worker', critic: 'Critic', synthesizer: 'Synthesizer' };

function Message({ message, onSuggestion }) {
  const text = message.parts.filter((p) => p.type === 'text').map((p) => p.text).join('');
  const steps = message.parts.filter((p) => p.type === 'data-agent' || p.type === 'dynamic-tool');
  const suggestions = message.parts.find((p) => p.type === 'data-suggestions')?.data ?? [];
  return (
    <article className={message.role} data-testid={`message-${message.role}`}>
      {steps.length ? (
        <ol className="steps">
          {steps.map((part, index) =>
            part.type === 'data-agent' ? (
              <li key={index} data-testid="step-agent">
                {AGENTS[part.data.name] ?? part.data.name}{' '}
                {part.data.status === 'completed' ? `finished in ${Math.round(part.data.durationMs ?? 0)} ms` : 'is working'}
                {part.data.retry ? ' (sent work back)' : ''}
              </li>
            ) : (
              <li key={index} data-testid="step-tool">
                {part.toolName} {part.state === 'output-available' ? 'returned' : part.state === 'output-error' ? 'failed' : 'running'}
              </li>
            ),
          )}
        </ol>
      ) : null}
      <p data-testid={`text-${message.role}`}>{text}</p>
      {suggestions.length ? (
        <div className="suggestions">
          {suggestions.map((suggestion) => (
            <button key={suggestion} type="button" data-testid="suggestion" onClick={() => onSuggestion(suggestion)}>
              {suggestion}
            </button>
          ))}
        </div>
      ) : null}
    </article>
  );
}
