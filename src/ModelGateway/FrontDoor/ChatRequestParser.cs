using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Reads a chat completions body with <see cref="Utf8JsonReader"/>: validates what the gateway relies on and
/// skips the rest, so fields it does not know (vLLM's <c>structured_outputs</c>, new OpenAI fields) pass through.
/// </summary>
internal static class ChatRequestParser
{
    public static ChatRequest? Parse(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        if (JsonBodyValidator.Validate(body) is { } invalid)
        {
            error = invalid;
            return null;
        }

        try
        {
            return ParseCore(body, out error);
        }
        catch (JsonException)
        {
            error = RequestErrors.InvalidJson();
            return null;
        }
    }

    private static ChatRequest? ParseCore(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = RequestErrors.NotAnObject();
            return null;
        }

        string? model = null;
        JsonSpan modelToken = default;
        bool stream = false, wantsUsage = false, usesTools = false, usesImages = false, usesJsonSchema = false;
        JsonSpan? streamOptions = null, includeUsage = null;
        int? maxTokens = null, maxCompletionTokens = null;
        var messageCount = -1;

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = RequestErrors.WrongType("model", "a string");
                    return null;
                }

                model = reader.GetString();
                modelToken = TokenSpan(ref reader);
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                messageCount = ReadMessages(ref reader, ref usesImages, out error);
                if (error is not null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                {
                    error = RequestErrors.WrongType("stream", "a boolean");
                    return null;
                }

                stream = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("stream_options"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    var start = (int)reader.TokenStartIndex;
                    includeUsage = ReadStreamOptions(ref reader, out wantsUsage);
                    streamOptions = new JsonSpan(start, (int)reader.BytesConsumed - start);
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    error = RequestErrors.WrongType("stream_options", "an object");
                    return null;
                }
            }
            else if (reader.ValueTextEquals("max_completion_tokens"u8))
            {
                reader.Read();
                maxCompletionTokens = ReadOptionalPositiveInt(ref reader, "max_completion_tokens", out error);
                if (error is not null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("max_tokens"u8))
            {
                reader.Read();
                maxTokens = ReadOptionalPositiveInt(ref reader, "max_tokens", out error);
                if (error is not null)
                {
                    return null;
                }
            }
            else if (reader.ValueTextEquals("tools"u8))
            {
                reader.Read();
                usesTools = reader.TokenType == JsonTokenType.StartArray && HasElements(ref reader);
            }
            else if (reader.ValueTextEquals("response_format"u8))
            {
                reader.Read();
                usesJsonSchema = reader.TokenType == JsonTokenType.StartObject && IsJsonSchemaFormat(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (model is null)
        {
            error = RequestErrors.Missing("model");
            return null;
        }

        if (model.Length == 0)
        {
            error = GatewayError.InvalidRequest("'model' must not be empty.", "model");
            return null;
        }

        if (messageCount < 0)
        {
            error = RequestErrors.Missing("messages");
            return null;
        }

        if (messageCount == 0)
        {
            error = GatewayError.InvalidRequest("'messages' must contain at least one message.", "messages");
            return null;
        }

        error = null;
        return new ChatRequest
        {
            Model = model,
            ModelToken = modelToken,
            Stream = stream,
            ClientWantsStreamUsage = wantsUsage,
            StreamOptions = streamOptions,
            IncludeUsageValue = includeUsage,
            MaxOutputTokens = maxCompletionTokens ?? maxTokens,
            UsesTools = usesTools,
            UsesImages = usesImages,
            UsesJsonSchema = usesJsonSchema,
        };
    }

    /// <summary>Counts messages and checks each is an object with a string role; notes image parts.</summary>
    private static int ReadMessages(ref Utf8JsonReader reader, ref bool usesImages, out GatewayError? error)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            error = RequestErrors.WrongType("messages", "an array");
            return -1;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                error = GatewayError.InvalidRequest($"'messages[{count}]' must be an object.", $"messages[{count}]");
                return -1;
            }

            var hasRole = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("role"u8))
                {
                    reader.Read();
                    hasRole = reader.TokenType == JsonTokenType.String;
                }
                else if (reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        usesImages |= ContainsImagePart(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (!hasRole)
            {
                error = GatewayError.InvalidRequest($"'messages[{count}].role' is required and must be a string.", $"messages[{count}].role");
                return -1;
            }

            count++;
        }

        error = null;
        return count;
    }

    private static bool ContainsImagePart(ref Utf8JsonReader reader)
    {
        var found = false;
        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                found |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("image_url"u8);
            }
        }

        return found;
    }

    internal static JsonSpan? ReadStreamOptions(ref Utf8JsonReader reader, out bool includeUsage)
    {
        includeUsage = false;
        JsonSpan? valueToken = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
            reader.Read();
            if (isIncludeUsage)
            {
                includeUsage = reader.TokenType == JsonTokenType.True;
                valueToken = TokenSpan(ref reader);
            }

            reader.Skip();
        }

        return valueToken;
    }

    private static bool HasElements(ref Utf8JsonReader reader)
    {
        var depth = reader.CurrentDepth;
        var any = false;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            any = true;
            reader.Skip();
        }

        return any;
    }

    private static bool IsJsonSchemaFormat(ref Utf8JsonReader reader)
    {
        var isSchema = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                isSchema = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("json_schema"u8);
            }

            reader.Skip();
        }

        return isSchema;
    }

    private static int? ReadOptionalPositiveInt(ref Utf8JsonReader reader, string name, out GatewayError? error)
    {
        error = null;
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value) || value < 1)
        {
            error = RequestErrors.WrongType(name, "a positive integer");
            return null;
        }

        return value;
    }

    internal static JsonSpan TokenSpan(ref Utf8JsonReader reader) =>
        new((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex));
}
