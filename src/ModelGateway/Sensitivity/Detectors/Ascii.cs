namespace ModelGateway.Sensitivity.Detectors;

/// <summary>Byte classification helpers for detectors that read UTF-8 directly.</summary>
internal static class AsciiBytes
{
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    public static bool IsUpper(byte b) => (uint)(b - 'A') <= 'Z' - 'A';

    public static bool IsLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';

    public static bool IsAlphanumeric(byte b) => IsDigit(b) || IsLetter(b);

    /// <summary>Letters, digits, underscore and any non-ASCII byte (part of a word in another script).</summary>
    public static bool IsWord(byte b) => IsAlphanumeric(b) || b == '_' || b >= 0x80;

    /// <summary>True when the byte before <paramref name="index"/> does not continue a word.</summary>
    public static bool StartsWord(ReadOnlySpan<byte> text, int index) => index == 0 || !IsWord(text[index - 1]);

    /// <summary>True when the byte at <paramref name="index"/> (the first after a match) does not continue a word.</summary>
    public static bool EndsWord(ReadOnlySpan<byte> text, int index) => index >= text.Length || !IsWord(text[index]);
}
