using System.Text.Json;
using ModelGateway.Configuration;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Readies the <c>input</c> items of a native Responses request for one provider: an item whose
/// <c>encrypted_content</c> carries that provider's <see cref="EncryptedReasoningTag"/> goes up with the tag removed;
/// one tagged by another provider (or rendered by the gateway from a chat upstream) is left out, as that provider
/// would refuse the whole request. Untagged content (from before the gateway) and every other byte pass as sent.
/// </summary>
internal static class EncryptedReasoningFilter
{
    /// <summary>The body for <paramref name="provider"/>, or null when it goes as it is (the common case, found by one search).</summary>
    public static PooledBytes? Filter(ReadOnlySpan<byte> body, ProviderConfig provider, out int dropped)
    {
        dropped = 0;
        if (body.IndexOf(EncryptedReasoningTag.Marker) < 0)
        {
            return null;
        }

        var tag = EncryptedReasoningTag.Of(provider);
        List<Edit>? edits;
        try
        {
            edits = FindEdits(body, tag);
        }
        catch (JsonException)
        {
            // The front door has parsed the body already; an upstream gets it as it is.
            return null;
        }

        if (edits is null)
        {
            return null;
        }

        var removed = 0;
        foreach (var edit in edits)
        {
            removed += edit.Length;
            dropped += edit.Drop ? 1 : 0;
        }

        var output = new PooledBytes(body.Length - removed);
        var destination = output.Span;
        var position = 0;
        foreach (var edit in edits)
        {
            var kept = body[position..edit.Start];
            kept.CopyTo(destination);
            destination = destination[kept.Length..];
            position = edit.Start + edit.Length;
        }

        body[position..].CopyTo(destination);
        return output;
    }

    /// <summary>Byte ranges to cut, in order: a tag inside a value, or a whole item with the comma that joins it to the array.</summary>
    private static List<Edit>? FindEdits(ReadOnlySpan<byte> body, byte[] tag)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isInput = reader.ValueTextEquals("input"u8);
            reader.Read();
            if (isInput && reader.TokenType == JsonTokenType.StartArray)
            {
                return ItemEdits(ref reader, body, tag);
            }

            reader.Skip();
        }

        return null;
    }

    private static List<Edit>? ItemEdits(ref Utf8JsonReader reader, ReadOnlySpan<byte> body, byte[] tag)
    {
        List<Edit>? edits = null;
        var kept = 0;
        var previousEnd = -1;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            var tagged = reader.TokenType == JsonTokenType.StartObject ? TaggedValue(ref reader) : -1;
            if (reader.TokenType != JsonTokenType.EndObject)
            {
                reader.Skip();
            }

            var end = (int)reader.BytesConsumed;
            if (tagged >= 0 && body[tagged..].StartsWith(tag) && body.Length > tagged + tag.Length && body[tagged + tag.Length] != (byte)'"')
            {
                // This provider's own: it gets back the content it made.
                (edits ??= []).Add(new Edit(tagged, tag.Length, Drop: false));
                kept++;
            }
            else if (tagged >= 0)
            {
                // Another provider's (or no provider's): the item is cut with the comma before it, or after it when it leads.
                (edits ??= []).Add(kept > 0 ? new Edit(previousEnd, end - previousEnd, Drop: true) : new Edit(start, end - start, Drop: true) { CommaAfter = true });
            }
            else
            {
                kept++;
            }

            previousEnd = end;
        }

        return edits is null ? null : Joined(edits, body);
    }

    /// <summary>
    /// Reads one item object to its end; returns where its <c>encrypted_content</c> text starts when it begins with
    /// the tag marker, else -1. Leaves the reader on the item's closing brace.
    /// </summary>
    private static int TaggedValue(ref Utf8JsonReader reader)
    {
        var tagged = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isContent = reader.ValueTextEquals("encrypted_content"u8);
            reader.Read();
            if (isContent && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && reader.ValueSpan.StartsWith(EncryptedReasoningTag.Marker))
            {
                tagged = (int)reader.TokenStartIndex + 1;
            }

            reader.Skip();
        }

        return tagged;
    }

    /// <summary>A leading item's removal takes the comma (and spaces) after it, unless nothing follows.</summary>
    private static List<Edit> Joined(List<Edit> edits, ReadOnlySpan<byte> body)
    {
        for (var i = 0; i < edits.Count; i++)
        {
            var edit = edits[i];
            if (!edit.CommaAfter)
            {
                continue;
            }

            var after = edit.Start + edit.Length;
            var rest = body[after..];
            var spaces = rest.Length - rest.TrimStart(" \t\r\n"u8).Length;
            if (after + spaces < body.Length && body[after + spaces] == (byte)',')
            {
                var next = body[(after + spaces + 1)..];
                edits[i] = edit with { Length = edit.Length + spaces + 1 + (next.Length - next.TrimStart(" \t\r\n"u8).Length) };
            }
        }

        return edits;
    }

    private sealed record Edit(int Start, int Length, bool Drop)
    {
        public bool CommaAfter { get; init; }
    }
}
