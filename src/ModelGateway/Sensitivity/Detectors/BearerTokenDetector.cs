using System.Text;

namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A bearer credential: <c>Bearer</c> followed by a token of at least 20 token characters (RFC 6750 token68),
/// or a JSON Web Token (<c>eyJ...</c> header, a dot, <c>eyJ...</c> payload, a dot).
/// </summary>
internal sealed class BearerTokenDetector : ContentDetector
{
    private const int MinTokenLength = 20;

    public BearerTokenDetector()
        : base("bearer_token")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8) => FindBearer(utf8) || FindJwt(utf8);

    private static bool FindBearer(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOfAny((byte)'B', (byte)'b');
            if (found < 0)
            {
                return false;
            }

            var i = offset + found;
            if (i + 7 < text.Length && Ascii.EqualsIgnoreCase(text.Slice(i, 6), "bearer"u8) && text[i + 6] == ' ' && AsciiBytes.StartsWord(text, i))
            {
                var j = i + 7;
                var start = j;
                while (j < text.Length && IsToken68(text[j]))
                {
                    j++;
                }

                if (j - start >= MinTokenLength && (j >= text.Length || !AsciiBytes.IsWord(text[j])))
                {
                    return true;
                }
            }

            offset = i + 1;
        }

        return false;
    }

    private static bool FindJwt(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOf("eyJ"u8);
            if (found < 0)
            {
                return false;
            }

            var i = offset + found;
            var header = Segment(text, i);
            if (header >= 10 && i + header + 4 < text.Length && text[i + header] == '.' && text.Slice(i + header + 1, 3).SequenceEqual("eyJ"u8))
            {
                var payloadStart = i + header + 1;
                var payload = Segment(text, payloadStart);
                if (payload >= 10 && payloadStart + payload < text.Length && text[payloadStart + payload] == '.')
                {
                    return true;
                }
            }

            offset = i + 3;
        }

        return false;
    }

    private static int Segment(ReadOnlySpan<byte> text, int start)
    {
        var i = start;
        while (i < text.Length && (AsciiBytes.IsAlphanumeric(text[i]) || text[i] is (byte)'-' or (byte)'_'))
        {
            i++;
        }

        return i - start;
    }

    private static bool IsToken68(byte b) =>
        AsciiBytes.IsAlphanumeric(b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~' or (byte)'+' or (byte)'/' or (byte)'=';
}
