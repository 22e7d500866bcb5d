using ModelGateway.Experiments;
using ModelGateway.Routing;
using ModelGateway.Routing.Canaries;

namespace ModelGateway.Tests.Routing;

/// <summary>The guard window's figures and which guard a window breaches (the end-to-end behaviour is in <see cref="CanaryTests"/>).</summary>
public sealed class CanaryGuardTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CanaryGuards Guards(double? errors = null, double? latency = null, double? ttft = null, double? agreement = null, int minRequests = 10) =>
        new(errors, latency, ttft, agreement, TimeSpan.FromMinutes(1), minRequests);

    [Fact]
    public void Figures_are_the_error_rate_and_nearest_rank_p95_of_successful_attempts_in_the_window()
    {
        var window = new CanaryWindow();
        for (var i = 1; i <= 20; i++)
        {
            window.Add(Start.AddSeconds(i), error: false, latencyMs: i * 100, ttftMs: i * 10);
        }

        window.Add(Start.AddSeconds(21), error: true, latencyMs: 99_999, ttftMs: null);
        var figures = window.Measure(Start);

        Assert.Equal(21, figures.Requests);
        Assert.Equal(1, figures.Errors);
        Assert.Equal(1 / 21d, figures.ErrorRate!.Value, 1e-9);
        Assert.Equal(1900, figures.P95LatencyMs);
        Assert.Equal(190, figures.P95TtftMs);
        Assert.Null(figures.Agreement);

        // Sliding: what is older than the window's start goes, errors included.
        var later = window.Measure(Start.AddSeconds(20.5));
        Assert.Equal(1, later.Requests);
        Assert.Equal(1, later.ErrorRate);
        Assert.Null(later.P95LatencyMs);
    }

    [Fact]
    public void Each_guard_is_judged_once_the_window_holds_enough_and_names_its_figure()
    {
        var slow = new CanaryFigures(Requests: 10, Errors: 1, ErrorRate: 0.1, P95LatencyMs: 5000, P95TtftMs: 900, Pairs: 10, Agreement: 0.7);

        Assert.Equal(new CanaryBreach("maxErrorRate", 0.1, 0.05, 10), slow.Breach(Guards(errors: 0.05)));
        Assert.Equal(new CanaryBreach("maxP95LatencyMs", 5000, 4000, 10), slow.Breach(Guards(latency: 4000)));
        Assert.Equal(new CanaryBreach("maxTtftMs", 900, 500, 10), slow.Breach(Guards(ttft: 500)));
        Assert.Equal(new CanaryBreach("minAgreement", 0.7, 0.8, 10), slow.Breach(Guards(agreement: 0.8)));
        Assert.Null(slow.Breach(Guards(errors: 0.2, latency: 6000, ttft: 1000, agreement: 0.6)));
        Assert.Null(slow.Breach(Guards(errors: 0.05, latency: 4000, ttft: 500, agreement: 0.8, minRequests: 11)));
        Assert.Null(slow.Breach(Guards()));
    }

    [Theory]
    [InlineData(true, null, false, null, null, true)]   // tools offered: the same tool
    [InlineData(null, null, true, false, null, false)]  // a schema asked for: the candidate's output invalid
    [InlineData(null, null, false, null, 0.95, true)]    // free text: similar enough
    [InlineData(null, null, false, null, 0.5, false)]
    [InlineData(null, true, false, null, null, true)]    // no embeddings: equal text
    public void A_pair_agrees_by_its_most_specific_check(bool? sameTool, bool? exactText, bool schema, bool? schemaValid, double? similarity, bool expected)
    {
        var pair = new PairRecord
        {
            ExperimentId = "e", RequestId = "r", Timestamp = Start, KeyId = "k", TeamId = "", Model = "m", Protocol = "chat",
            Outcome = "ok", LiveDeployment = "live", CandidateDeployment = "cand",
            ToolExpected = sameTool is null ? null : true, ToolSameFunction = sameTool,
            SchemaExpected = schema, CandidateSchemaValid = schemaValid, Similarity = similarity, TextExactMatch = exactText,
        };

        Assert.Equal(expected, PairAgreement.Agrees(pair));
        Assert.Null(PairAgreement.Agrees(pair with { Outcome = "candidate_error" }));
        Assert.Null(PairAgreement.Agrees(pair with { Source = "replay:r1" }));
    }
}
