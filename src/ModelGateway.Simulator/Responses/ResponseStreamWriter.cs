using System.Text.Json;
using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Responses;

/// <summary>
/// Streams a response as OpenAI's typed events, each with <c>event:</c> and a <c>sequence_number</c>:
/// <c>response.created</c>, <c>response.in_progress</c>, then per output item <c>output_item.added</c>, its
/// content events (reasoning summary, text part, function call arguments) and <c>output_item.done</c>, then
/// <c>response.completed</c> (or <c>response.incomplete</c> when cut by <c>max_output_tokens</c>).
/// </summary>
internal sealed class ResponseStreamWriter
{
    private readonly SimulatedStream _stream;
    private readonly ResponseDraft _draft;
    private int _sequence;

    private ResponseStreamWriter(SimulatedStream stream, ResponseDraft draft)
    {
        _stream = stream;
        _draft = draft;
    }

    public static async Task WriteAsync(HttpContext context, ResponseDraft draft, int chunkDelayMs, TimeProvider timeProvider)
    {
        await using var stream = await SimulatedStream.StartAsync(context, chunkDelayMs, timeProvider);
        var writer = new ResponseStreamWriter(stream, draft);
        await writer.WriteAllAsync();
        stream.Complete();
    }

    private async Task WriteAllAsync()
    {
        await EventAsync("response.created", json => WriteResponse(json, final: false));
        await EventAsync("response.in_progress", json => WriteResponse(json, final: false));
        for (var index = 0; index < _draft.Output.Count; index++)
        {
            var item = _draft.Output[index];
            await EventAsync("response.output_item.added", json => WriteItemEvent(json, index, item, done: false));
            switch (item)
            {
                case ReasoningItem reasoning:
                    await ReasoningAsync(index, reasoning);
                    break;
                case MessageItem message:
                    await MessageAsync(index, message);
                    break;
                case FunctionCallItem call:
                    await FunctionCallAsync(index, call);
                    break;
            }

            await EventAsync("response.output_item.done", json => WriteItemEvent(json, index, item, done: true));
        }

        await EventAsync(_draft.Incomplete ? "response.incomplete" : "response.completed", json => WriteResponse(json, final: true));
    }

    private async Task ReasoningAsync(int index, ReasoningItem item)
    {
        if (item.Summary is not { } summary)
        {
            return;
        }

        await EventAsync("response.reasoning_summary_part.added", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("summary_index"u8, 0);
            json.WritePropertyName("part"u8);
            ResponseObjectWriter.WriteSummaryPart(json, string.Empty);
        });
        await EventAsync("response.reasoning_summary_text.delta", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("summary_index"u8, 0);
            json.WriteString("delta"u8, summary);
        });
        await EventAsync("response.reasoning_summary_text.done", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("summary_index"u8, 0);
            json.WriteString("text"u8, summary);
        });
        await EventAsync("response.reasoning_summary_part.done", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("summary_index"u8, 0);
            json.WritePropertyName("part"u8);
            ResponseObjectWriter.WriteSummaryPart(json, summary);
        });
    }

    private async Task MessageAsync(int index, MessageItem item)
    {
        await EventAsync("response.content_part.added", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("content_index"u8, 0);
            json.WritePropertyName("part"u8);
            ResponseObjectWriter.WriteTextPart(json, string.Empty);
        });
        for (var i = 0; i < item.Words.Count; i++)
        {
            var delta = i < item.Words.Count - 1 ? item.Words[i] + " " : item.Words[i];
            await EventAsync("response.output_text.delta", json =>
            {
                ItemFields(json, item.Id, index);
                json.WriteNumber("content_index"u8, 0);
                json.WriteString("delta"u8, delta);
                json.WriteStartArray("logprobs"u8);
                json.WriteEndArray();
            });
        }

        await EventAsync("response.output_text.done", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("content_index"u8, 0);
            json.WriteString("text"u8, item.Text);
            json.WriteStartArray("logprobs"u8);
            json.WriteEndArray();
        });
        await EventAsync("response.content_part.done", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteNumber("content_index"u8, 0);
            json.WritePropertyName("part"u8);
            ResponseObjectWriter.WriteTextPart(json, item.Text);
        });
    }

    private async Task FunctionCallAsync(int index, FunctionCallItem item)
    {
        foreach (var fragment in Fragments(item.Call.Arguments))
        {
            await EventAsync("response.function_call_arguments.delta", json =>
            {
                ItemFields(json, item.Id, index);
                json.WriteString("delta"u8, fragment);
            });
        }

        await EventAsync("response.function_call_arguments.done", json =>
        {
            ItemFields(json, item.Id, index);
            json.WriteString("name"u8, item.Call.Name);
            json.WriteString("arguments"u8, item.Call.Arguments);
        });
    }

    private void WriteResponse(Utf8JsonWriter json, bool final)
    {
        json.WritePropertyName("response"u8);
        ResponseObjectWriter.Write(json, _draft, final);
    }

    private static void WriteItemEvent(Utf8JsonWriter json, int index, OutputItem item, bool done)
    {
        json.WriteNumber("output_index"u8, index);
        json.WritePropertyName("item"u8);
        ResponseObjectWriter.WriteItem(json, item, done);
    }

    private static void ItemFields(Utf8JsonWriter json, string itemId, int index)
    {
        json.WriteString("item_id"u8, itemId);
        json.WriteNumber("output_index"u8, index);
    }

    private Task EventAsync(string type, Action<Utf8JsonWriter> fields)
    {
        var sequence = _sequence++;
        return _stream.WriteAsync(type, json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, type);
            json.WriteNumber("sequence_number"u8, sequence);
            fields(json);
            json.WriteEndObject();
        });
    }

    private static IEnumerable<string> Fragments(string text)
    {
        var size = Math.Max(1, (text.Length + StreamPlan.ArgumentFragments - 1) / StreamPlan.ArgumentFragments);
        for (var start = 0; start < text.Length; start += size)
        {
            yield return text[start..Math.Min(start + size, text.Length)];
        }
    }
}
