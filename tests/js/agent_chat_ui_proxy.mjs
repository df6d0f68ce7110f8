// Agent Chat UI's production setup, as its README gives it: the app's `/api/[..._path]` route
// is `initApiPassthrough({ apiUrl, apiKey })` from langgraph-nextjs-api-passthrough, the key
// on the server side, and the browser's `useStream` talks to `/api` without one. Here the
// route handlers run in a Node HTTP server (each request a NextRequest, as Next.js makes
// it), and the official JS SDK drives it as Agent Chat UI's useStream (SDK 1.8) does: a
// thread, a run, the thread's history, then a follow-up run that names the thread's head
// checkpoint. Prints one JSON line of what it saw.
import http from 'node:http';
import { register } from 'node:module';

register('./resolve_next.mjs', import.meta.url);
const { initApiPassthrough } = await import('langgraph-nextjs-api-passthrough');
const { NextRequest } = await import('next/server.js');
const { Client } = await import('@langchain/langgraph-sdk');

const [apiUrl, apiKey] = process.argv.slice(2);
const routes = initApiPassthrough({ apiUrl, apiKey, runtime: 'edge', disableWarningLog: true });

async function bodyOf(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const seen = { statuses: [] };
const proxy = http.createServer(async (request, response) => {
  const body = await bodyOf(request);
  const url = `http://127.0.0.1:${proxy.address().port}${request.url}`;
  const next = new NextRequest(url, {
    method: request.method,
    headers: request.headers,
    body: ['GET', 'HEAD', 'OPTIONS'].includes(request.method) ? undefined : body,
  });
  const answer = await routes[request.method](next);
  seen.statuses.push(`${request.method} ${request.url.split('?')[0]} ${answer.status}`);
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  if (answer.body) for await (const chunk of answer.body) response.write(chunk);
  response.end();
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));

try {
  const client = new Client({
    apiUrl: `http://127.0.0.1:${proxy.address().port}/api`,
    callerOptions: { maxRetries: 0 },
  });
  const ask = (content) => ({ messages: [{ type: 'human', content }] });
  const submit = async (threadId, content, checkpoint) => {
    let last = null;
    for await (const part of client.runs.stream(threadId, 'orchestrator', {
      input: ask(content),
      streamMode: ['values'],
      streamSubgraphs: true,
      streamResumable: true,
      onDisconnect: 'continue',
      checkpoint,
    })) {
      if (part.event === 'values') last = part.data;
      if (part.event === 'error') throw new Error(JSON.stringify(part.data));
    }
    return last.messages.at(-1).content;
  };

  const thread = await client.threads.create();
  seen.first = await submit(thread.thread_id, 'My name is Ada.');
  const [head] = await client.threads.getHistory(thread.thread_id, { limit: 10 });
  const checkpoint = { ...head.checkpoint };
  delete checkpoint.thread_id; // as useStream does before it sends it
  seen.checkpoint = checkpoint;
  seen.second = await submit(thread.thread_id, 'What is my name?', checkpoint);
  seen.searched = (await client.threads.search({ limit: 5 })).map((t) => t.thread_id);
  seen.threadId = thread.thread_id;
} finally {
  proxy.close();
}
console.log(JSON.stringify(seen));
