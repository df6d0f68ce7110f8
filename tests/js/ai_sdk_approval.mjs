// The AI SDK's own chat (`AbstractChat`, what useChat wraps) approving a write: the run asks
// before its db.insert, the tool part is `approval-requested`, `addToolApprovalResponse`
// answers it and `sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses`
// sends the next request, which resumes the run. Prints one JSON line of what it saw;
// tests/protocols/ai_sdk/test_js_sdk.py runs it against a live server and checks it.
import {
  AbstractChat,
  DefaultChatTransport,
  lastAssistantMessageIsCompleteWithApprovalResponses,
} from 'ai';

const [baseUrl, apiKey, userId, chatId, approved] = process.argv.slice(2);

class State {
  constructor() {
    this.status = 'ready';
    this.error = undefined;
    this.messages = [];
  }
  pushMessage = (message) => { this.messages = [...this.messages, message]; };
  popMessage = () => { this.messages = this.messages.slice(0, -1); };
  replaceMessage = (index, message) => {
    this.messages = this.messages.map((m, i) => (i === index ? message : m));
  };
  snapshot = (thing) => structuredClone(thing);
}

class Chat extends AbstractChat {
  constructor(init) {
    super({ ...init, state: new State() });
  }
}

let finished = 0;
const chat = new Chat({
  id: chatId,
  transport: new DefaultChatTransport({
    api: `${baseUrl}/ai-sdk/chat`,
    headers: { Authorization: `Bearer ${apiKey}` },
    body: { userId, approveWrites: true },
  }),
  sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
  onFinish: () => { finished += 1; },
});

const until = async (check) => {
  for (let i = 0; i < 600 && !check(); i += 1) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error('timed out');
};

await chat.sendMessage({ text: 'Remember that I like green tea' });
const asked = structuredClone(chat.messages.at(-1));
const part = asked.parts.find((p) => p.state === 'approval-requested');
await chat.addToolApprovalResponse({
  id: part.approval.id,
  approved: approved === 'yes',
  reason: approved === 'yes' ? undefined : 'not today',
});
await until(() => finished >= 2 && chat.status === 'ready');
console.log(JSON.stringify({ asked, messages: chat.messages, status: chat.status, error: String(chat.error ?? '') }));
