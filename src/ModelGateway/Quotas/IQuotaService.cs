using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Routing;
using ModelGateway.Requests;

namespace ModelGateway.Quotas;

/// <summary>
/// Admits requests against limits and budgets: reserve before forwarding, settle with the real usage after.
/// </summary>
internal interface IQuotaService
{
    ValueTask<QuotaReservation> ReserveAsync(QuotaRequest request, CancellationToken cancellationToken);
}

/// <summary>What a reservation is for: the caller, the request and the deployments that may serve it.</summary>
internal sealed class QuotaRequest
{
    public required GatewayRequest Request { get; init; }

    public required RoutePlan Plan { get; init; }
}

/// <summary>An admitted (or refused) request's hold on the quotas.</summary>
internal abstract class QuotaReservation
{
    /// <summary>Set when the request must be refused (e.g. 429); nothing is then reserved.</summary>
    public GatewayError? Rejection { get; protected init; }

    /// <summary>The limits the decision saw, for the client's rate-limit headers; null when no limit applies.</summary>
    public QuotaDecision? Limits { get; protected init; }

    /// <summary>Adds the rate-limit headers (remaining requests, tokens, reset) when limits applied.</summary>
    public void StampHeaders(IHeaderDictionary headers)
    {
        if (Limits is { } decision && RateLimitHeaders.HasAny(decision))
        {
            RateLimitHeaders.Stamp(headers, decision);
        }
    }

    /// <summary>Records what the request really used and releases the rest of the reservation. Called once.</summary>
    public abstract ValueTask SettleAsync(Deployment? servedBy, TokenUsage? usage, decimal costUsd);

    /// <summary>
    /// <see cref="SettleAsync"/> without holding up the request, which then waits for the store once (to reserve):
    /// the store's command is sent before this returns, so the next request on the connection is checked after it,
    /// and its answer is awaited in the background. Shutdown waits for every open hold (<see cref="QuotaDrain"/>);
    /// a failed settlement is retried off the path (<see cref="QuotaCompensator"/>), so the task never faults.
    /// </summary>
    public void Settle(Deployment? servedBy, TokenUsage? usage, decimal costUsd) => _ = SettleAsync(servedBy, usage, costUsd).AsTask();
}
