// The official Google Gen AI TypeScript SDK against the simulator's /v1beta API: text, streaming, function calls, usage, embeddings, errors.
import { GoogleGenAI } from '@google/genai';
import assert from 'node:assert/strict';

const ai = new GoogleGenAI({ apiKey: process.env.SIM_KEY, httpOptions: { baseUrl: process.env.SIM_URL } });
const model = 'sim-large';

const reply = await ai.models.generateContent({ model, contents: 'hello there', config: { systemInstruction: 'Be brief.' } });
assert.match(reply.text, /^sim says /);
assert.equal(reply.candidates[0].finishReason, 'STOP');
assert.equal(reply.usageMetadata.candidatesTokenCount, 8);
assert.ok(reply.usageMetadata.promptTokenCount > 0);

let streamed = '';
let last;
for await (const chunk of await ai.models.generateContentStream({ model, contents: 'hello there' })) {
  streamed += chunk.text ?? '';
  last = chunk;
}
assert.equal(streamed, reply.text);
assert.equal(last.candidates[0].finishReason, 'STOP');
assert.equal(last.usageMetadata.candidatesTokenCount, 8);

const tools = [{ functionDeclarations: [
  { name: 'get_weather', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } } },
  { name: 'get_time', parametersJsonSchema: { type: 'object', properties: { zone: { type: 'string' } } } },
] }];
const calls = await ai.models.generateContent({
  model, contents: 'weather and time?',
  config: { tools, toolConfig: { functionCallingConfig: { mode: 'ANY' } }, httpOptions: { headers: { 'x-sim-tool-calls': '2' } } },
});
assert.equal(calls.functionCalls.length, 2);
assert.deepEqual(calls.functionCalls[0].args, { city: 'sim-city' });
assert.equal(calls.functionCalls[1].name, 'get_time');

const answer = await ai.models.generateContent({
  model, config: { tools },
  contents: [
    { role: 'user', parts: [{ text: 'weather?' }] },
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { content: 'Sunny' } } }] },
  ],
});
assert.match(answer.text, /Sunny/);

const one = await ai.models.embedContent({ model: 'sim-embed', contents: 'first text' });
assert.equal(one.embeddings.length, 1);
assert.equal(one.embeddings[0].values.length, 16);
const two = await ai.models.embedContent({ model: 'sim-embed', contents: ['first text', 'second text'] });
assert.equal(two.embeddings.length, 2);
assert.deepEqual(two.embeddings[0].values, one.embeddings[0].values);

await assert.rejects(
  ai.models.generateContent({ model, contents: 'hi', config: { httpOptions: { headers: { 'x-sim-fault': 'status=429' } } } }),
  (error) => error.status === 429 && /RESOURCE_EXHAUSTED/.test(error.message));

console.log('gemini sdk check passed');
