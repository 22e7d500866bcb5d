namespace ModelGateway.Sensitivity.Detectors;

/// <summary>An e-mail address: <c>local@domain.tld</c> with a dotted domain and an alphabetic top-level label.</summary>
internal sealed class EmailDetector : ContentDetector
{
    public EmailDetector()
        : base("email")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            var at = utf8[offset..].IndexOf((byte)'@');
            if (at < 0)
            {
                return false;
            }

            at += offset;
            if (HasLocalPart(utf8, at) && HasDomain(utf8, at + 1))
            {
                return true;
            }

            offset = at + 1;
        }

        return false;
    }

    private static bool HasLocalPart(ReadOnlySpan<byte> text, int at) =>
        at > 0 && IsLocalChar(text[at - 1]) && text[at - 1] != '.';

    private static bool HasDomain(ReadOnlySpan<byte> text, int start)
    {
        int i = start, labels = 0, lastLabelLength = 0;
        var lastLabelAlphabetic = true;
        while (true)
        {
            var labelStart = i;
            var alphabetic = true;
            while (i < text.Length && (AsciiBytes.IsAlphanumeric(text[i]) || text[i] == '-'))
            {
                alphabetic &= AsciiBytes.IsLetter(text[i]);
                i++;
            }

            if (i == labelStart)
            {
                break;
            }

            labels++;
            lastLabelLength = i - labelStart;
            lastLabelAlphabetic = alphabetic;
            if (i + 1 < text.Length && text[i] == '.' && AsciiBytes.IsAlphanumeric(text[i + 1]))
            {
                i++;
                continue;
            }

            break;
        }

        return labels >= 2 && lastLabelLength >= 2 && lastLabelAlphabetic;
    }

    private static bool IsLocalChar(byte b) =>
        AsciiBytes.IsAlphanumeric(b) || b is (byte)'.' or (byte)'_' or (byte)'%' or (byte)'+' or (byte)'-';
}
