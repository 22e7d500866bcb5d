using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Renders chat completion chunks (the canonical stream) as OpenAI Responses events, in OpenAI's order and each with
/// its <c>sequence_number</c>: <c>response.created</c> and <c>response.in_progress</c> first, then per output item
/// its <c>output_item.added</c>, content events and <c>output_item.done</c>, and exactly one terminal event:
/// <c>response.completed</c> or <c>response.incomplete</c> after <c>[DONE]</c>, <c>response.failed</c> (after an
/// <c>error</c> event) when the stream broke or never finished.
/// </summary>
internal sealed class ResponsesEventRenderer
{
    private readonly ResponsesExchange _exchange;
    private readonly PipeWriter _out;
    private readonly List<OutputItem> _items = [];
    private readonly Dictionary<int, OutputItem> _calls = [];
    private OutputItem? _open;
    private int _sequence;
    private string? _finishReason;
    private TokenUsage? _usage;
    private bool _ended;

    public ResponsesEventRenderer(ResponsesExchange exchange, PipeWriter output)
    {
        _exchange = exchange;
        _out = output;
    }

    public void Begin()
    {
        Event("response.created"u8, json => WriteResponse(json, ResponseState.InProgress with { Status = "in_progress" }, final: false));
        Event("response.in_progress"u8, json => WriteResponse(json, ResponseState.InProgress, final: false));
    }

    /// <summary>Renders every complete SSE event in <paramref name="pending"/>; returns the bytes consumed.</summary>
    public async ValueTask<int> RenderAsync(ReadOnlyMemory<byte> pending, CancellationToken cancellationToken)
    {
        var consumed = 0;
        while (!_ended && NextEvent(pending.Span[consumed..], out var length, out var dataStart, out var dataLength))
        {
            var data = pending.Slice(consumed + dataStart, dataLength);
            consumed += length;
            if (dataLength > 0)
            {
                await OnDataAsync(data, cancellationToken);
            }
        }

        return _ended ? pending.Length : consumed;
    }

    /// <summary>Ends a stream that never reached <c>[DONE]</c> or an error: the upstream stopped short.</summary>
    public async ValueTask EndAsync(CancellationToken cancellationToken)
    {
        if (!_ended)
        {
            await FailAsync(new GatewayError(502, "server_error", "upstream_stream_truncated", "The upstream provider ended the stream before it was complete."), cancellationToken);
        }
    }

    private async ValueTask OnDataAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.Span.SequenceEqual("[DONE]"u8))
        {
            await FinishAsync(cancellationToken);
            return;
        }

        using var document = JsonDocument.Parse(data);
        var chunk = document.RootElement;
        if (chunk.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            await FailAsync(new GatewayError(
                502,
                StringOf(error, "type") ?? "server_error",
                StringOf(error, "code"),
                StringOf(error, "message") ?? "The upstream provider failed during the response.",
                StringOf(error, "param")), cancellationToken);
            return;
        }

        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && UsageJsonReader.TryRead(data.Span, out var read))
        {
            _usage = read;
        }

        if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
        {
            return;
        }

        var choice = choices[0];
        if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
        {
            OnDelta(delta);
        }

        if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
        {
            _finishReason = finish.GetString();
        }
    }

    private void OnDelta(JsonElement delta)
    {
        var reasoning = StringOf(delta, "reasoning_content") ?? StringOf(delta, "reasoning");
        if (!string.IsNullOrEmpty(reasoning))
        {
            var item = Ensure(OutputItemKind.Reasoning);
            item.Text.Append(reasoning);
            Event("response.reasoning_summary_text.delta"u8, json =>
            {
                ItemFields(json, item);
                json.WriteNumber("summary_index"u8, 0);
                json.WriteString("delta"u8, reasoning);
            });
        }

        var text = StringOf(delta, "content") ?? StringOf(delta, "refusal");
        if (!string.IsNullOrEmpty(text))
        {
            var item = Ensure(OutputItemKind.Message);
            item.Text.Append(text);
            Event("response.output_text.delta"u8, json =>
            {
                ItemFields(json, item);
                json.WriteNumber("content_index"u8, 0);
                json.WriteString("delta"u8, text);
                json.WriteStartArray("logprobs"u8);
                json.WriteEndArray();
            });
        }

        if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                OnToolCall(call);
            }
        }
    }

    private void OnToolCall(JsonElement call)
    {
        var index = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var k) ? k : 0;
        var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
        if (!_calls.TryGetValue(index, out var item))
        {
            CloseOpen();
            var (space, name) = _exchange.Request.ClientName((function.ValueKind == JsonValueKind.Object ? StringOf(function, "name") : null) ?? string.Empty);
            item = new OutputItem(OutputItemKind.FunctionCall, _items.Count, StringOf(call, "id"), name, space);
            _calls[index] = item;
            Open(item);
        }

        var arguments = function.ValueKind == JsonValueKind.Object ? StringOf(function, "arguments") : null;
        if (!string.IsNullOrEmpty(arguments))
        {
            item.Text.Append(arguments);
            Event("response.function_call_arguments.delta"u8, json =>
            {
                ItemFields(json, item);
                json.WriteString("delta"u8, arguments);
            });
        }
    }

    /// <summary>The open item of this kind, opening one (and closing another kind's) when needed.</summary>
    private OutputItem Ensure(OutputItemKind kind)
    {
        if (_open is { } open && open.Kind == kind)
        {
            return open;
        }

        CloseOpen();
        var item = new OutputItem(kind, _items.Count)
        {
            EncryptedContent = kind == OutputItemKind.Reasoning ? ChatCompletionRenderer.TranslatedReasoning(_exchange.Request) : null,
        };
        Open(item);
        return item;
    }

    private void Open(OutputItem item)
    {
        _items.Add(item);
        _open = item;
        Event("response.output_item.added"u8, json =>
        {
            json.WriteNumber("output_index"u8, item.Index);
            json.WritePropertyName("item"u8);
            item.Write(json, done: false);
        });
        if (item.Kind == OutputItemKind.Message)
        {
            Event("response.content_part.added"u8, json =>
            {
                ItemFields(json, item);
                json.WriteNumber("content_index"u8, 0);
                json.WritePropertyName("part"u8);
                OutputItem.WriteTextPart(json, string.Empty);
            });
        }
        else if (item.Kind == OutputItemKind.Reasoning)
        {
            Event("response.reasoning_summary_part.added"u8, json =>
            {
                ItemFields(json, item);
                json.WriteNumber("summary_index"u8, 0);
                json.WritePropertyName("part"u8);
                OutputItem.WriteSummaryPart(json, string.Empty);
            });
        }
    }

    private void CloseOpen()
    {
        if (_open is not { } item)
        {
            return;
        }

        _open = null;
        item.Done = true;
        var text = item.Text.ToString();
        switch (item.Kind)
        {
            case OutputItemKind.Message:
                Event("response.output_text.done"u8, json =>
                {
                    ItemFields(json, item);
                    json.WriteNumber("content_index"u8, 0);
                    json.WriteString("text"u8, text);
                    json.WriteStartArray("logprobs"u8);
                    json.WriteEndArray();
                });
                Event("response.content_part.done"u8, json =>
                {
                    ItemFields(json, item);
                    json.WriteNumber("content_index"u8, 0);
                    json.WritePropertyName("part"u8);
                    OutputItem.WriteTextPart(json, text);
                });
                break;
            case OutputItemKind.Reasoning:
                Event("response.reasoning_summary_text.done"u8, json =>
                {
                    ItemFields(json, item);
                    json.WriteNumber("summary_index"u8, 0);
                    json.WriteString("text"u8, text);
                });
                Event("response.reasoning_summary_part.done"u8, json =>
                {
                    ItemFields(json, item);
                    json.WriteNumber("summary_index"u8, 0);
                    json.WritePropertyName("part"u8);
                    OutputItem.WriteSummaryPart(json, text);
                });
                break;
            case OutputItemKind.FunctionCall:
                Event("response.function_call_arguments.done"u8, json =>
                {
                    ItemFields(json, item);
                    json.WriteString("name"u8, item.Name);
                    json.WriteString("arguments"u8, text);
                });
                break;
        }

        Event("response.output_item.done"u8, json =>
        {
            json.WriteNumber("output_index"u8, item.Index);
            json.WritePropertyName("item"u8);
            item.Write(json, done: true);
        });
    }

    private async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        var state = ChatCompletionRenderer.StateOf(_finishReason);
        if (state.Status == "incomplete" && _open is { Kind: OutputItemKind.Message } message)
        {
            message.Incomplete = true;
        }

        CloseOpen();
        _ended = true;
        var output = _items.ConvertAll(item => item.ToJson());
        var response = ResponseJson(state, output);

        // Stored before the client hears the response is complete: a continuation right after finds it on any replica.
        await _exchange.SaveAsync(output, response, cancellationToken);
        Event(state.Status == "incomplete" ? "response.incomplete"u8 : "response.completed"u8, json =>
        {
            json.WritePropertyName("response"u8);
            json.WriteRawValue(response, skipInputValidation: true);
        });
    }

    private ValueTask FailAsync(GatewayError error, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        CloseOpen();
        _ended = true;
        Event("error"u8, json =>
        {
            json.WritePropertyName("error"u8);
            json.WriteStartObject();
            json.WriteString("type"u8, error.Type);
            json.WriteString("code"u8, error.Code);
            json.WriteString("message"u8, error.Message);
            json.WriteString("param"u8, error.Param);
            json.WriteEndObject();
        });
        var response = ResponseJson(new ResponseState("failed", Error: error), _items.ConvertAll(item => item.ToJson()));
        Event("response.failed"u8, json =>
        {
            json.WritePropertyName("response"u8);
            json.WriteRawValue(response, skipInputValidation: true);
        });
        return ValueTask.CompletedTask;
    }

    private byte[] ResponseJson(ResponseState state, List<byte[]> output)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            ResponseObjectWriter.Write(json, _exchange, state, output, _usage);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private void WriteResponse(Utf8JsonWriter json, ResponseState state, bool final)
    {
        _ = final;
        json.WritePropertyName("response"u8);
        ResponseObjectWriter.Write(json, _exchange, state, [], null);
    }

    private static void ItemFields(Utf8JsonWriter json, OutputItem item)
    {
        json.WriteString("item_id"u8, item.Id);
        json.WriteNumber("output_index"u8, item.Index);
    }

    /// <summary>Writes <c>event: type</c> and <c>data: {"type", "sequence_number", ...}</c>.</summary>
    private void Event(ReadOnlySpan<byte> type, Action<Utf8JsonWriter> fields)
    {
        _out.Write("event: "u8);
        _out.Write(type);
        _out.Write("\ndata: "u8);
        using (var json = new Utf8JsonWriter(_out))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, type);
            json.WriteNumber("sequence_number"u8, _sequence++);
            fields(json);
            json.WriteEndObject();
        }

        _out.Write("\n\n"u8);
    }

    /// <summary>Finds the first complete SSE event: its length with the blank line, and where its data sits.</summary>
    private static bool NextEvent(ReadOnlySpan<byte> pending, out int length, out int dataStart, out int dataLength)
    {
        dataStart = dataLength = length = 0;
        var end = pending.IndexOf("\n\n"u8);
        var separator = 2;
        var crlf = pending.IndexOf("\r\n\r\n"u8);
        if (crlf >= 0 && (end < 0 || crlf < end))
        {
            end = crlf;
            separator = 4;
        }

        if (end < 0)
        {
            return false;
        }

        length = end + separator;
        var block = pending[..end];
        var data = block.IndexOf("data:"u8);
        if (data >= 0)
        {
            dataStart = data + 5;
            if (dataStart < block.Length && block[dataStart] == ' ')
            {
                dataStart++;
            }

            var lineEnd = block[dataStart..].IndexOfAny((byte)'\r', (byte)'\n');
            dataLength = lineEnd < 0 ? block.Length - dataStart : lineEnd;
        }

        return true;
    }

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
