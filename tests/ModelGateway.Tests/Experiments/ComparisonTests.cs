using System.Text;
using System.Text.Json;
using ModelGateway.Experiments;

namespace ModelGateway.Tests.Experiments;

/// <summary>The pieces of a comparison that need no server: the schema check, the judge's reply, the statistics.</summary>
public sealed class ComparisonTests
{
    private const string Schema = """
        {"type":"object","required":["label","items"],"additionalProperties":false,
         "properties":{"label":{"enum":["spam","ham"]},"score":{"type":"number","minimum":0,"maximum":1},
           "items":{"type":"array","minItems":1,"items":{"$ref":"#/$defs/item"}},"note":{"anyOf":[{"type":"string","maxLength":5},{"type":"null"}]}},
         "$defs":{"item":{"type":"object","required":["id"],"properties":{"id":{"type":"integer"}}}}}
        """;

    [Theory]
    [InlineData("""{"label":"spam","items":[{"id":1}]}""", true)]
    [InlineData("""{"label":"spam","items":[{"id":1}],"score":0.5,"note":null}""", true)]
    [InlineData("""{"label":"spam","items":[{"id":1}],"note":"short"}""", true)]
    [InlineData("""{"label":"eggs","items":[{"id":1}]}""", false)]
    [InlineData("""{"label":"spam","items":[]}""", false)]
    [InlineData("""{"label":"spam","items":[{"id":1.5}]}""", false)]
    [InlineData("""{"label":"spam","items":[{"name":"x"}]}""", false)]
    [InlineData("""{"label":"spam"}""", false)]
    [InlineData("""{"label":"spam","items":[{"id":1}],"extra":true}""", false)]
    [InlineData("""{"label":"spam","items":[{"id":1}],"score":2}""", false)]
    [InlineData("""{"label":"spam","items":[{"id":1}],"note":"too long"}""", false)]
    [InlineData("""{"label":"spam","items":[{"id":1}]""", false)]
    [InlineData("""[1,2]""", false)]
    public void The_schema_check_covers_the_keywords_structured_outputs_use(string json, bool valid)
    {
        using var schema = JsonDocument.Parse(Schema);
        Assert.Equal(valid, JsonSchemaCheck.IsValid(json, schema.RootElement));
    }

    [Fact]
    public void A_self_referencing_schema_ends_instead_of_recursing_forever()
    {
        using var schema = JsonDocument.Parse("""{"$ref":"#"}""");
        Assert.False(JsonSchemaCheck.IsValid("{}", schema.RootElement));
    }

    [Theory]
    [InlineData("1", 1, "candidate")]
    [InlineData("1", 2, "live")]
    [InlineData(" 2. ", 2, "candidate")]
    [InlineData("tie", 1, "tie")]
    [InlineData("Answer 1 is better", 1, "invalid")]
    [InlineData(null, 1, "invalid")]
    public void The_judges_reply_becomes_a_verdict_for_the_candidates_position(string? reply, int position, string verdict) =>
        Assert.Equal(verdict, PairJudge.Verdict(reply, position));

    [Fact]
    public void Wilson_intervals_match_the_textbook_values_and_stay_inside_zero_and_one()
    {
        var (low, high) = Wilson.Interval(351, 500);
        Assert.Equal(0.6605, low, 4);
        Assert.Equal(0.7404, high, 4);
        Assert.Equal((0.0, 1.0), Wilson.Interval(0, 0));
        var (zeroLow, zeroHigh) = Wilson.Interval(0, 10);
        Assert.Equal(0, zeroLow);
        Assert.InRange(zeroHigh, 0.27, 0.28);
    }

    [Fact]
    public void Cosine_similarity_is_read_from_an_embeddings_answer()
    {
        var body = Encoding.UTF8.GetBytes("""{"data":[{"embedding":[1,0,1]},{"embedding":[1,0,1]}]}""");
        Assert.Equal(1.0, PairJudge.Cosine(body)!.Value, 9);
        Assert.Equal(0.0, PairJudge.Cosine(Encoding.UTF8.GetBytes("""{"data":[{"embedding":[1,0]},{"embedding":[0,1]}]}"""))!.Value, 9);
        Assert.Null(PairJudge.Cosine(Encoding.UTF8.GetBytes("""{"data":[{"embedding":[1,0]}]}""")));
    }

    [Fact]
    public void Percentiles_are_nearest_rank() =>
        Assert.Equal([1.0, 50.0, 95.0, 100.0], new[] { 0.01, 0.5, 0.95, 1.0 }.Select(q => ExperimentReport.Percentile([.. Enumerable.Range(1, 100).Select(i => (double)i)], q)!.Value));

    [Fact]
    public void Normalised_text_ignores_case_and_spacing_only() =>
        Assert.Equal(PairComparer.Normalise("  Hello\n  World "), PairComparer.Normalise("hello world"));
}
