using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Splices the few changes an OpenAI-compatible upstream needs into the client's bytes: the upstream model name,
/// and <c>stream_options.include_usage</c> so every stream reports its tokens. Everything else is copied verbatim.
/// </summary>
internal static class OpenAiBodyRewriter
{
    private static readonly byte[] True = "true"u8.ToArray();
    private static readonly byte[] IncludeUsageMember = "\"include_usage\":true"u8.ToArray();
    private static readonly byte[] IncludeUsageMemberWithComma = "\"include_usage\":true,"u8.ToArray();
    private static readonly byte[] StreamOptionsMember = "\"stream_options\":{\"include_usage\":true},"u8.ToArray();

    /// <summary>Returns the body to send, or null when the client's bytes can be sent unchanged.</summary>
    public static PooledBytes? Rewrite(ReadOnlySpan<byte> body, JsonSpan modelToken, ReadOnlySpan<byte> upstreamModelJson, ChatRequest? chat)
    {
        Span<Edit> edits = stackalloc Edit[2];
        var count = 0;
        if (!body.Slice(modelToken.Start, modelToken.Length).SequenceEqual(upstreamModelJson))
        {
            edits[count++] = new Edit(modelToken.Start, modelToken.Length, EditText.UpstreamModel);
        }

        if (chat is { Stream: true, ClientWantsStreamUsage: false })
        {
            edits[count++] = UsageEdit(body, chat);
        }

        if (count == 0)
        {
            return null;
        }

        if (count == 2 && edits[1].Offset < edits[0].Offset)
        {
            (edits[0], edits[1]) = (edits[1], edits[0]);
        }

        var length = body.Length;
        foreach (var edit in edits[..count])
        {
            length += TextOf(edit.Text, upstreamModelJson).Length - edit.RemoveLength;
        }

        var output = new PooledBytes(length);
        var destination = output.Span;
        var position = 0;
        foreach (var edit in edits[..count])
        {
            body[position..edit.Offset].CopyTo(destination);
            destination = destination[(edit.Offset - position)..];
            var text = TextOf(edit.Text, upstreamModelJson);
            text.CopyTo(destination);
            destination = destination[text.Length..];
            position = edit.Offset + edit.RemoveLength;
        }

        body[position..].CopyTo(destination);
        return output;
    }

    private static Edit UsageEdit(ReadOnlySpan<byte> body, ChatRequest chat)
    {
        if (chat.IncludeUsageValue is { } value)
        {
            return new Edit(value.Start, value.Length, EditText.True);
        }

        if (chat.StreamOptions is { } options)
        {
            var inside = body.Slice(options.Start + 1, options.Length - 2);
            var isEmpty = inside.Trim(" \t\r\n"u8).IsEmpty;
            return new Edit(options.Start + 1, 0, isEmpty ? EditText.IncludeUsage : EditText.IncludeUsageWithComma);
        }

        // The body is an object with at least "model" and "messages" (or "prompt"), so a member and a comma fit after '{'.
        return new Edit(body.IndexOf((byte)'{') + 1, 0, EditText.StreamOptions);
    }

    private static ReadOnlySpan<byte> TextOf(EditText text, ReadOnlySpan<byte> upstreamModelJson) => text switch
    {
        EditText.UpstreamModel => upstreamModelJson,
        EditText.True => True,
        EditText.IncludeUsage => IncludeUsageMember,
        EditText.IncludeUsageWithComma => IncludeUsageMemberWithComma,
        _ => StreamOptionsMember,
    };

    private enum EditText
    {
        UpstreamModel,
        True,
        IncludeUsage,
        IncludeUsageWithComma,
        StreamOptions,
    }

    private readonly record struct Edit(int Offset, int RemoveLength, EditText Text);
}
