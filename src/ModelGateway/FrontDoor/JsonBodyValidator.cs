using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Checks a /v1 body before anything reads its fields: exactly one JSON value and nothing after it, and every
/// string (values and property names, after unescaping) valid UTF-8 with no unpaired surrogate (<c>"\ud800"</c>).
/// A body that passes can be read, routed and forwarded; one that fails is a 400 before any of that.
/// </summary>
internal static class JsonBodyValidator
{
    public static GatewayError? Validate(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        byte[]? scratch = null;
        var complete = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsValidText(ref reader, ref scratch))
                {
                    return RequestErrors.InvalidText();
                }

                // At depth 0 and not opening a container: the one top-level value is complete.
                complete = reader.CurrentDepth == 0 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray);
            }

            return complete ? null : RequestErrors.InvalidJson();
        }
        catch (JsonException)
        {
            // The reader refuses anything after the top-level value ("{...} x", "{...}{...}").
            return complete ? RequestErrors.TrailingData() : RequestErrors.InvalidJson();
        }
        finally
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
    }

    private static bool IsValidText(ref Utf8JsonReader reader, ref byte[]? scratch)
    {
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(reader.ValueSpan);
        }

        var needed = reader.ValueSpan.Length;
        if (scratch is null || scratch.Length < needed)
        {
            if (scratch is not null)
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }

            scratch = ArrayPool<byte>.Shared.Rent(needed);
        }

        try
        {
            // Unescaping rejects an unpaired \ud800 (or turns it into bytes that are not UTF-8, caught below).
            var written = reader.CopyString(scratch);
            return Utf8.IsValid(scratch.AsSpan(0, written));
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
