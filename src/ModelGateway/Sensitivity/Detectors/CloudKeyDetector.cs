namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// Cloud and platform access keys with a recognisable shape: AWS access key ids (<c>AKIA</c>/<c>ASIA</c> + 16),
/// Google API keys (<c>AIza</c> + 35), GitHub tokens (<c>ghp_</c>, <c>gho_</c>, <c>ghu_</c>, <c>ghs_</c>,
/// <c>ghr_</c> + 36; <c>github_pat_</c>) and Slack tokens (<c>xoxb-</c>, <c>xoxp-</c>, ...).
/// </summary>
internal sealed class CloudKeyDetector : ContentDetector
{
    public CloudKeyDetector()
        : base("cloud_key")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8) =>
        Find(utf8, "AKIA"u8, 16, 16, KeyChars.UpperAlphanumeric)
        || Find(utf8, "ASIA"u8, 16, 16, KeyChars.UpperAlphanumeric)
        || Find(utf8, "AIza"u8, 35, 35, KeyChars.UrlSafe)
        || FindGitHub(utf8)
        || Find(utf8, "github_pat_"u8, 22, 255, KeyChars.Word)
        || FindSlack(utf8);

    private static bool FindGitHub(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOf("gh"u8);
            if (found < 0)
            {
                return false;
            }

            var i = offset + found;
            if (i + 4 <= text.Length && text[i + 2] is (byte)'p' or (byte)'o' or (byte)'u' or (byte)'s' or (byte)'r' && text[i + 3] == '_'
                && AsciiBytes.StartsWord(text, i) && Tail(text, i + 4, 36, 36, KeyChars.Alphanumeric))
            {
                return true;
            }

            offset = i + 2;
        }

        return false;
    }

    private static bool FindSlack(ReadOnlySpan<byte> text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOf("xox"u8);
            if (found < 0)
            {
                return false;
            }

            var i = offset + found;
            if (i + 5 <= text.Length && text[i + 3] is (byte)'a' or (byte)'b' or (byte)'p' or (byte)'r' or (byte)'s' or (byte)'o' && text[i + 4] == '-'
                && AsciiBytes.StartsWord(text, i) && Tail(text, i + 5, 10, 255, KeyChars.SlackChars))
            {
                return true;
            }

            offset = i + 3;
        }

        return false;
    }

    private static bool Find(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix, int min, int max, KeyChars chars)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text[offset..].IndexOf(prefix);
            if (found < 0)
            {
                return false;
            }

            var i = offset + found;
            if (AsciiBytes.StartsWord(text, i) && Tail(text, i + prefix.Length, min, max, chars))
            {
                return true;
            }

            offset = i + prefix.Length;
        }

        return false;
    }

    /// <summary>Between <paramref name="min"/> and <paramref name="max"/> key characters, then the end of the word.</summary>
    private static bool Tail(ReadOnlySpan<byte> text, int start, int min, int max, KeyChars chars)
    {
        var i = start;
        while (i < text.Length && i - start <= max && Accepts(chars, text[i]))
        {
            i++;
        }

        var length = i - start;
        return length >= min && length <= max && (i >= text.Length || !AsciiBytes.IsAlphanumeric(text[i]));
    }

    private static bool Accepts(KeyChars chars, byte b) => chars switch
    {
        KeyChars.UpperAlphanumeric => AsciiBytes.IsUpper(b) || AsciiBytes.IsDigit(b),
        KeyChars.Alphanumeric => AsciiBytes.IsAlphanumeric(b),
        KeyChars.Word => AsciiBytes.IsAlphanumeric(b) || b == '_',
        KeyChars.UrlSafe => AsciiBytes.IsAlphanumeric(b) || b is (byte)'_' or (byte)'-',
        _ => AsciiBytes.IsAlphanumeric(b) || b == '-',
    };

    private enum KeyChars
    {
        UpperAlphanumeric,
        Alphanumeric,
        Word,
        UrlSafe,
        SlackChars,
    }
}
