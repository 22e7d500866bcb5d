using System.Text.Json;
using ModelGateway.Requests;


namespace ModelGateway.Providers;

/// <summary>Reads an OpenAI <c>usage</c> object out of a response or stream chunk without building a DOM.</summary>
internal static class UsageJsonReader
{
    /// <summary>
    /// Reads the <c>usage</c> object of an OpenAI response or chunk. OpenAI-compatible servers write it last, and the
    /// byte sequence <c>"usage":</c> cannot occur inside a JSON string (its quotes would be escaped), so the last
    /// occurrence is parsed on its own instead of walking the whole document; a full walk is the fallback.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out TokenUsage usage) => TryRead(json, UsageFields.Standard, out usage);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, out TokenUsage)"/>, also reading a dialect's own cache fields.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, UsageFields fields, out TokenUsage usage)
    {
        var at = json.LastIndexOf("\"usage\":"u8);
        if (at < 0)
        {
            usage = default;
            return false;
        }

        var value = json[(at + 8)..].TrimStart(" \t\r\n"u8);
        if (!value.IsEmpty && value[0] == '{')
        {
            try
            {
                var reader = new Utf8JsonReader(value);
                reader.Read();
                if (TryReadUsageObject(ref reader, fields, out usage))
                {
                    return true;
                }
            }
            catch (JsonException)
            {
                // Fall back to walking the document.
            }
        }

        return TryReadByWalking(json, fields, out usage);
    }

    /// <summary>Finds the top-level <c>usage</c> object by walking the document; false when it is absent or null.</summary>
    internal static bool TryReadByWalking(ReadOnlySpan<byte> json, out TokenUsage usage) => TryReadByWalking(json, UsageFields.Standard, out usage);

    private static bool TryReadByWalking(ReadOnlySpan<byte> json, UsageFields fields, out TokenUsage usage)
    {
        usage = default;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (isUsage)
                {
                    return reader.TokenType == JsonTokenType.StartObject && TryReadUsageObject(ref reader, fields, out usage);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed upstream JSON: the caller treats the usage as unknown.
        }

        return false;
    }

    private static bool TryReadUsageObject(ref Utf8JsonReader reader, UsageFields fields, out TokenUsage usage)
    {
        int prompt = 0, cached = 0, completion = 0, reasoning = 0, dialectCached = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Chat completions names, or the Responses API's (input/output) for native Responses pass-through.
            if (reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8))
            {
                prompt = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8))
            {
                completion = ReadInt(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                cached = ReadNested(ref reader, "cached_tokens"u8);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
            {
                reasoning = ReadNested(ref reader, "reasoning_tokens"u8);
            }
            else if ((fields & UsageFields.PromptCacheHitTokens) != 0 && reader.ValueTextEquals("prompt_cache_hit_tokens"u8))
            {
                dialectCached = ReadInt(ref reader);
            }
            else if ((fields & UsageFields.TopLevelCachedTokens) != 0 && reader.ValueTextEquals("cached_tokens"u8))
            {
                dialectCached = ReadInt(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // A host that reports both agrees on the figure; the larger guards against one of them being a stub 0.
        usage = new TokenUsage(prompt, Math.Max(cached, dialectCached), completion, reasoning);
        return true;
    }

    private static int ReadInt(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value) ? value : 0;
    }

    private static int ReadNested(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return 0;
        }

        var result = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals(name))
            {
                result = ReadInt(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return result;
    }
}
