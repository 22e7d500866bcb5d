namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A telephone number: 10 to 15 digits written either in international form (<c>+44 20 7946 0958</c>) or
/// grouped with spaces, dashes or parentheses (<c>(555) 123-4567</c>, <c>555-123-4567</c>). A bare run of
/// digits is not a phone number here: order numbers, timestamps and amounts look the same.
/// </summary>
internal sealed class PhoneDetector : ContentDetector
{
    public PhoneDetector()
        : base("phone")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i < utf8.Length; i++)
        {
            var b = utf8[i];
            var international = b == '+';
            if (!(international || b == '(' || AsciiBytes.IsDigit(b)) || !AsciiBytes.StartsWord(utf8, i) || (i > 0 && utf8[i - 1] is (byte)'-' or (byte)'.'))
            {
                continue;
            }

            var end = Measure(utf8, international ? i + 1 : i, out var digits, out var groups);
            if (digits is >= 10 and <= 15 && (international ? groups >= 1 : groups >= 3) && AsciiBytes.EndsWord(utf8, end)
                && !(end < utf8.Length && utf8[end] is (byte)'-' or (byte)'.' && end + 1 < utf8.Length && AsciiBytes.IsDigit(utf8[end + 1])))
            {
                return true;
            }

            i = Math.Max(i, end);
        }

        return false;
    }

    /// <summary>Reads digits and single separators (or ") "); returns the index after the last digit.</summary>
    private static int Measure(ReadOnlySpan<byte> text, int start, out int digits, out int groups)
    {
        digits = 0;
        groups = 0;
        var i = start;
        var end = start;
        var inGroup = false;
        while (i < text.Length)
        {
            var b = text[i];
            if (AsciiBytes.IsDigit(b))
            {
                if (!inGroup)
                {
                    groups++;
                    inGroup = true;
                }

                digits++;
                i++;
                end = i;
                continue;
            }

            var separators = 0;
            while (i < text.Length && text[i] is (byte)' ' or (byte)'-' or (byte)'(' or (byte)')' && separators < 2)
            {
                i++;
                separators++;
            }

            if (separators == 0 || i >= text.Length || !AsciiBytes.IsDigit(text[i]))
            {
                break;
            }

            inGroup = false;
        }

        return end;
    }
}
