using System.Globalization;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>
/// The stream-end rules every adapter follows, pass-through or translating: a stream that breaks, stalls, ends
/// early or sends an oversized event before anything reached the client is a failed attempt that another
/// deployment may serve; after that, the stream ends with one error event saying why. The messages live here so
/// both paths say the same thing for the same fault.
/// </summary>
internal static class StreamBreaks
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>The client-facing error for a stream break of <paramref name="kind"/>.</summary>
    public static GatewayError ErrorFor(FailureKind kind, TimeSpan idleTimeout, int maxEventBytes) =>
        new(StatusCodes.Status502BadGateway, "server_error", FailureKinds.Name(kind), kind switch
        {
            FailureKind.UpstreamIdleTimeout => string.Create(
                CultureInfo.InvariantCulture, $"The upstream provider sent nothing for {idleTimeout.TotalSeconds:0.#} seconds; the stream was stopped."),
            FailureKind.UpstreamStreamInterrupted => "The connection to the upstream provider broke before the stream was complete.",
            FailureKind.UpstreamInvalidEvent => "The upstream provider sent an event the gateway could not read.",
            FailureKind.UpstreamEventTooLarge => string.Create(
                CultureInfo.InvariantCulture, $"The upstream provider sent a stream event larger than {maxEventBytes} bytes; the stream was stopped."),
            FailureKind.UpstreamStreamTruncated => "The upstream provider ended the stream before it was complete.",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a stream break."),
        })
        { RetryAfter = RetryAfter };

    /// <summary>A break before the first event reached the client: nothing was sent, so the next deployment may serve.</summary>
    public static UpstreamOutcome BeforeFirstEvent(FailureKind kind, TimeSpan idleTimeout, int maxEventBytes) =>
        UpstreamOutcome.Failure(ErrorFor(kind, idleTimeout, maxEventBytes), retryable: true, kind);
}
