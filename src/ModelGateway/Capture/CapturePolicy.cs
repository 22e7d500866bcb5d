using ModelGateway.Pipeline;
using ModelGateway.Requests;
using ModelGateway.Routing;

namespace ModelGateway.Capture;

/// <summary>
/// Decides, once per request, whether it may be captured for a dataset. Opt-in: the key's own <c>Capture</c>, else its
/// team's, else the routing rule's. Fail closed: a request that was not classified, is above
/// <c>Capture:MaxSensitivity</c>, or is not a chat conversation is not captured. Whether the serving provider's
/// training use allows it is decided per attempt (<see cref="CaptureAttempt"/>). Only called when some rule, key or
/// team opted in.
/// </summary>
internal sealed class CapturePolicy
{
    private readonly CaptureWriter _writer;
    private readonly CaptureMetrics _metrics;
    private readonly TimeProvider _timeProvider;

    public CapturePolicy(CaptureWriter writer, CaptureMetrics metrics, TimeProvider timeProvider)
    {
        _writer = writer;
        _metrics = metrics;
        _timeProvider = timeProvider;
    }

    /// <summary>The request's capture, or null when it is not to be captured (not opted in, or not allowed).</summary>
    public CaptureAttempt? Begin(GatewayRequest request, RoutePlan plan)
    {
        if (!OptedIn(request, plan))
        {
            return null;
        }

        var settings = request.Snapshot.Config.Capture;
        if (!request.IsClassified || request.Classification.Refusal is not null || request.Classification.Level > settings.MaxLevel)
        {
            _metrics.Record(CaptureResult.AboveLevel);
            return null;
        }

        if (request.Operation == Operation.Embeddings || request.Canonical.Chat is null)
        {
            _metrics.Record(CaptureResult.Unsupported);
            return null;
        }

        return new CaptureAttempt(request, settings, _writer, _metrics, _timeProvider);
    }

    /// <summary>The most specific choice wins: the key's, then its team's, then the matching rule's; unset everywhere is off.</summary>
    private static bool OptedIn(GatewayRequest request, RoutePlan plan)
    {
        var caller = request.Caller;
        if (caller.Key?.Capture is { } keyChoice)
        {
            return keyChoice;
        }

        if (caller.TeamId is { } teamId && request.Snapshot.Config.Teams.TryGetValue(teamId, out var team) && team.Capture is { } teamChoice)
        {
            return teamChoice;
        }

        return plan.Decision?.Rule.Capture == true;
    }
}
