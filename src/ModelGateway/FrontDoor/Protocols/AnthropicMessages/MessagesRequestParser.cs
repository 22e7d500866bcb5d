using System.Buffers;
using System.Text.Json;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// Reads a Messages body once: checks what Anthropic would refuse (missing <c>max_tokens</c>, blocks of the wrong
/// kind, a <c>tool_result</c> without its <c>tool_use</c>) and writes the canonical OpenAI chat completions body
/// for deployments that do not speak Messages. Fields without an equivalent are dropped, never refused.
/// </summary>
internal static class MessagesRequestParser
{
    /// <param name="body">The client's bytes.</param>
    /// <param name="countTokens">A <c>count_tokens</c> body: <c>max_tokens</c> is not required.</param>
    /// <param name="error">The error to send, in Anthropic's terms, when the body is refused.</param>
    public static ParsedBody? Parse(ReadOnlySpan<byte> body, bool countTokens, out GatewayError? error)
    {
        if (JsonBodyValidator.Validate(body) is { } invalid)
        {
            error = invalid;
            return null;
        }

        try
        {
            return ParseCore(body, countTokens, out error);
        }
        catch (JsonException)
        {
            error = RequestErrors.InvalidJson();
            return null;
        }
    }

    private static ParsedBody? ParseCore(ReadOnlySpan<byte> body, bool countTokens, out GatewayError? error)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = RequestErrors.NotAnObject();
            return null;
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } modelName)
        {
            error = Invalid("model: Field required (a non-empty string).", "model");
            return null;
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            error = Invalid("messages: Field required (an array).", "messages");
            return null;
        }

        int? maxTokens = null;
        if (root.TryGetProperty("max_tokens", out var max))
        {
            if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var value) || value < 1)
            {
                error = Invalid("max_tokens: Input should be a positive integer.", "max_tokens");
                return null;
            }

            maxTokens = value;
        }
        else if (!countTokens)
        {
            error = Invalid("max_tokens: Field required.", "max_tokens");
            return null;
        }

        var stream = false;
        if (root.TryGetProperty("stream", out var streamValue))
        {
            if (streamValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                error = Invalid("stream: Input should be a valid boolean.", "stream");
                return null;
            }

            stream = streamValue.ValueKind == JsonValueKind.True && !countTokens;
        }

        var output = new ArrayBufferWriter<byte>(Math.Max(1024, body.Length));
        var dropped = new DroppedFields();
        using (var json = new Utf8JsonWriter(output, OpenAiChunkWriter.WriterOptions))
        {
            error = MessagesToChat.Write(json, root, modelName, stream, dropped);
        }

        if (error is not null)
        {
            return null;
        }

        var canonicalBody = RequestBody.Copy(output.WrittenSpan);
        if (ChatRequestParser.Parse(canonicalBody.Span, out var canonicalError) is not { } chat)
        {
            // The canonical body is ours; a refusal here is a message without content the chat form cannot hold.
            canonicalBody.Dispose();
            error = canonicalError;
            return null;
        }

        error = null;
        var modelToken = ModelTokenOf(body);
        return new ParsedBody(
            modelName,
            modelToken,
            stream,
            Chat: null,
            RequiredCapabilities.Of(Operation.ChatCompletions, chat),
            maxTokens,
            new CanonicalRequest(canonicalBody, chat, chat.ModelToken, dropped.ToString()));
    }

    /// <summary>Where the top-level <c>model</c> string sits in the client's bytes, for the pass-through splice.</summary>
    private static JsonSpan ModelTokenOf(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            if (isModel)
            {
                return ChatRequestParser.TokenSpan(ref reader);
            }

            reader.Skip();
        }

        throw new JsonException("The body has no model.");
    }

    public static GatewayError Invalid(string message, string? param = null) => GatewayError.InvalidRequest(message, param);
}
