using System.Buffers;
using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Parsing;

namespace ModelGateway.Hosting;

/// <summary>
/// Escapes control characters in a log event's values and template text, so that a client-controlled string (a
/// model name, a path) cannot start a new line, forge a log entry or send terminal escape sequences. Escaped: C0
/// controls (<c>\n</c>, <c>\r</c>, <c>\t</c> by name, others as <c>\u001b</c>), DEL, C1 controls, the Unicode
/// line and paragraph separators, and bidirectional overrides, which can make a line read differently than it is.
/// </summary>
internal static class LogEscaping
{
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(BuildUnsafe());
    private static readonly MessageTemplateParser Parser = new();

    /// <summary>The event itself when nothing needs escaping (the common case allocates nothing).</summary>
    public static LogEvent Escape(LogEvent logEvent)
    {
        List<LogEventProperty>? properties = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var escaped = Escape(value);
            if (!ReferenceEquals(escaped, value) && properties is null)
            {
                properties = [.. logEvent.Properties.TakeWhile(p => p.Key != name).Select(p => new LogEventProperty(p.Key, p.Value))];
            }

            properties?.Add(new LogEventProperty(name, escaped));
        }

        var text = logEvent.MessageTemplate.Text;
        var template = NeedsEscaping(text) ? Parser.Parse(Escape(text)) : logEvent.MessageTemplate;
        if (properties is null && ReferenceEquals(template, logEvent.MessageTemplate))
        {
            return logEvent;
        }

        return new LogEvent(logEvent.Timestamp, logEvent.Level, logEvent.Exception, template,
            properties ?? logEvent.Properties.Select(p => new LogEventProperty(p.Key, p.Value)), logEvent.TraceId ?? default, logEvent.SpanId ?? default);
    }

    public static bool NeedsEscaping(string text) => text.AsSpan().ContainsAny(Unsafe);

    public static string Escape(string text)
    {
        var span = text.AsSpan();
        var next = span.IndexOfAny(Unsafe);
        if (next < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        while (next >= 0)
        {
            builder.Append(span[..next]);
            var c = span[next];
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
            });
            span = span[(next + 1)..];
            next = span.IndexOfAny(Unsafe);
        }

        return builder.Append(span).ToString();
    }

    private static LogEventPropertyValue Escape(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                return NeedsEscaping(text) ? new ScalarValue(Escape(text)) : value;
            case ScalarValue { Value: { } other } when other is not (IFormattable or bool):
                // Rendered with ToString(), e.g. a PathString.
                var rendered = other.ToString() ?? "";
                return NeedsEscaping(rendered) ? new ScalarValue(Escape(rendered)) : value;
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Escape).ToList();
                return elements.SequenceEqual(sequence.Elements) ? value : new SequenceValue(elements);
            case StructureValue structure:
                var fields = structure.Properties.Select(p => new LogEventProperty(p.Name, Escape(p.Value))).ToList();
                return fields.Select(f => f.Value).SequenceEqual(structure.Properties.Select(p => p.Value))
                    ? value
                    : new StructureValue(fields, structure.TypeTag is { } tag ? Escape(tag) : null);
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>((ScalarValue)Escape(e.Key), Escape(e.Value))).ToList();
                return entries.Zip(dictionary.Elements).All(p => ReferenceEquals(p.First.Key, p.Second.Key) && ReferenceEquals(p.First.Value, p.Second.Value))
                    ? value
                    : new DictionaryValue(entries);
            default:
                return value;
        }
    }

    private static char[] BuildUnsafe()
    {
        var chars = new List<char>();
        for (var c = '\0'; c < ' '; c++)
        {
            chars.Add(c);
        }

        for (var c = '\u007f'; c <= '\u009f'; c++)
        {
            chars.Add(c);
        }

        chars.AddRange(['\u2028', '\u2029', '\u200e', '\u200f', '\u061c']);
        for (var c = '\u202a'; c <= '\u202e'; c++)
        {
            chars.Add(c);
        }

        for (var c = '\u2066'; c <= '\u2069'; c++)
        {
            chars.Add(c);
        }

        return [.. chars];
    }
}
