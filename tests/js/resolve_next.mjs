// `next/server` as Next.js's bundler resolves it: the package has no exports map, so plain
// Node (ESM) needs the file name. Registered by agent_chat_ui_proxy.mjs before it loads
// langgraph-nextjs-api-passthrough, whose dist imports "next/server".
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier === 'next/server' ? 'next/server.js' : specifier, context);
}
