// The official Anthropic TypeScript SDK against the simulator's /v1/messages: text, streaming, tool use, usage, errors.
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';

const client = new Anthropic({ apiKey: process.env.SIM_KEY, baseURL: process.env.SIM_URL, maxRetries: 0 });
const model = 'sim-large';

const message = await client.messages.create({
  model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'hello there' }],
});
assert.equal(message.type, 'message');
assert.equal(message.role, 'assistant');
assert.match(message.content[0].text, /^sim says /);
assert.equal(message.stop_reason, 'end_turn');
assert.ok(message.usage.input_tokens > 0);
assert.equal(message.usage.output_tokens, 8);

let streamed = '';
const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hello there' }] });
stream.on('text', (text) => { streamed += text; });
const final = await stream.finalMessage();
assert.equal(streamed, message.content[0].text);
assert.equal(final.content[0].text, streamed);
assert.equal(final.stop_reason, 'end_turn');
assert.equal(final.usage.output_tokens, 8);

const tools = [
  { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', input_schema: { type: 'object', properties: { zone: { type: 'string' }, exact: { type: 'boolean' } } } },
];
const toolStream = client.messages.stream(
  { model, max_tokens: 100, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'weather and time?' }] },
  { headers: { 'x-sim-tool-calls': '2' } });
const toolMessage = await toolStream.finalMessage();
assert.equal(toolMessage.stop_reason, 'tool_use');
const uses = toolMessage.content.filter((b) => b.type === 'tool_use');
assert.equal(uses.length, 2);
assert.deepEqual(uses[0].input, { city: 'sim-city' });
assert.deepEqual(uses[1].input, { zone: 'sim-zone', exact: true });

const answer = await client.messages.create({
  model, max_tokens: 100, tools,
  messages: [
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: uses[0].id, name: 'get_weather', input: uses[0].input }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: 'Sunny' }] },
  ],
});
assert.match(answer.content[0].text, /Sunny/);

await assert.rejects(
  client.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-sim-fault': 'status=529' } }),
  (error) => error instanceof Anthropic.APIError && error.status === 529 && error.error.error.type === 'overloaded_error');
await assert.rejects(
  new Anthropic({ apiKey: 'wrong', baseURL: process.env.SIM_URL, maxRetries: 0 }).messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
  (error) => error instanceof Anthropic.AuthenticationError);

console.log('anthropic sdk check passed');
