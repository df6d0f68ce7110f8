// The AI SDK (`ai`) against this service's UI message stream: `DefaultChatTransport` sends
// two turns of one chat, `readUIMessageStream` assembles each answer, and `reconnectToStream`
// finds nothing to resume once the run ended. Prints one JSON line of what it saw;
// tests/protocols/ai_sdk/test_js_sdk.py runs it against a live server and checks it.
import { DefaultChatTransport, readUIMessageStream } from 'ai';

const [baseUrl, apiKey, userId, chatId] = process.argv.slice(2);
const transport = new DefaultChatTransport({
  api: `${baseUrl}/ai-sdk/chat`,
  headers: { Authorization: `Bearer ${apiKey}` },
  body: { userId },
});

async function ask(messages) {
  const stream = await transport.sendMessages({
    chatId,
    messages,
    trigger: 'submit-message',
    messageId: undefined,
    abortSignal: undefined,
  });
  let last = null;
  for await (const message of readUIMessageStream({ stream })) last = message;
  return last;
}

const user = (id, text) => ({ id, role: 'user', parts: [{ type: 'text', text }] });
const history = [user('u1', 'My name is Juniper. How many sessions do I have?')];
const first = await ask(history);
const second = await ask([...history, first, user('u2', 'What is my name?')]);
const resumed = await transport.reconnectToStream({ chatId });

console.log(JSON.stringify({ first, second, resumedIsNull: resumed === null }));
