// The OpenAI Agents SDK (@openai/agents) through the GATEWAY (GW_URL, GW_KEY, GW_MODEL): one agent with one
// function tool, run to completion over the Responses API. The simulator's model calls the tool; its answer quotes
// the tool's result, which proves the round trip.
import OpenAI from 'openai';
import { Agent, run, tool, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled } from '@openai/agents';
import assert from 'node:assert/strict';

setTracingDisabled(true);
setOpenAIAPI('responses');
setDefaultOpenAIClient(new OpenAI({ apiKey: process.env.GW_KEY, baseURL: `${process.env.GW_URL}/v1`, maxRetries: 0 }));

const calls = [];
const getWeather = tool({
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
  execute: async ({ city }) => {
    calls.push(city);
    return `mg-weather-${city}-sunny`;
  },
});

const agent = new Agent({ name: 'Weather', instructions: 'Answer with the tool.', model: process.env.GW_MODEL, tools: [getWeather] });
const result = await run(agent, 'What is the weather in Paris?', { maxTurns: 4 });

assert.deepEqual(calls, ['sim-city']);
assert.match(result.finalOutput, /got tool result: mg-weather-sim-city-sunny/);
console.log('agents sdk check passed:', result.finalOutput);
