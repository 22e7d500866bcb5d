namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A US Social Security number written <c>AAA-GG-SSSS</c>, excluding numbers never issued (area 000, 666 or
/// 900-999, group 00, serial 0000). Undashed nine-digit runs are too common to count.
/// </summary>
internal sealed class UsSsnDetector : ContentDetector
{
    public UsSsnDetector()
        : base("us_ssn")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (true)
        {
            var dash = utf8[offset..].IndexOf((byte)'-');
            if (dash < 0)
            {
                return false;
            }

            var start = offset + dash - 3;
            if (start >= 0 && start + 11 <= utf8.Length && Matches(utf8, start))
            {
                return true;
            }

            offset += dash + 1;
        }
    }

    private static bool Matches(ReadOnlySpan<byte> text, int start)
    {
        var s = text.Slice(start, 11);
        if (!(Digits(s[..3]) && s[3] == '-' && Digits(s.Slice(4, 2)) && s[6] == '-' && Digits(s.Slice(7, 4))))
        {
            return false;
        }

        if (!AsciiBytes.StartsWord(text, start) || (start > 0 && text[start - 1] is (byte)'-' or (byte)'.')
            || !AsciiBytes.EndsWord(text, start + 11) || (start + 11 < text.Length && text[start + 11] == '-'))
        {
            return false;
        }

        var area = ((s[0] - '0') * 100) + ((s[1] - '0') * 10) + (s[2] - '0');
        return area != 0 && area != 666 && area < 900 && !(s[4] == '0' && s[5] == '0') && !s.Slice(7, 4).SequenceEqual("0000"u8);
    }

    private static bool Digits(ReadOnlySpan<byte> s) => s.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
}
