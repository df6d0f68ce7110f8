// The AI SDK (`ai`) resuming a chat's active run: `DefaultChatTransport.reconnectToStream`,
// its stream assembled by `readUIMessageStream`. Prints the final UI message as JSON (null
// when there was nothing to resume).
import { DefaultChatTransport, readUIMessageStream } from 'ai';

const [baseUrl, apiKey, chatId] = process.argv.slice(2);
const transport = new DefaultChatTransport({
  api: `${baseUrl}/ai-sdk/chat`,
  headers: { Authorization: `Bearer ${apiKey}` },
});
const stream = await transport.reconnectToStream({ chatId });
let last = null;
if (stream !== null) {
  for await (const message of readUIMessageStream({ stream })) last = message;
}
console.log(JSON.stringify(last));
