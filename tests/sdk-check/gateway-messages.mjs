// The official Anthropic TypeScript SDK against the GATEWAY's /v1/messages: a translated model (OpenAI-compatible
// deployment) and a passed-through one (Anthropic deployment): create, stream, tool round trip, count tokens, errors.
import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';

const client = new Anthropic({ apiKey: process.env.GW_KEY, baseURL: process.env.GW_URL, maxRetries: 0 });
const models = [process.env.TRANSLATED_MODEL, process.env.NATIVE_MODEL];

for (const model of models) {
  const message = await client.messages.create({
    model, max_tokens: 100, system: 'Be brief.', messages: [{ role: 'user', content: 'hello' }],
  });
  assert.equal(message.type, 'message');
  assert.match(message.content[0].text, /^sim says /);
  assert.equal(message.stop_reason, 'end_turn');
  assert.ok(message.usage.input_tokens > 0);

  let streamed = '';
  const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
  stream.on('text', (text) => { streamed += text; });
  const final = await stream.finalMessage();
  assert.equal(streamed, message.content[0].text, model);
  assert.equal(final.stop_reason, 'end_turn');
  assert.ok(final.usage.output_tokens > 0);

  const tools = [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }];
  const toolMessage = await client.messages.stream(
    { model, max_tokens: 100, tools, tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'weather?' }] }).finalMessage();
  assert.equal(toolMessage.stop_reason, 'tool_use');
  const use = toolMessage.content.find((b) => b.type === 'tool_use');
  assert.deepEqual(use.input, { city: 'sim-city' });
  const answer = await client.messages.create({
    model, max_tokens: 100, tools,
    messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: use.id, name: 'get_weather', input: use.input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny' }] },
    ],
  });
  assert.match(answer.content[0].text, /Sunny/);

  const count = await client.messages.countTokens({ model, messages: [{ role: 'user', content: 'hello there' }] });
  assert.ok(count.input_tokens > 0);
}

await assert.rejects(client.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
  (e) => e instanceof Anthropic.NotFoundError && e.error?.error?.type === 'not_found_error');
await assert.rejects(new Anthropic({ apiKey: 'wrong', baseURL: process.env.GW_URL, maxRetries: 0 })
  .messages.create({ model: models[0], max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
  (e) => e instanceof Anthropic.AuthenticationError);
await assert.rejects(client.messages.create({ model: models[0], messages: [{ role: 'user', content: 'x' }] }),
  (e) => e instanceof Anthropic.BadRequestError);

console.log('sdk check passed');
