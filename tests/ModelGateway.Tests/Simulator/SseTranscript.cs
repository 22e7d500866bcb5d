using System.Text;
using System.Text.Json;

namespace ModelGateway.Tests.Simulator;

/// <summary>What a client read from a server-sent event stream, and how the stream ended.</summary>
internal sealed record SseTranscript(string Raw, IReadOnlyList<JsonElement> Chunks, bool Done, Exception? Error)
{
    /// <summary>Reads the response body to its end (or until the connection breaks).</summary>
    public static async Task<SseTranscript> ReadAsync(HttpResponseMessage response)
    {
        var raw = new StringBuilder();
        Exception? error = null;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var buffer = new char[1024];
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                raw.Append(buffer, 0, read);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            error = e;
        }

        var text = raw.ToString();
        var chunks = new List<JsonElement>();
        var done = false;
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("data: ", block, StringComparison.Ordinal);
            var data = block["data: ".Length..];
            if (data == "[DONE]")
            {
                done = true;
                continue;
            }

            Assert.False(done, "Nothing may follow [DONE].");
            using var document = JsonDocument.Parse(data);
            chunks.Add(document.RootElement.Clone());
        }

        return new SseTranscript(text, chunks, done, error);
    }

    /// <summary>The concatenated <c>delta.content</c> of choice 0.</summary>
    public string Content(int choice = 0) => string.Concat(Chunks
        .SelectMany(c => c.GetProperty("choices").EnumerateArray())
        .Where(c => c.GetProperty("index").GetInt32() == choice)
        .Select(c => c.GetProperty("delta"))
        .Where(d => d.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        .Select(d => d.GetProperty("content").GetString()));
}
