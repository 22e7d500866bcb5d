using System.Buffers;
using System.Text;
using ModelGateway.Sensitivity;

namespace ModelGateway.Capture;

/// <summary>
/// Replaces what the sensitivity detectors match in one text with <c>[REDACTED:detector]</c>. The detectors say
/// whether a text matches, not where, so the match is found by running them over windows of up to
/// <see cref="MaxWindowWords"/> whitespace-separated words: the first window that fires, grown while more detectors
/// fire (a phone number inside a card number), then narrowed from the left while the same detectors still fire.
/// A private key is removed through its END line. What a window cannot isolate (a match spread over more words)
/// stays, and the caller's final scan then refuses the whole record: redaction never claims more than it did.
/// </summary>
internal static class Redactor
{
    public const int MaxWindowWords = 8;

    public static string Redact(string text, DetectorSet detectors, ref int redactions)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        if (detectors.Run(bytes, 0) == 0)
        {
            return text;
        }

        var words = Words(bytes);
        var output = new ArrayBufferWriter<byte>(bytes.Length);
        var copied = 0;
        var i = 0;
        while (i < words.Count)
        {
            var (first, last, fired) = MatchStartingAt(bytes, words, i, detectors);
            if (fired == 0)
            {
                i++;
                continue;
            }

            var start = words[first].Start;
            var end = ThroughPrivateKeyEnd(bytes, start, words[last].End);
            output.Write(bytes.AsSpan(copied, start - copied));
            output.Write(Encoding.UTF8.GetBytes("[REDACTED:" + Label(detectors, fired) + "]"));
            copied = end;
            redactions++;
            i = last + 1;
            while (i < words.Count && words[i].Start < end)
            {
                i++;
            }
        }

        output.Write(bytes.AsSpan(copied));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <summary>The narrowest run of words from <paramref name="i"/> on that a detector fires on; fired 0 when none within the window.</summary>
    private static (int First, int Last, ulong Fired) MatchStartingAt(byte[] bytes, List<(int Start, int End)> words, int i, DetectorSet detectors)
    {
        for (var last = i; last < words.Count && last - i < MaxWindowWords; last++)
        {
            var fired = detectors.Run(bytes.AsSpan(words[i].Start, words[last].End - words[i].Start), 0);
            if (fired == 0)
            {
                continue;
            }

            // Grow while another detector starts to fire: the phone number found first may be part of a card number or an IBAN
            // (whose digits the phone detector then no longer counts as a phone number).
            var reach = last + MaxWindowWords;
            for (var longer = last + 1; longer < words.Count && longer < reach; longer++)
            {
                var wider = detectors.Run(bytes.AsSpan(words[i].Start, words[longer].End - words[i].Start), 0);
                if ((wider & ~fired) != 0)
                {
                    last = longer;
                    fired = wider;
                }
            }

            var first = i;
            while (first < last)
            {
                // Narrower only while every detector that fired still does: a card number must not shrink into a phone number.
                var narrower = detectors.Run(bytes.AsSpan(words[first + 1].Start, words[last].End - words[first + 1].Start), 0);
                if ((narrower & fired) != fired)
                {
                    break;
                }

                first++;
            }

            return (first, last, fired);
        }

        return (0, 0, 0);
    }

    /// <summary>The detectors of the most sensitive level among those that fired (a card number is not also called a phone number).</summary>
    private static string Label(DetectorSet detectors, ulong fired)
    {
        var top = detectors.LevelOf(fired);
        var names = new List<string>();
        for (var d = 0; d < detectors.Detectors.Count; d++)
        {
            if ((fired & (1UL << d)) != 0 && detectors.Levels[d] == top)
            {
                names.Add(detectors.Detectors[d].Name);
            }
        }

        return string.Join(',', names);
    }

    /// <summary>A private key header takes the key with it, through its <c>-----END ...-----</c> line (or to the end of the text).</summary>
    private static int ThroughPrivateKeyEnd(byte[] bytes, int start, int end)
    {
        var matched = bytes.AsSpan(start, end - start);
        if (matched.IndexOf("-----BEGIN "u8) < 0 || matched.IndexOf("PRIVATE KEY"u8) < 0)
        {
            return end;
        }

        var rest = bytes.AsSpan(end);
        var footer = rest.IndexOf("-----END "u8);
        if (footer < 0)
        {
            return bytes.Length;
        }

        var close = rest[(footer + 9)..].IndexOf("-----"u8);
        return close < 0 ? bytes.Length : end + footer + 9 + close + 5;
    }

    private static List<(int Start, int End)> Words(byte[] bytes)
    {
        var words = new List<(int, int)>();
        var i = 0;
        while (i < bytes.Length)
        {
            while (i < bytes.Length && IsSpace(bytes[i]))
            {
                i++;
            }

            var start = i;
            while (i < bytes.Length && !IsSpace(bytes[i]))
            {
                i++;
            }

            if (i > start)
            {
                words.Add((start, i));
            }
        }

        return words;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v';
}
