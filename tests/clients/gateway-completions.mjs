// The official OpenAI TypeScript SDK against the GATEWAY's legacy /v1/completions (GW_URL, GW_KEY, GW_MODEL):
// create (string, array and token-id prompts), stream with and without stream_options.include_usage, errors.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const client = new OpenAI({ apiKey: process.env.GW_KEY, baseURL: `${process.env.GW_URL}/v1`, maxRetries: 0 });
const model = process.env.GW_MODEL;

const created = await client.completions.create({ model, prompt: 'Say hello', max_tokens: 64 });
assert.equal(created.object, 'text_completion');
assert.equal(created.choices.length, 1);
assert.match(created.choices[0].text, /^sim says /);
assert.equal(created.choices[0].finish_reason, 'stop');
assert.equal(created.usage.completion_tokens, 8);
assert.equal(created.usage.total_tokens, created.usage.prompt_tokens + 8);

const batch = await client.completions.create({ model, prompt: ['one', 'two'], n: 2, max_tokens: 3 });
assert.deepEqual(batch.choices.map((c) => c.index), [0, 1, 2, 3]);
assert.ok(batch.choices.every((c) => c.finish_reason === 'length'));
const ids = await client.completions.create({ model, prompt: [[1, 2, 3], [4, 5]] });
assert.equal(ids.choices.length, 2);

let streamed = '';
let finish = null;
for await (const chunk of await client.completions.create({ model, prompt: 'Say hello', stream: true })) {
  assert.equal(chunk.object, 'text_completion');
  assert.ok(!chunk.usage, 'the gateway must not show a usage chunk the client did not ask for');
  streamed += chunk.choices[0].text;
  finish = chunk.choices[0].finish_reason ?? finish;
}
assert.equal(streamed, created.choices[0].text);
assert.equal(finish, 'stop');

let usage = null;
for await (const chunk of await client.completions.create({ model, prompt: 'Say hello', stream: true, stream_options: { include_usage: true } })) {
  if (chunk.usage) usage = chunk.usage;
}
assert.deepEqual(usage, created.usage);

await assert.rejects(client.completions.create({ model }), (error) => error instanceof OpenAI.BadRequestError && error.param === 'prompt');
await assert.rejects(client.completions.create({ model: 'no-such-model', prompt: 'hi' }), (error) => error instanceof OpenAI.NotFoundError);

console.log('gateway completions sdk check passed');
