// The official OpenAI TypeScript SDK against the GATEWAY's /v1/responses (GW_URL, GW_KEY, GW_MODEL), whatever path
// serves the model: create, stream (typed events in order, each with sequence_number), a function-call round trip
// with previous_response_id, retrieve, input items, delete, errors.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const client = new OpenAI({ apiKey: process.env.GW_KEY, baseURL: `${process.env.GW_URL}/v1`, maxRetries: 0 });
const model = process.env.GW_MODEL;

const created = await client.responses.create({ model, instructions: 'Be brief.', input: 'hello there' });
assert.match(created.id, /^resp_/);
assert.equal(created.object, 'response');
assert.equal(created.status, 'completed');
assert.match(created.output_text, /^sim says /);
assert.equal(created.output[0].type, 'message');
assert.equal(created.output[0].status, 'completed');
assert.ok(created.usage.output_tokens > 0);
assert.equal(created.usage.total_tokens, created.usage.input_tokens + created.usage.output_tokens);

const counted = await client.responses.inputTokens.count({ model, instructions: 'Be brief.', input: 'hello there' });
assert.equal(counted.object, 'response.input_tokens');
assert.ok(counted.input_tokens > 0);

const types = [];
const stream = client.responses.stream({ model, input: 'hello there' });
let streamed = '';
let sequence = -1;
for await (const event of stream) {
  types.push(event.type);
  assert.equal(event.sequence_number, sequence + 1);
  sequence = event.sequence_number;
  if (event.type === 'response.output_text.delta') streamed += event.delta;
}
const final = await stream.finalResponse();
assert.equal(streamed, created.output_text);
assert.equal(final.output_text, streamed);
assert.deepEqual(types.slice(0, 3), ['response.created', 'response.in_progress', 'response.output_item.added']);
assert.equal(types.at(-1), 'response.completed');

const tools = [{ type: 'function', name: 'get_weather', description: 'Weather', strict: false,
  parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
const toolStream = client.responses.stream({ model, input: 'weather?', tools, tool_choice: 'required' });
const argumentDeltas = [];
toolStream.on('response.function_call_arguments.delta', (event) => argumentDeltas.push(event.delta));
const toolResponse = await toolStream.finalResponse();
const call = toolResponse.output.find((item) => item.type === 'function_call');
assert.equal(call.name, 'get_weather');
assert.equal(argumentDeltas.join(''), call.arguments);
assert.deepEqual(JSON.parse(call.arguments), { city: 'sim-city' });

const answer = await client.responses.create({
  model, tools, previous_response_id: toolResponse.id,
  input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Sunny' }],
});
assert.match(answer.output_text, /Sunny/);

const retrieved = await client.responses.retrieve(created.id);
assert.equal(retrieved.id, created.id);
assert.equal(retrieved.output_text, created.output_text);
const items = [];
for await (const item of client.responses.inputItems.list(answer.id)) items.push(item);
assert.equal(items.length, 1);
assert.equal(items[0].type, 'function_call_output');

await client.responses.delete(created.id);
await assert.rejects(client.responses.retrieve(created.id), (error) => error instanceof OpenAI.NotFoundError);
await assert.rejects(
  client.responses.create({ model, input: 'hi', previous_response_id: 'resp_missing' }),
  (error) => error instanceof OpenAI.NotFoundError);
await assert.rejects(
  client.responses.create({ model, input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'x' }] }),
  (error) => error instanceof OpenAI.BadRequestError);

console.log('gateway responses sdk check passed');
