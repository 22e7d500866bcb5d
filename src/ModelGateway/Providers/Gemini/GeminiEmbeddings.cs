using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Gemini;

/// <summary>
/// OpenAI embeddings over Gemini: one input uses <c>embedContent</c>, several <c>batchEmbedContents</c>; vectors
/// come back as floats or, when the client asks, base64 little-endian float32 (what the Python SDK asks for).
/// Gemini reports no token counts for embeddings, so usage is estimated at four UTF-8 bytes a token.
/// </summary>
internal sealed class GeminiEmbeddings
{
    private GeminiEmbeddings(IReadOnlyList<string> inputs, bool base64, int? dimensions)
    {
        Inputs = inputs;
        Base64 = base64;
        Dimensions = dimensions;
    }

    public IReadOnlyList<string> Inputs { get; }

    public bool Base64 { get; }

    public int? Dimensions { get; }

    public bool Batch => Inputs.Count > 1;

    public static GeminiEmbeddings? Read(JsonElement root, out string? problem)
    {
        problem = null;
        var input = root.GetProperty("input");
        var inputs = new List<string>();
        if (input.ValueKind == JsonValueKind.String)
        {
            inputs.Add(input.GetString()!);
        }
        else
        {
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    problem = "Gemini embeddings take text: 'input' must be a string or an array of strings (token arrays are not supported).";
                    return null;
                }

                inputs.Add(item.GetString()!);
            }
        }

        if (inputs.Count is 0 or > 100)
        {
            problem = "Gemini embeddings take between 1 and 100 inputs per request.";
            return null;
        }

        var base64 = root.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");
        int? dimensions = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var n) && n > 0 ? n : null;
        return new GeminiEmbeddings(inputs, base64, dimensions);
    }

    public void WriteRequest(Utf8JsonWriter json, string upstreamModel)
    {
        json.WriteStartObject();
        if (Batch)
        {
            json.WriteStartArray("requests"u8);
            foreach (var input in Inputs)
            {
                json.WriteStartObject();
                json.WriteString("model"u8, "models/" + upstreamModel);
                WriteContent(json, input);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }
        else
        {
            WriteContent(json, Inputs[0]);
        }

        json.WriteEndObject();
    }

    public ITranslatedBody? ReadResponse(JsonElement response, string model)
    {
        var vectors = new List<float[]>();
        if (Batch && response.TryGetProperty("embeddings", out var embeddings))
        {
            foreach (var embedding in embeddings.EnumerateArray())
            {
                vectors.Add(Values(embedding));
            }
        }
        else if (!Batch && response.TryGetProperty("embedding", out var embedding))
        {
            vectors.Add(Values(embedding));
        }

        if (vectors.Count != Inputs.Count)
        {
            return null;
        }

        var tokens = 0;
        foreach (var input in Inputs)
        {
            tokens += Math.Max(1, Encoding.UTF8.GetByteCount(input) / 4);
        }

        return new Body(vectors, Base64, model, new TokenUsage(tokens, 0, 0, 0));
    }

    private void WriteContent(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject("content"u8);
        json.WriteStartArray("parts"u8);
        json.WriteStartObject();
        json.WriteString("text"u8, text);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        if (Dimensions is { } dimensions)
        {
            json.WriteNumber("outputDimensionality"u8, dimensions);
        }
    }

    private static float[] Values(JsonElement embedding)
    {
        var values = embedding.GetProperty("values");
        var vector = new float[values.GetArrayLength()];
        var i = 0;
        foreach (var value in values.EnumerateArray())
        {
            vector[i++] = value.GetSingle();
        }

        return vector;
    }

    private sealed class Body(List<float[]> vectors, bool base64, string model, TokenUsage usage) : ITranslatedBody
    {
        public TokenUsage? Usage => usage;

        public void Write(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            for (var i = 0; i < vectors.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("object"u8, "embedding"u8);
                json.WriteNumber("index"u8, i);
                if (base64)
                {
                    var bytes = new byte[vectors[i].Length * sizeof(float)];
                    for (var k = 0; k < vectors[i].Length; k++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(k * sizeof(float)), vectors[i][k]);
                    }

                    json.WriteBase64String("embedding"u8, bytes);
                }
                else
                {
                    json.WriteStartArray("embedding"u8);
                    foreach (var value in vectors[i])
                    {
                        json.WriteNumberValue(value);
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model"u8, model);
            json.WriteStartObject("usage"u8);
            json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
            json.WriteNumber("total_tokens"u8, usage.PromptTokens);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }
}
