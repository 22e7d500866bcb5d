namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// Reads the characters a card number may be written with, straight from UTF-8: ASCII and fullwidth digits,
/// and the separators people (and word processors) put between digit groups.
/// </summary>
internal static class CardSeparators
{
    /// <summary>An ASCII digit (one byte) or a fullwidth digit U+FF10..U+FF19 (EF BC 90..99).</summary>
    public static bool TryDigit(ReadOnlySpan<byte> text, int i, out byte digit, out int length)
    {
        (digit, length) = (0, 0);
        if (i >= text.Length)
        {
            return false;
        }

        var b = text[i];
        if (AsciiBytes.IsDigit(b))
        {
            (digit, length) = ((byte)(b - '0'), 1);
            return true;
        }

        if (b == 0xEF && i + 2 < text.Length && text[i + 1] == 0xBC && (uint)(text[i + 2] - 0x90) <= 9)
        {
            (digit, length) = ((byte)(text[i + 2] - 0x90), 3);
            return true;
        }

        return false;
    }

    /// <summary>A separator character at <paramref name="i"/>: its kind and its length in bytes.</summary>
    public static bool TrySeparator(ReadOnlySpan<byte> text, int i, out SeparatorKind kind, out int length)
    {
        var b = text[i];
        (kind, length) = b switch
        {
            (byte)' ' or (byte)'-' => (SeparatorKind.SpaceOrDash, 1),
            (byte)'.' => (SeparatorKind.Dot, 1),
            (byte)'/' => (SeparatorKind.Slash, 1),
            _ => (SeparatorKind.None, 0),
        };
        if (length > 0 || b < 0xC2 || i + 1 >= text.Length)
        {
            return length > 0;
        }

        var b1 = text[i + 1];
        if (b == 0xC2)
        {
            // U+00A0 no-break space, U+00AD soft hyphen, U+00B7 middle dot.
            (kind, length) = b1 switch
            {
                0xA0 or 0xAD => (SeparatorKind.SpaceOrDash, 2),
                0xB7 => (SeparatorKind.Dot, 2),
                _ => (SeparatorKind.None, 0),
            };
            return length > 0;
        }

        if (i + 2 >= text.Length)
        {
            return false;
        }

        var code = (b << 16) | (b1 << 8) | text[i + 2];
        kind = code switch
        {
            0xE19A80 => SeparatorKind.SpaceOrDash, // U+1680 ogham space mark
            >= 0xE28080 and <= 0xE2808D => SeparatorKind.SpaceOrDash, // U+2000..U+200D: spaces of every width, zero-width
            >= 0xE28090 and <= 0xE28095 => SeparatorKind.SpaceOrDash, // U+2010..U+2015: hyphens and dashes
            0xE280AF or 0xE2819F or 0xE281A0 => SeparatorKind.SpaceOrDash, // narrow no-break space, medium math space, word joiner
            0xE28892 or 0xE38080 or 0xEFBBBF => SeparatorKind.SpaceOrDash, // minus sign, ideographic space, zero-width no-break space
            0xEFB9A3 or 0xEFBC8D => SeparatorKind.SpaceOrDash, // small and fullwidth hyphen-minus
            0xE280A4 or 0xEFBC8E => SeparatorKind.Dot, // one dot leader, fullwidth full stop
            0xE28184 or 0xE28895 or 0xEFBC8F => SeparatorKind.Slash, // fraction slash, division slash, fullwidth solidus
            _ => SeparatorKind.None,
        };
        length = kind == SeparatorKind.None ? 0 : 3;
        return length > 0;
    }

    /// <summary>
    /// True when nothing before <paramref name="i"/> continues a word: an ASCII letter, digit or underscore, or a
    /// fullwidth letter or digit. Other scripts do not join a number ("卡号4111..." still starts one).
    /// </summary>
    public static bool IsBoundaryBefore(ReadOnlySpan<byte> text, int i)
    {
        if (i == 0)
        {
            return true;
        }

        var b = text[i - 1];
        if (b < 0x80)
        {
            return !(AsciiBytes.IsAlphanumeric(b) || b == '_');
        }

        return !(i >= 3 && IsFullwidthAlphanumeric(text.Slice(i - 3, 3)));
    }

    /// <summary>True when the character at <paramref name="i"/> (the first after a number) does not continue a word.</summary>
    public static bool IsBoundaryAt(ReadOnlySpan<byte> text, int i)
    {
        if (i >= text.Length)
        {
            return true;
        }

        var b = text[i];
        if (b < 0x80)
        {
            return !(AsciiBytes.IsAlphanumeric(b) || b == '_');
        }

        return !(i + 3 <= text.Length && IsFullwidthAlphanumeric(text.Slice(i, 3)));
    }

    /// <summary>U+FF10..U+FF19, U+FF21..U+FF3A, U+FF41..U+FF5A.</summary>
    private static bool IsFullwidthAlphanumeric(ReadOnlySpan<byte> c) =>
        c[0] == 0xEF && ((c[1] == 0xBC && c[2] is (>= 0x90 and <= 0x99) or (>= 0xA1 and <= 0xBA)) || (c[1] == 0xBD && c[2] is >= 0x81 and <= 0x9A));
}
