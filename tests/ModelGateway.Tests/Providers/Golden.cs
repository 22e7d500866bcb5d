using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Providers;

/// <summary>Recorded provider payloads and expected OpenAI payloads under Providers/*/Fixtures, and exact comparisons.</summary>
internal static class Golden
{
    public const long Created = 1_700_000_000;

    public static string Path(string provider, string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Providers", provider, "Fixtures", name);

    public static string Text(string provider, string name) => File.ReadAllText(Path(provider, name));

    /// <summary>Asserts two JSON documents are equal, member order ignored; shows both on failure.</summary>
    public static void AssertJsonEqual(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"Expected:\n{e?.ToJsonString()}\nActual:\n{a?.ToJsonString()}");
    }

    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, OpenAiChunkWriter.WriterOptions))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static OpenAiChat ReadChat(JsonDocument request)
    {
        var chat = OpenAiChatReader.Read(request.RootElement, out var error);
        Assert.Null(error);
        return chat!;
    }

    /// <summary>
    /// Feeds a recorded SSE body through a translator the way the transport does (one event at a time, then the
    /// usage chunk when asked and <c>[DONE]</c>) and returns the OpenAI events written.
    /// </summary>
    public static async Task<(string Output, StreamTranslator Translator)> TranslateStreamAsync(
        string recorded, bool includeUsage, Func<OpenAiChunkWriter, StreamTranslator> create)
    {
        var output = new ArrayBufferWriter<byte>();
        using var chunks = new OpenAiChunkWriter(output, Created);
        var translator = create(chunks);
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(recorded));
        await foreach (var _ in SseParser.Create(body, (type, data) =>
        {
            translator.OnEvent(type, data);
            return true;
        }).EnumerateAsync())
        {
            if (translator.Error is not null || translator.Terminated)
            {
                break;
            }
        }

        if (translator.Error is { } error)
        {
            chunks.Error(error.Error!);
        }
        else
        {
            if (includeUsage && translator.Usage is { } usage)
            {
                chunks.Usage(usage);
            }

            chunks.Done();
        }

        return (Encoding.UTF8.GetString(output.WrittenSpan), translator);
    }

    /// <summary>Compares SSE transcripts event by event: <c>data:</c> payloads as JSON, everything else exactly.</summary>
    public static void AssertEventsEqual(string expected, string actual)
    {
        var e = expected.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var a = actual.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(e.Length == a.Length, $"Expected {e.Length} events, got {a.Length}:\n{actual}");
        for (var i = 0; i < e.Length; i++)
        {
            if (e[i] == "data: [DONE]")
            {
                Assert.Equal(e[i], a[i]);
            }
            else
            {
                Assert.StartsWith("data: ", a[i], StringComparison.Ordinal);
                AssertJsonEqual(e[i]["data: ".Length..], a[i]["data: ".Length..]);
            }
        }
    }
}
