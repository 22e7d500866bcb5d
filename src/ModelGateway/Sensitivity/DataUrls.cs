using System.Buffers;

namespace ModelGateway.Sensitivity;

/// <summary>
/// Recognises the one part of a body the scanner may pass over: the payload of an image or audio
/// <c>data:&lt;type&gt;;base64,</c> URL, which the model receives as pixels or sound, not as text. Only a payload made
/// entirely of base64 characters qualifies; anything else in it (spaces, punctuation) is scanned as text.
/// </summary>
internal static class DataUrls
{
    private const int MaxHeaderLength = 128;

    private static readonly SearchValues<byte> Base64 =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    /// <summary>Where the binary payload starts (after the comma), or 0 when <paramref name="text"/> is not such a URL.</summary>
    public static int BinaryPayloadStart(ReadOnlySpan<byte> text)
    {
        if (text.Length < 16 || !text.StartsWith("data:"u8) || !(IsMedia(text[5..], "image/"u8) || IsMedia(text[5..], "audio/"u8)))
        {
            return 0;
        }

        var header = text[..Math.Min(text.Length, MaxHeaderLength)];
        var comma = header.IndexOf((byte)',');
        if (comma < 0 || !header[..comma].EndsWith(";base64"u8) || text[(comma + 1)..].IndexOfAnyExcept(Base64) >= 0)
        {
            return 0;
        }

        return comma + 1;
    }

    private static bool IsMedia(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && System.Text.Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}
