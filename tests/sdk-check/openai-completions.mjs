// The official OpenAI TypeScript SDK against the simulator's legacy /v1/completions: create (string, array and
// token-id prompts, n), stream with and without stream_options.include_usage, and a 400 for a bad body.
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const client = new OpenAI({ apiKey: process.env.SIM_KEY, baseURL: `${process.env.SIM_URL}/v1`, maxRetries: 0 });
const model = 'sim-small';

const created = await client.completions.create({ model, prompt: 'Say hello', max_tokens: 64 });
assert.match(created.id, /^cmpl-/);
assert.equal(created.object, 'text_completion');
assert.equal(created.model, model);
assert.equal(created.choices.length, 1);
assert.equal(created.choices[0].index, 0);
assert.match(created.choices[0].text, /^sim says /);
assert.equal(created.choices[0].finish_reason, 'stop');
assert.equal(created.choices[0].logprobs, null);
assert.equal(created.usage.completion_tokens, 8);
assert.equal(created.usage.total_tokens, created.usage.prompt_tokens + 8);

const cut = await client.completions.create({ model, prompt: 'Say hello', max_tokens: 3 });
assert.equal(cut.choices[0].finish_reason, 'length');
assert.equal(cut.usage.completion_tokens, 3);

const batch = await client.completions.create({ model, prompt: ['one', 'two'], n: 2 });
assert.deepEqual(batch.choices.map((c) => c.index), [0, 1, 2, 3]);
const ids = await client.completions.create({ model, prompt: [[1, 2, 3], [4, 5]] });
assert.equal(ids.choices.length, 2);
assert.equal(ids.usage.prompt_tokens, 5);

let streamed = '';
let chunks = 0;
let finish = null;
let firstId = null;
for await (const chunk of await client.completions.create({ model, prompt: 'Say hello', stream: true })) {
  assert.equal(chunk.object, 'text_completion');
  firstId ??= chunk.id;
  assert.equal(chunk.id, firstId);
  assert.equal(chunk.usage ?? undefined, undefined);
  streamed += chunk.choices[0].text;
  finish = chunk.choices[0].finish_reason ?? finish;
  chunks++;
}
assert.equal(streamed, created.choices[0].text);
assert.equal(finish, 'stop');
assert.equal(chunks, 9);

let usage = null;
let text = '';
for await (const chunk of await client.completions.create({ model, prompt: 'Say hello', stream: true, stream_options: { include_usage: true } })) {
  if (chunk.usage) {
    assert.deepEqual(chunk.choices, []);
    usage = chunk.usage;
  } else {
    assert.equal(chunk.usage, null);
    text += chunk.choices[0].text;
  }
}
assert.equal(text, created.choices[0].text);
assert.deepEqual(usage, created.usage);

await assert.rejects(client.completions.create({ model }), (error) => error instanceof OpenAI.BadRequestError && error.param === 'prompt');
await assert.rejects(client.completions.create({ model, prompt: ['a', 1] }), (error) => error instanceof OpenAI.BadRequestError);

console.log('openai completions sdk check passed');
