using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Reads a legacy text completions body (<c>POST /v1/completions</c>) with <see cref="Utf8JsonReader"/>: checks
/// <c>model</c>, <c>prompt</c> (a string, strings, token ids or arrays of token ids), <c>stream</c>,
/// <c>stream_options</c> and <c>max_tokens</c>, and skips the rest, which is forwarded as sent. The facts are a
/// <see cref="ChatRequest"/>: the same stream and usage fields the forwarding adapter splices.
/// </summary>
internal static class CompletionsRequestParser
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
        bool stream = false, wantsUsage = false, hasPrompt = false;
        JsonSpan? streamOptions = null, includeUsage = null;
        int? maxTokens = null;
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
                modelToken = ChatRequestParser.TokenSpan(ref reader);
            }
            else if (reader.ValueTextEquals("prompt"u8))
            {
                reader.Read();
                if ((error = ReadPrompt(ref reader)) is not null)
                {
                    return null;
                }

                hasPrompt = true;
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
                    includeUsage = ChatRequestParser.ReadStreamOptions(ref reader, out wantsUsage);
                    streamOptions = new JsonSpan(start, (int)reader.BytesConsumed - start);
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    error = RequestErrors.WrongType("stream_options", "an object");
                    return null;
                }
            }
            else if (reader.ValueTextEquals("max_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                // 0 is valid here: with echo it scores the prompt without generating.
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value) || value < 0)
                {
                    error = RequestErrors.WrongType("max_tokens", "a non-negative integer");
                    return null;
                }

                maxTokens = value;
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

        if (!hasPrompt)
        {
            error = RequestErrors.Missing("prompt");
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
            MaxOutputTokens = maxTokens,
        };
    }

    /// <summary>Checks <c>prompt</c>: a string, or a non-empty array of strings, of token ids, or of non-empty arrays of token ids.</summary>
    private static GatewayError? ReadPrompt(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return reader.TokenType == JsonTokenType.Null
                ? RequestErrors.Missing("prompt")
                : RequestErrors.WrongType("prompt", "a string, an array of strings, an array of token ids or an array of token id arrays");
        }

        var kind = JsonTokenType.None;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (kind == JsonTokenType.None)
            {
                kind = reader.TokenType;
            }

            var valid = reader.TokenType == kind && kind switch
            {
                JsonTokenType.String => true,
                JsonTokenType.Number => IsTokenId(ref reader),
                JsonTokenType.StartArray => IsTokenIdArray(ref reader),
                _ => false,
            };
            if (!valid)
            {
                return GatewayError.InvalidRequest(
                    "'prompt' must be a string, an array of strings, an array of token ids (non-negative integers) or an array of non-empty token id arrays, not a mix.",
                    "prompt",
                    "invalid_type");
            }

            count++;
        }

        return count == 0 ? GatewayError.InvalidRequest("'prompt' must not be an empty array.", "prompt") : null;
    }

    private static bool IsTokenId(ref Utf8JsonReader reader) => reader.TryGetInt32(out var id) && id >= 0;

    private static bool IsTokenIdArray(ref Utf8JsonReader reader)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !IsTokenId(ref reader))
            {
                return false;
            }

            count++;
        }

        return count > 0;
    }
}
