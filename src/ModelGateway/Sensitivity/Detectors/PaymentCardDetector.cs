using System.Buffers;

namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A payment card number: 13 to 19 digits (ASCII or fullwidth) that pass the Luhn check, written without
/// separators or grouped by <see cref="CardSeparators"/>: spaces of any kind (no-break, narrow no-break,
/// ideographic, zero-width) and dashes may mix; dots or slashes are one kind per number and need card-like groups
/// (a first group of four digits, no group under three), so dates, versions and thousands are not cards.
/// A 16-digit order number that fails Luhn is not a card.
/// </summary>
internal sealed class PaymentCardDetector : ContentDetector
{
    private const int MinDigits = 13;
    private const int MaxDigits = 19;
    private const int DigitCapacity = 128;
    private const int GroupCapacity = 32;

    /// <summary>ASCII digits, and the lead byte of the fullwidth digits U+FF10..U+FF19.</summary>
    private static readonly SearchValues<byte> DigitStarts = SearchValues.Create([.. "0123456789"u8, (byte)0xEF]);

    public PaymentCardDetector()
        : base("payment_card")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        Span<byte> digits = stackalloc byte[DigitCapacity];
        Span<Group> groups = stackalloc Group[GroupCapacity];
        var i = 0;
        while (i < utf8.Length)
        {
            var next = utf8[i..].IndexOfAny(DigitStarts);
            if (next < 0)
            {
                return false;
            }

            i += next;
            if (!CardSeparators.TryDigit(utf8, i, out _, out _))
            {
                i++;
                continue;
            }

            if (!CardSeparators.IsBoundaryBefore(utf8, i))
            {
                i = SkipDigits(utf8, i);
                continue;
            }

            if (ReadChain(utf8, ref i, digits, groups))
            {
                return true;
            }
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

    /// <summary>
    /// Reads a chain of digit groups joined by separator runs (up to three characters of one kind) from
    /// <paramref name="i"/>, leaving <paramref name="i"/> after it. After each group, every window of whole groups
    /// that ends there is a candidate, so a card is found even when other numbers lead into it
    /// ("call 555 123 4567 4111 1111 1111 1111").
    /// </summary>
    private static bool ReadChain(ReadOnlySpan<byte> text, ref int i, Span<byte> digits, Span<Group> groups)
    {
        int groupCount = 0, digitCount = 0;
        var fromStart = true;
        var kindBefore = SeparatorKind.None;
        var j = i;
        while (true)
        {
            if (groupCount == groups.Length || digitCount > digits.Length - MaxDigits)
            {
                Compact(digits, groups, ref groupCount, ref digitCount);
                fromStart = false;
            }

            var group = new Group(digitCount, 0, kindBefore);
            while (CardSeparators.TryDigit(text, j, out var digit, out var length))
            {
                if (group.Length < MaxDigits)
                {
                    digits[digitCount++] = digit;
                }

                group.Length++;
                j += length;
            }

            groups[groupCount++] = group;
            var k = j;
            var separators = 0;
            var kind = SeparatorKind.None;
            while (separators < 3 && k < text.Length && CardSeparators.TrySeparator(text, k, out var found, out var separatorLength)
                && (kind == SeparatorKind.None || found == kind))
            {
                kind = found;
                k += separatorLength;
                separators++;
            }

            var continues = separators > 0 && CardSeparators.TryDigit(text, k, out _, out _);
            if ((continues || CardSeparators.IsBoundaryAt(text, j)) && EndsWithCard(digits, groups[..groupCount], wholeChain: fromStart && !continues))
            {
                i = j;
                return true;
            }

            if (!continues)
            {
                i = j;
                return false;
            }

            kindBefore = kind;
            j = k;
        }
    }

    /// <summary>
    /// Whether some run of whole groups ending with the last one is a card: 13 to 19 digits passing Luhn, written as
    /// one group, as a whole chain of space- or dash-separated groups (any grouping, as before), or with one kind of
    /// separator in card-like groups (four digits, then groups of three to six).
    /// </summary>
    private static bool EndsWithCard(ReadOnlySpan<byte> digits, ReadOnlySpan<Group> groups, bool wholeChain)
    {
        var last = groups.Length - 1;
        var total = 0;
        for (var s = last; s >= 0; s--)
        {
            total += groups[s].Length;
            if (total > MaxDigits)
            {
                return false;
            }

            if (total < MinDigits || !IsCardGrouping(groups[s..], wholeChain && s == 0))
            {
                continue;
            }

            var candidate = digits.Slice(groups[s].Start, total);
            if (PassesLuhn(candidate) && !AllSame(candidate))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsCardGrouping(ReadOnlySpan<Group> window, bool wholeChain)
    {
        if (window.Length == 1)
        {
            return true;
        }

        var kind = window[1].KindBefore;
        for (var g = 2; g < window.Length; g++)
        {
            if (window[g].KindBefore != kind)
            {
                return false;
            }
        }

        if (wholeChain && kind == SeparatorKind.SpaceOrDash)
        {
            return true;
        }

        if (window[0].Length != 4)
        {
            return false;
        }

        for (var g = 1; g < window.Length; g++)
        {
            if (window[g].Length is < 3 or > 6)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Keeps only the last groups that a card could still span (at most 19 digits), moved to the front.</summary>
    private static void Compact(Span<byte> digits, Span<Group> groups, ref int groupCount, ref int digitCount)
    {
        var keep = 0;
        var total = 0;
        while (keep < groupCount && total + groups[groupCount - 1 - keep].Length <= MaxDigits)
        {
            total += groups[groupCount - 1 - keep].Length;
            keep++;
        }

        var first = groupCount - keep;
        var offset = keep == 0 ? digitCount : groups[first].Start;
        digits[offset..digitCount].CopyTo(digits);
        for (var g = 0; g < keep; g++)
        {
            var moved = groups[first + g];
            groups[g] = moved with { Start = moved.Start - offset };
        }

        groupCount = keep;
        digitCount -= offset;
    }

    private static bool AllSame(ReadOnlySpan<byte> digits) => digits.IndexOfAnyExcept(digits[0]) < 0;

    private static int SkipDigits(ReadOnlySpan<byte> text, int i)
    {
        while (i < text.Length && CardSeparators.TryDigit(text, i, out _, out var length))
        {
            i += length;
        }

        return i;
    }

    /// <summary>One run of digits: where its digits start in the buffer, how many, and the separator before it.</summary>
    private record struct Group(int Start, int Length, SeparatorKind KindBefore);
}
