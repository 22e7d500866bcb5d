using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>
/// How an upstream attempt ended. Expected failures are values, not exceptions, so the dispatcher can decide
/// whether to try the next deployment.
/// </summary>
internal sealed class UpstreamOutcome
{
    private UpstreamOutcome()
    {
    }

    /// <summary>The client has the upstream's response (complete, or ended with an error event).</summary>
    public bool Served { get; private init; }

    /// <summary>Usage as the upstream reported it; null when it reported none.</summary>
    public TokenUsage? Usage { get; private init; }

    /// <summary>Completion tokens estimated from what reached the client, for when <see cref="Usage"/> is null.</summary>
    public int EstimatedCompletionTokens { get; private init; }

    /// <summary>Why the attempt failed; null when served.</summary>
    public GatewayError? Error { get; private init; }

    /// <summary>Nothing reached the client and another deployment may succeed.</summary>
    public bool Retryable { get; private init; }

    /// <summary>The client went away; there is no one left to answer.</summary>
    public bool ClientGone { get; private init; }

    /// <summary>Why the attempt failed (or, when served, why its stream ended badly); <see cref="FailureKind.None"/> otherwise.</summary>
    public FailureKind FailureKind { get; private init; }

    /// <summary>The upstream's status for <see cref="FailureKind.UpstreamStatus"/>.</summary>
    public int? FailureStatus { get; private init; }

    /// <summary>The failure's bounded label for logs and metrics; null when nothing failed.</summary>
    public string? FailureLabel => FailureKind == FailureKind.None ? null : FailureKinds.Name(FailureKind, FailureStatus);

    /// <summary>From sending the request to receiving the response headers (for streams, about the first token); null when unknown.</summary>
    public TimeSpan? TimeToFirstByte { get; private init; }

    /// <summary>For a streamed answer, how long after the attempt started its first chunk went out.</summary>
    public TimeSpan? TimeToFirstChunk { get; private init; }

    public static UpstreamOutcome Success(
        TokenUsage? usage, FailureKind failureKind = FailureKind.None, TimeSpan? timeToFirstByte = null, TimeSpan? timeToFirstChunk = null, int estimatedCompletionTokens = 0) =>
        new()
        {
            Served = true,
            Usage = usage,
            FailureKind = failureKind,
            TimeToFirstByte = timeToFirstByte,
            TimeToFirstChunk = timeToFirstChunk,
            EstimatedCompletionTokens = estimatedCompletionTokens,
        };

    /// <summary>The wait the upstream itself asked for (<c>retry-after</c>), when it did; routing cools the deployment down for it.</summary>
    public TimeSpan? UpstreamRetryAfter { get; private init; }

    public static UpstreamOutcome Failure(GatewayError error, bool retryable, FailureKind failureKind, TimeSpan? upstreamRetryAfter = null, int? status = null) =>
        new() { Error = error, Retryable = retryable, FailureKind = failureKind, FailureStatus = status, UpstreamRetryAfter = upstreamRetryAfter };

    /// <summary>This outcome with the attempt's timings, for adapters that measure them around their own transport.</summary>
    public UpstreamOutcome WithTimings(TimeSpan? timeToFirstByte, TimeSpan? timeToFirstChunk) => new()
    {
        Served = Served,
        Usage = Usage,
        Error = Error,
        Retryable = Retryable,
        ClientGone = ClientGone,
        FailureKind = FailureKind,
        FailureStatus = FailureStatus,
        UpstreamRetryAfter = UpstreamRetryAfter,
        EstimatedCompletionTokens = EstimatedCompletionTokens,
        TimeToFirstByte = timeToFirstByte ?? TimeToFirstByte,
        TimeToFirstChunk = timeToFirstChunk ?? TimeToFirstChunk,
    };

    /// <summary>This outcome with its usage replaced (sanitised figures).</summary>
    public UpstreamOutcome WithUsage(TokenUsage? usage) => new()
    {
        Served = Served,
        Usage = usage,
        Error = Error,
        Retryable = Retryable,
        ClientGone = ClientGone,
        FailureKind = FailureKind,
        FailureStatus = FailureStatus,
        UpstreamRetryAfter = UpstreamRetryAfter,
        EstimatedCompletionTokens = EstimatedCompletionTokens,
        TimeToFirstByte = TimeToFirstByte,
        TimeToFirstChunk = TimeToFirstChunk,
    };

    public static UpstreamOutcome Abandoned(TokenUsage? usage, int estimatedCompletionTokens = 0) =>
        new() { ClientGone = true, Usage = usage, FailureKind = FailureKind.ClientDisconnected, EstimatedCompletionTokens = estimatedCompletionTokens };
}
