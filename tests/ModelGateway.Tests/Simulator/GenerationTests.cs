using System.Text;
using System.Text.Json;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Tests.Simulator;

public sealed class GenerationTests
{
    [Fact]
    public void Stable_hash_is_fnv1a_64()
    {
        Assert.Equal(0xcbf29ce484222325UL, StableHash.Of(string.Empty));
        Assert.Equal(0xa430d84680aabd0bUL, StableHash.Of("hello"));
        Assert.Equal(StableHash.Of(Encoding.UTF8.GetBytes("héllo ✓")), StableHash.Of("héllo ✓"));
        Assert.Equal(StableHash.Of(new string('x', 5000)), StableHash.Of(Encoding.UTF8.GetBytes(new string('x', 5000))));
    }

    [Fact]
    public void Planner_is_deterministic_and_respects_the_budget()
    {
        var prompt = new ChatPrompt { LastUserText = "hello", PromptTokens = 5 };
        var shape = new ReplyShape("simulator", 8, 1);

        var first = ReplyPlanner.Plan(prompt, shape);
        var second = ReplyPlanner.Plan(prompt, shape);
        var bounded = ReplyPlanner.Plan(new ChatPrompt { LastUserText = "hello", PromptTokens = 5, MaxOutputTokens = 5, Reasoning = true }, shape);

        Assert.Equal("simulator says zephyr timber quartz fern meadow lantern", first.Choices[0].Text);
        Assert.Equal(first.Choices[0].Words, second.Choices[0].Words);
        Assert.Empty(bounded.Choices[0].Words);
        Assert.Equal(ReplyFinish.Length, bounded.Choices[0].Finish);
        Assert.Equal(new ChatUsage(5, 8, 0, 8), bounded.Usage);
    }

    [Fact]
    public void Tool_arguments_follow_the_schema()
    {
        using var schema = JsonDocument.Parse("""
            {"type":"object","properties":{"s":{"type":"string"},"n":{"type":"number"},"i":{"type":"integer"},"b":{"type":"boolean"},
             "o":{"type":"object"},"u":{},"ns":{"type":["null","string"]},"q\"uote":{"type":"string"}}}
            """);

        Assert.Equal(
            """{"s":"sim-s","n":42,"i":42,"b":true,"o":null,"u":null,"ns":"sim-ns","q\"uote":"sim-q\"uote"}""",
            ToolArguments.Build(schema.RootElement));
        Assert.Equal("{}", ToolArguments.Build(null));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1536)]
    public void Embedding_vectors_have_unit_length(int dimensions)
    {
        var vector = new float[dimensions];
        EmbeddingVector.Fill(StableHash.Of("x"), vector);

        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 5);
    }
}
