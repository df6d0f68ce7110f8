// Reads a UI message stream (SSE bytes in a file) with the AI SDK's own readUIMessageStream
// and prints the final UI message as JSON: what `useChat` would hold.
import { readFileSync } from "node:fs";
import { parseJsonEventStream, uiMessageChunkSchema, readUIMessageStream } from "ai";

const bytes = readFileSync(process.argv[2]);
const body = new ReadableStream({
  start(controller) {
    controller.enqueue(new Uint8Array(bytes));
    controller.close();
  },
});
const chunks = parseJsonEventStream({ stream: body, schema: uiMessageChunkSchema }).pipeThrough(
  new TransformStream({
    transform(part, controller) {
      if (!part.success) throw part.error;
      controller.enqueue(part.value);
    },
  }),
);
let last;
for await (const message of readUIMessageStream({ stream: chunks })) last = message;
console.log(JSON.stringify(last));
