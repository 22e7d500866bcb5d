using System.Text.Json;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Providers.Dialects;

/// <summary>
/// Removes <c>reasoning_content</c> from the assistant messages of a chat request that have no tool calls, for a
/// host that refuses it there (DeepSeek). A tool-call turn keeps it: DeepSeek's thinking mode requires that
/// turn's reasoning back. Every other byte is copied as the client sent it.
/// </summary>
internal static class ReasoningHistoryFilter
{
    /// <summary>Returns the filtered body, or null when nothing had to be removed (the common case, found by one search).</summary>
    public static PooledBytes? Filter(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("\"reasoning_content\""u8) < 0)
        {
            return null;
        }

        List<Range>? removals;
        try
        {
            removals = FindRemovals(body);
        }
        catch (JsonException)
        {
            // The front door has parsed the body already; an upstream gets it as it is.
            return null;
        }

        if (removals is null)
        {
            return null;
        }

        var removed = 0;
        foreach (var range in removals)
        {
            removed += range.End.Value - range.Start.Value;
        }

        var output = new PooledBytes(body.Length - removed);
        var destination = output.Span;
        var position = 0;
        foreach (var range in removals)
        {
            var kept = body[position..range.Start.Value];
            kept.CopyTo(destination);
            destination = destination[kept.Length..];
            position = range.End.Value;
        }

        body[position..].CopyTo(destination);
        return output;
    }

    private static List<Range>? FindRemovals(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        List<Range>? removals = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessages = reader.ValueTextEquals("messages"u8);
            reader.Read();
            if (!isMessages || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                if (ReasoningToRemove(ref reader, body) is { } range)
                {
                    (removals ??= []).Add(range);
                }
            }
        }

        return removals;
    }

    /// <summary>Reads one message object; the byte range to cut when it is an assistant turn without tool calls that carries reasoning.</summary>
    private static Range? ReasoningToRemove(ref Utf8JsonReader reader, ReadOnlySpan<byte> body)
    {
        var isAssistant = false;
        var hasToolCalls = false;
        int start = -1, end = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var memberStart = (int)reader.TokenStartIndex;
            if (reader.ValueTextEquals("role"u8))
            {
                reader.Read();
                isAssistant = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("assistant"u8);
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    reader.Read();
                    hasToolCalls = reader.TokenType != JsonTokenType.EndArray;
                    if (hasToolCalls)
                    {
                        reader.Skip();
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("reasoning_content"u8))
            {
                reader.Read();
                reader.Skip();
                start = memberStart;
                end = (int)reader.BytesConsumed;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!isAssistant || hasToolCalls || start < 0)
        {
            return null;
        }

        return WithOneComma(body, start, end);
    }

    /// <summary>Widens a member's range to take one separating comma with it: the one after, or else the one before.</summary>
    private static Range WithOneComma(ReadOnlySpan<byte> body, int start, int end)
    {
        var after = end;
        while (after < body.Length && IsWhitespace(body[after]))
        {
            after++;
        }

        if (after < body.Length && body[after] == ',')
        {
            after++;
            while (after < body.Length && IsWhitespace(body[after]))
            {
                after++;
            }

            return new Range(start, after);
        }

        var before = start - 1;
        while (before >= 0 && IsWhitespace(body[before]))
        {
            before--;
        }

        return before >= 0 && body[before] == ',' ? new Range(before, end) : new Range(start, end);
    }

    private static bool IsWhitespace(byte value) => value is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
