namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A payment card number: 13 to 19 digits, optionally grouped with single spaces or dashes, that passes the
/// Luhn check. A 16-digit order number that fails Luhn is not a card.
/// </summary>
internal sealed class PaymentCardDetector : ContentDetector
{
    private const int MinDigits = 13;
    private const int MaxDigits = 19;

    public PaymentCardDetector()
        : base("payment_card")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        Span<byte> digits = stackalloc byte[MaxDigits];
        var i = 0;
        while (i < utf8.Length)
        {
            var next = utf8[i..].IndexOfAnyInRange((byte)'0', (byte)'9');
            if (next < 0)
            {
                return false;
            }

            i += next;
            if (!AsciiBytes.StartsWord(utf8, i))
            {
                i = SkipDigits(utf8, i);
                continue;
            }

            var count = 0;
            var tooLong = false;
            var j = i;
            while (j < utf8.Length)
            {
                if (AsciiBytes.IsDigit(utf8[j]))
                {
                    if (count == MaxDigits)
                    {
                        tooLong = true;
                    }
                    else
                    {
                        digits[count++] = (byte)(utf8[j] - '0');
                    }

                    j++;
                }
                else if (utf8[j] is (byte)' ' or (byte)'-' && j + 1 < utf8.Length && AsciiBytes.IsDigit(utf8[j + 1]))
                {
                    j++;
                }
                else
                {
                    break;
                }
            }

            if (!tooLong && count >= MinDigits && AsciiBytes.EndsWord(utf8, j) && PassesLuhn(digits[..count]) && !AllSame(digits[..count]))
            {
                return true;
            }

            i = j;
        }

        return false;
    }

    public static bool PassesLuhn(ReadOnlySpan<byte> digits)
    {
        var sum = 0;
        var doubled = false;
        for (var k = digits.Length - 1; k >= 0; k--)
        {
            int d = digits[k];
            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }

    private static bool AllSame(ReadOnlySpan<byte> digits) => digits.IndexOfAnyExcept(digits[0]) < 0;

    private static int SkipDigits(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && AsciiBytes.IsDigit(text[i]))
        {
            i++;
        }

        return i;
    }
}
