using System.Text.Json;
using ModelGateway.Providers.Translation;

namespace ModelGateway.Providers.Anthropic;

/// <summary>
/// Anthropic stream events to OpenAI chunks: <c>message_start</c> gives the role chunk, text deltas content, each
/// <c>tool_use</c> block a tool call numbered among tool blocks only, <c>input_json_delta</c> its argument fragments,
/// <c>message_delta</c> the finish reason, <c>message_stop</c> the end; <c>ping</c> is dropped.
/// </summary>
internal sealed class AnthropicStreamTranslator : StreamTranslator
{
    private readonly string _fallbackModel;
    private readonly string? _structuredTool;
    private readonly Dictionary<int, int> _toolIndexByBlock = [];
    private int? _structuredBlock;
    private bool _answeredByStructuredTool;

    public AnthropicStreamTranslator(OpenAiChunkWriter chunks, string fallbackModel, string? structuredTool)
        : base(chunks)
    {
        _fallbackModel = fallbackModel;
        _structuredTool = structuredTool;
    }

    public override void OnEvent(string eventType, ReadOnlySpan<byte> data)
    {
        if (eventType == "ping")
        {
            return;
        }

        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        switch (eventType)
        {
            case "message_start":
                var message = root.GetProperty("message");
                Chunks.SetIdentity(
                    message.TryGetProperty("id", out var id) ? id.GetString()! : "msg",
                    message.TryGetProperty("model", out var model) && model.GetString() is { } name ? name : _fallbackModel);
                if (message.TryGetProperty("usage", out var startUsage))
                {
                    Usage = AnthropicWire.Usage(startUsage);
                }

                Chunks.Role();
                break;
            case "content_block_start":
                StartBlock(root.GetProperty("index").GetInt32(), root.GetProperty("content_block"));
                break;
            case "content_block_delta":
                Delta(root.GetProperty("index").GetInt32(), root.GetProperty("delta"));
                break;
            case "message_delta":
                if (root.TryGetProperty("usage", out var usage))
                {
                    Usage = AnthropicWire.Usage(usage, Usage);
                }

                if (root.GetProperty("delta").TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String)
                {
                    var reason = stop.GetString();
                    Chunks.Finish(_answeredByStructuredTool && reason == "tool_use" ? "stop" : AnthropicWire.FinishReason(reason));
                    Completed = true;
                }

                break;
            case "message_stop":
                Terminated = true;
                break;
            case "error":
                Error = AnthropicErrors.MapEvent(root.GetProperty("error"));
                break;
        }
    }

    private void StartBlock(int index, JsonElement block)
    {
        switch (block.GetProperty("type").GetString())
        {
            case "text" when block.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 } initial:
                Chunks.Content(initial);
                break;
            case "tool_use" when _structuredTool is not null && block.GetProperty("name").ValueEquals(_structuredTool):
                _structuredBlock = index;
                _answeredByStructuredTool = true;
                break;
            case "tool_use":
                var toolIndex = _toolIndexByBlock.Count;
                _toolIndexByBlock[index] = toolIndex;
                Chunks.ToolCallStart(toolIndex, block.GetProperty("id").GetString()!, block.GetProperty("name").GetString()!);
                break;
        }
    }

    private void Delta(int index, JsonElement delta)
    {
        switch (delta.GetProperty("type").GetString())
        {
            case "text_delta":
                Chunks.Content(delta.GetProperty("text").GetString()!);
                break;
            case "input_json_delta" when delta.GetProperty("partial_json").GetString() is { Length: > 0 } fragment:
                if (index == _structuredBlock)
                {
                    Chunks.Content(fragment);
                }
                else if (_toolIndexByBlock.TryGetValue(index, out var toolIndex))
                {
                    Chunks.ToolCallArguments(toolIndex, fragment);
                }

                break;
        }
    }
}
