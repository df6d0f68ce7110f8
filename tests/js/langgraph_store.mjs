// The official `@langchain/langgraph-sdk` JS client's store against this service: put, get,
// search (by query and by filter), list namespaces, delete. Prints one JSON line of what it
// saw; tests/protocols/langgraph/test_js_sdk.py runs it against a live server and checks it.
import { Client } from '@langchain/langgraph-sdk';

const [apiUrl, apiKey] = process.argv.slice(2);
const client = new Client({ apiUrl, apiKey, callerOptions: { maxRetries: 0 } });

await client.store.putItem(['prefs', 'travel'], 'seat', { text: 'I prefer window seats.' });
await client.store.putItem(['prefs'], 'diet', { text: 'I am vegetarian.', kind: 'diet' });
const item = await client.store.getItem(['prefs', 'travel'], 'seat');
const searched = await client.store.searchItems(['prefs'], { query: 'window seat' });
const filtered = await client.store.searchItems(['prefs'], { filter: { kind: 'diet' } });
const namespaces = await client.store.listNamespaces({ prefix: ['prefs'] });
await client.store.deleteItem(['prefs', 'travel'], 'seat');
const gone = await client.store.getItem(['prefs', 'travel'], 'seat');
console.log(JSON.stringify({
  item,
  searched: searched.items.map((found) => [found.key, found.score]),
  filtered: filtered.items.map((found) => found.key),
  namespaces: namespaces.namespaces,
  gone,
}));
