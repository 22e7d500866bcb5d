using ModelGateway.Simulator;
using ModelGateway.Simulator.Faults;

namespace ModelGateway.Tests.Simulator;

public sealed class FaultHeaderParserTests
{
    public static TheoryData<string, FaultSpec> Valid => new()
    {
        { "status=429;retry-after=2", new FaultSpec { Kind = FaultKind.Status, Status = 429, RetryAfterSeconds = 2 } },
        { " STATUS = 503 ; message = try later ", new FaultSpec { Kind = FaultKind.Status, Status = 503, Message = "try later" } },
        { "latency=300", new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 300 } },
        { "status=500;latency=100", new FaultSpec { Kind = FaultKind.Status, Status = 500, LatencyMs = 100 } },
        { "reset", new FaultSpec { Kind = FaultKind.Reset } },
        { "cut=3", new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 3 } },
        { "truncate=0;latency=20", new FaultSpec { Kind = FaultKind.TruncateStream, LatencyMs = 20 } },
        { "body=HTML", new FaultSpec { Kind = FaultKind.BrokenBody, Body = "html" } },
        { "big-event=104857600;after=2", new FaultSpec { Kind = FaultKind.OversizedEvent, EventBytes = 104857600, AfterChunks = 2 } },
        { "prompt-tokens=-5", new FaultSpec { Kind = FaultKind.BadUsage, PromptTokens = -5 } },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_the_documented_syntax(string header, FaultSpec expected)
    {
        Assert.True(FaultHeaderParser.TryParse(header, out var fault, out var error), error);
        Assert.Equal(expected, fault);
    }

    [Theory]
    [InlineData("")]
    [InlineData("status")]
    [InlineData("status=abc")]
    [InlineData("status=302")]
    [InlineData("status=-1")]
    [InlineData("cut=3;truncate=3")]
    [InlineData("reset=1")]
    [InlineData("latency=0")]
    [InlineData("retry-after=2")]
    [InlineData("boom=1")]
    [InlineData("body=xml")]
    [InlineData("big-event=0")]
    [InlineData("big-event=-1")]
    [InlineData("prompt-tokens=x")]
    [InlineData("body=null;cut=1")]
    public void Rejects_anything_else(string header)
    {
        Assert.False(FaultHeaderParser.TryParse(header, out var fault, out var error));
        Assert.Null(fault);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
