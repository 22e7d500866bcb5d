using System.Buffers;
using System.Text.Json;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// OpenAI chat completion chunks (<c>data: {...}</c> lines) to Anthropic stream events, one chunk at a time:
/// <c>message_start</c> and a <c>ping</c> on the first chunk; per content run a block (<c>thinking</c> from
/// reasoning content, <c>text</c>, one <c>tool_use</c> per call) opened with <c>content_block_start</c>, fed with
/// deltas and closed with <c>content_block_stop</c>; on <c>[DONE]</c> <c>message_delta</c> (stop reason, usage) and
/// <c>message_stop</c>. A <c>data: {"error":...}</c> chunk becomes an <c>error</c> event and ends the stream.
/// </summary>
internal sealed class ChatToMessagesStream : IDisposable
{
    private readonly IBufferWriter<byte> _output;
    private readonly Utf8JsonWriter _json;
    private readonly int _estimatedInputTokens;
    private readonly Dictionary<int, int> _blockByToolIndex = [];
    private BlockKind _open = BlockKind.None;
    private int _blockIndex = -1;
    private bool _started;
    private bool _ended;
    private string? _stopReason;
    private int _promptTokens;
    private int _cachedTokens;
    private int _completionTokens;
    private bool _usageSeen;

    public ChatToMessagesStream(IBufferWriter<byte> output, int estimatedInputTokens)
    {
        _output = output;
        _estimatedInputTokens = estimatedInputTokens;
        _json = new Utf8JsonWriter(output, OpenAiChunkWriter.WriterOptions);
    }

    private enum BlockKind
    {
        None,
        Text,
        Thinking,
        ToolUse,
    }

    /// <summary>Translates every complete line of <paramref name="input"/>; returns how many bytes it consumed.</summary>
    public int Translate(ReadOnlySpan<byte> input)
    {
        var consumed = 0;
        while (!_ended)
        {
            var end = input[consumed..].IndexOf((byte)'\n');
            if (end < 0)
            {
                break;
            }

            var line = input.Slice(consumed, end).TrimEnd((byte)'\r');
            consumed += end + 1;
            if (line.StartsWith("data:"u8))
            {
                OnData(line[5..].TrimStart((byte)' '));
            }
        }

        return _ended ? input.Length : consumed;
    }

    /// <summary>The canonical stream is over: a stream that did not finish ends with an error event.</summary>
    public void EndOfStream()
    {
        if (_ended)
        {
            return;
        }

        if (_stopReason is not null)
        {
            // Finished but the usage chunk and [DONE] never came: close with what is known.
            Done();
            return;
        }

        Error(new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_stream_truncated",
            "The upstream provider ended the stream before it was complete."));
    }

    public void Dispose() => _json.Dispose();

    private void OnData(ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            Done();
            return;
        }

        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        var chunk = document.RootElement;
        if (chunk.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            Error(ErrorOf(error));
            return;
        }

        if (!_started)
        {
            MessageStart(chunk);
        }

        if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
        {
            ReadUsage(usage);
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
            CloseBlock();
            _stopReason = ChatToMessagesJson.StopReason(finish.GetString());
        }
    }

    private void OnDelta(JsonElement delta)
    {
        if ((Text(delta, "reasoning_content") ?? Text(delta, "reasoning")) is { } thinking)
        {
            EnsureBlock(BlockKind.Thinking);
            Event("content_block_delta"u8);
            _json.WriteNumber("index"u8, _blockIndex);
            _json.WriteStartObject("delta"u8);
            _json.WriteString("type"u8, "thinking_delta"u8);
            _json.WriteString("thinking"u8, thinking);
            _json.WriteEndObject();
            EndEvent();
        }

        if (Text(delta, "content") is { } text)
        {
            EnsureBlock(BlockKind.Text);
            Event("content_block_delta"u8);
            _json.WriteNumber("index"u8, _blockIndex);
            _json.WriteStartObject("delta"u8);
            _json.WriteString("type"u8, "text_delta"u8);
            _json.WriteString("text"u8, text);
            _json.WriteEndObject();
            EndEvent();
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
        var toolIndex = call.TryGetProperty("index", out var i) && i.TryGetInt32(out var number) ? number : 0;
        call.TryGetProperty("function", out var function);
        if (!_blockByToolIndex.TryGetValue(toolIndex, out var block))
        {
            CloseBlock();
            block = ++_blockIndex;
            _blockByToolIndex[toolIndex] = block;
            _open = BlockKind.ToolUse;
            Event("content_block_start"u8);
            _json.WriteNumber("index"u8, block);
            _json.WriteStartObject("content_block"u8);
            _json.WriteString("type"u8, "tool_use"u8);
            _json.WriteString("id"u8, Text(call, "id") ?? UniqueIds.Next("toolu_"));
            _json.WriteString("name"u8, function.ValueKind == JsonValueKind.Object ? Text(function, "name") ?? string.Empty : string.Empty);
            _json.WriteStartObject("input"u8);
            _json.WriteEndObject();
            _json.WriteEndObject();
            EndEvent();
        }

        if (function.ValueKind == JsonValueKind.Object && Text(function, "arguments") is { } fragment)
        {
            Event("content_block_delta"u8);
            _json.WriteNumber("index"u8, block);
            _json.WriteStartObject("delta"u8);
            _json.WriteString("type"u8, "input_json_delta"u8);
            _json.WriteString("partial_json"u8, fragment);
            _json.WriteEndObject();
            EndEvent();
        }
    }

    private void EnsureBlock(BlockKind kind)
    {
        if (_open == kind)
        {
            return;
        }

        CloseBlock();
        _open = kind;
        Event("content_block_start"u8);
        _json.WriteNumber("index"u8, ++_blockIndex);
        _json.WriteStartObject("content_block"u8);
        if (kind == BlockKind.Text)
        {
            _json.WriteString("type"u8, "text"u8);
            _json.WriteString("text"u8, ""u8);
        }
        else
        {
            _json.WriteString("type"u8, "thinking"u8);
            _json.WriteString("thinking"u8, ""u8);
            _json.WriteString("signature"u8, ""u8);
        }

        _json.WriteEndObject();
        EndEvent();
    }

    private void CloseBlock()
    {
        if (_open == BlockKind.None)
        {
            return;
        }

        _open = BlockKind.None;
        Event("content_block_stop"u8);
        _json.WriteNumber("index"u8, _blockIndex);
        EndEvent();
    }

    private void MessageStart(JsonElement chunk)
    {
        _started = true;
        Event("message_start"u8);
        _json.WriteStartObject("message"u8);
        _json.WriteString("id"u8, ChatToMessagesJson.MessageId(Text(chunk, "id")));
        _json.WriteString("type"u8, "message"u8);
        _json.WriteString("role"u8, "assistant"u8);
        _json.WriteString("model"u8, Text(chunk, "model") ?? string.Empty);
        _json.WriteStartArray("content"u8);
        _json.WriteEndArray();
        _json.WriteNull("stop_reason"u8);
        _json.WriteNull("stop_sequence"u8);
        _json.WriteStartObject("usage"u8);

        // Known only at the end of a chat completions stream; the estimate until message_delta gives the figure.
        _json.WriteNumber("input_tokens"u8, _estimatedInputTokens);
        _json.WriteNumber("cache_creation_input_tokens"u8, 0);
        _json.WriteNumber("cache_read_input_tokens"u8, 0);
        _json.WriteNumber("output_tokens"u8, 0);
        _json.WriteEndObject();
        _json.WriteEndObject();
        EndEvent();
        Event("ping"u8);
        EndEvent();
    }

    private void Done()
    {
        if (!_started)
        {
            MessageStart(default);
        }

        CloseBlock();
        Event("message_delta"u8);
        _json.WriteStartObject("delta"u8);
        _json.WriteString("stop_reason"u8, _stopReason ?? "end_turn");
        _json.WriteNull("stop_sequence"u8);
        _json.WriteEndObject();
        _json.WriteStartObject("usage"u8);
        if (_usageSeen)
        {
            _json.WriteNumber("input_tokens"u8, _promptTokens - _cachedTokens);
            _json.WriteNumber("cache_creation_input_tokens"u8, 0);
            _json.WriteNumber("cache_read_input_tokens"u8, _cachedTokens);
        }

        _json.WriteNumber("output_tokens"u8, _completionTokens);
        _json.WriteEndObject();
        EndEvent();
        Event("message_stop"u8);
        EndEvent();
        _ended = true;
    }

    private void Error(GatewayError error)
    {
        _output.Write("event: error\ndata: "u8);
        _json.Reset();
        AnthropicErrorEnvelope.Write(_json, error);
        _json.Flush();
        _output.Write("\n\n"u8);
        _ended = true;
    }

    private void ReadUsage(JsonElement usage)
    {
        _usageSeen = true;
        _promptTokens = Int(usage, "prompt_tokens");
        _completionTokens = Int(usage, "completion_tokens");
        _cachedTokens = usage.TryGetProperty("prompt_tokens_details", out var details) && details.ValueKind == JsonValueKind.Object
            ? Math.Min(Int(details, "cached_tokens"), _promptTokens)
            : 0;
    }

    /// <summary>Starts an event: <c>event: name</c>, then the data object with its <c>type</c>; the caller writes the rest.</summary>
    private void Event(ReadOnlySpan<byte> name)
    {
        _output.Write("event: "u8);
        _output.Write(name);
        _output.Write("\ndata: "u8);
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("type"u8, name);
    }

    private void EndEvent()
    {
        _json.WriteEndObject();
        _json.Flush();
        _output.Write("\n\n"u8);
    }

    internal static GatewayError ErrorOf(JsonElement error)
    {
        var message = Text(error, "message") ?? "The upstream provider failed.";
        var code = Text(error, "code");
        var type = Text(error, "type");
        var status = type switch
        {
            "invalid_request_error" => 400,
            "rate_limit_exceeded" or "requests" or "tokens" => 429,
            _ when code == "upstream_timeout" || code == "upstream_idle_timeout" => 504,
            _ => 502,
        };
        return new GatewayError(status, type ?? "server_error", code, message);
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? Math.Max(number, 0) : 0;
}
