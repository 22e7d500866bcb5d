namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// An IBAN: two capital letters, two check digits, then 11 to 30 capital letters or digits (optionally in groups
/// separated by single spaces), whose ISO 7064 mod-97 remainder is 1.
/// </summary>
internal sealed class IbanDetector : ContentDetector
{
    private const int MinLength = 15;
    private const int MaxLength = 34;

    public IbanDetector()
        : base("iban")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        for (var i = 0; i + MinLength <= utf8.Length; i++)
        {
            if (AsciiBytes.IsUpper(utf8[i]) && AsciiBytes.IsUpper(utf8[i + 1]) && AsciiBytes.IsDigit(utf8[i + 2]) && AsciiBytes.IsDigit(utf8[i + 3])
                && AsciiBytes.StartsWord(utf8, i) && Check(utf8, i))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads the account part after the four-character prefix; at each group end, tests the checksum.</summary>
    private static bool Check(ReadOnlySpan<byte> text, int start)
    {
        var remainder = 0;
        var length = 4;
        var j = start + 4;
        if (j < text.Length && text[j] == ' ')
        {
            j++;
        }

        while (j < text.Length && length < MaxLength)
        {
            var b = text[j];
            if (AsciiBytes.IsDigit(b) || AsciiBytes.IsUpper(b))
            {
                remainder = Add(remainder, b);
                length++;
                j++;
                var atGroupEnd = j >= text.Length || !(AsciiBytes.IsDigit(text[j]) || AsciiBytes.IsUpper(text[j]));
                if (atGroupEnd && length >= MinLength && AsciiBytes.EndsWord(text, j) && Finish(remainder, text.Slice(start, 4)) == 1)
                {
                    return true;
                }
            }
            else if (b == ' ' && j + 1 < text.Length && (AsciiBytes.IsDigit(text[j + 1]) || AsciiBytes.IsUpper(text[j + 1])))
            {
                j++;
            }
            else
            {
                break;
            }
        }

        return false;
    }

    /// <summary>The IBAN is checked as account part, then country code and check digits.</summary>
    private static int Finish(int remainder, ReadOnlySpan<byte> prefix)
    {
        foreach (var b in prefix)
        {
            remainder = Add(remainder, b);
        }

        return remainder;
    }

    private static int Add(int remainder, byte b) =>
        AsciiBytes.IsDigit(b) ? ((remainder * 10) + (b - '0')) % 97 : ((remainder * 100) + (b - 'A' + 10)) % 97;
}
