using System.Buffers.Binary;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Embeddings;

namespace ModelGateway.Tests.Simulator;

public sealed class EmbeddingsTests
{
    [Fact]
    public async Task Sdk_gets_deterministic_unit_vectors()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var client = sim.OpenAiClient().GetEmbeddingClient("sim-embed");

        OpenAIEmbedding first = await client.GenerateEmbeddingAsync("hello");
        OpenAIEmbedding again = await client.GenerateEmbeddingAsync("hello");
        OpenAIEmbedding other = await client.GenerateEmbeddingAsync("goodbye");

        var vector = first.ToFloats().ToArray();
        Assert.Equal(16, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 5);
        Assert.Equal(vector, again.ToFloats().ToArray());
        Assert.NotEqual(vector, other.ToFloats().ToArray());
    }

    [Fact]
    public async Task Base64_and_float_encodings_carry_the_same_vector()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var asFloats = await (await http.PostAsync("/v1/embeddings", """{"model":"sim-embed","input":"hello"}""")).JsonAsync();
        var asBase64 = await (await http.PostAsync("/v1/embeddings", """{"model":"sim-embed","input":"hello","encoding_format":"base64"}""")).JsonAsync();
        OpenAIEmbedding viaSdk = await sim.OpenAiClient().GetEmbeddingClient("sim-embed").GenerateEmbeddingAsync("hello");

        var floats = asFloats.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var bytes = Convert.FromBase64String(asBase64.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        var decoded = Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();
        Assert.Equal(16, floats.Length);
        Assert.Equal(floats, decoded);
        Assert.Equal(floats, viaSdk.ToFloats().ToArray());
        Assert.Equal(
            ["object", "data", "model", "usage"], asFloats.EnumerateObject().Select(p => p.Name));
        Assert.Equal("list", asFloats.GetProperty("object").GetString());
        Assert.Equal("embedding", asFloats.GetProperty("data")[0].GetProperty("object").GetString());
        Assert.Equal("sim-embed", asFloats.GetProperty("model").GetString());
        Assert.Equal(1, asFloats.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(1, asFloats.GetProperty("usage").GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Sdk_batches_and_dimensions()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.EmbeddingDimensions = 32);
        var client = sim.OpenAiClient().GetEmbeddingClient("sim-embed");

        OpenAIEmbeddingCollection batch = await client.GenerateEmbeddingsAsync(["one", "two", "three"], new EmbeddingGenerationOptions { Dimensions = 8 });
        OpenAIEmbedding single = await client.GenerateEmbeddingAsync("two");

        Assert.Equal([0, 1, 2], batch.Select(e => e.Index));
        Assert.All(batch, e => Assert.Equal(8, e.ToFloats().Length));
        Assert.Equal(32, single.ToFloats().Length);
        Assert.Equal(3, batch.Usage.InputTokenCount);
        using var sent = JsonDocument.Parse(sim.State.Received[0].Body);
        Assert.Equal(8, sent.RootElement.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task Token_inputs_are_embedded_and_counted()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var lists = await (await http.PostAsync("/v1/embeddings", """{"model":"e","input":[[1,2,3],[4,5]]}""")).JsonAsync();
        var single = await (await http.PostAsync("/v1/embeddings", """{"model":"e","input":[1,2,3]}""")).JsonAsync();

        Assert.Equal(2, lists.GetProperty("data").GetArrayLength());
        Assert.Equal(5, lists.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(1, single.GetProperty("data").GetArrayLength());
        Assert.Equal(
            lists.GetProperty("data")[0].GetProperty("embedding").GetRawText(),
            single.GetProperty("data")[0].GetProperty("embedding").GetRawText());
    }

    [Theory]
    [InlineData("""{"input":"hi"}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":"e"}""", "input", "missing_required_parameter")]
    [InlineData("""{"model":"e","input":[]}""", "input", "invalid_value")]
    [InlineData("""{"model":"e","input":""}""", "input", "invalid_value")]
    [InlineData("""{"model":"e","input":["a",1]}""", "input", "invalid_value")]
    [InlineData("""{"model":"e","input":{"text":"a"}}""", "input", "invalid_type")]
    [InlineData("""{"model":"e","input":"a","encoding_format":"int8"}""", "encoding_format", "invalid_value")]
    [InlineData("""{"model":"e","input":"a","dimensions":0}""", "dimensions", "invalid_value")]
    public async Task Invalid_requests_get_a_400_envelope(string json, string param, string code)
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/embeddings", json);

        var error = await RawApi.AssertErrorAsync(response, 400, "invalid_request_error", code);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }
}
