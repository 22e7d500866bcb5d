using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary><c>POST /v1/embeddings</c>: deterministic unit-length vectors, as floats or base64 float32.</summary>
internal sealed class EmbeddingsEndpoint(IOptions<SimulatorOptions> options)
{
    private const int StackLimitBytes = 4096;

    private readonly int _defaultDimensions = options.Value.EmbeddingDimensions;

    public async Task HandleAsync(HttpContext context)
    {
        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidJson());
            return;
        }

        if (!EmbeddingsRequestParser.TryParse(document.RootElement, _defaultDimensions, out var request, out var error))
        {
            await OpenAiResponses.WriteErrorAsync(context, error);
            return;
        }

        await OpenAiResponses.WriteJsonAsync(context, request, Write);
    }

    private static void Write(Utf8JsonWriter writer, EmbeddingsRequest request)
    {
        writer.WriteStartObject();
        writer.WriteString("object"u8, "list"u8);
        writer.WriteStartArray("data"u8);
        var tokens = 0;
        var floatBytes = request.Dimensions * sizeof(float);
        byte[]? rented = null;
        var bytes = floatBytes <= StackLimitBytes
            ? stackalloc byte[StackLimitBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(floatBytes));
        try
        {
            for (var index = 0; index < request.Inputs.Count; index++)
            {
                var input = request.Inputs[index];
                tokens += input.TokenCount;
                var vector = WriteVector(input.Seed, bytes[..floatBytes]);
                writer.WriteStartObject();
                writer.WriteString("object"u8, "embedding"u8);
                writer.WriteNumber("index"u8, index);
                if (request.Base64)
                {
                    writer.WriteBase64String("embedding"u8, vector);
                }
                else
                {
                    writer.WriteStartArray("embedding"u8);
                    for (var i = 0; i < vector.Length; i += sizeof(float))
                    {
                        writer.WriteNumberValue(BinaryPrimitives.ReadSingleLittleEndian(vector[i..]));
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        writer.WriteEndArray();
        writer.WriteString("model"u8, request.Model);
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, tokens);
        writer.WriteNumber("total_tokens"u8, tokens);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <summary>Fills <paramref name="bytes"/> with the vector as little-endian float32 values.</summary>
    private static ReadOnlySpan<byte> WriteVector(ulong seed, Span<byte> bytes)
    {
        var count = bytes.Length / sizeof(float);
        float[]? rented = null;
        var vector = count <= StackLimitBytes / sizeof(float)
            ? stackalloc float[count]
            : (rented = ArrayPool<float>.Shared.Rent(count)).AsSpan(0, count);
        try
        {
            EmbeddingVector.Fill(seed, vector);
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * sizeof(float))..], vector[i]);
            }

            return bytes;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
