using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Quotas;
using ModelGateway.Routing;
using ModelGateway.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Requests;
using ModelGateway.Pipeline;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// Stand-ins for what the policy, quota and resilience work will provide (teams, budgets, refusals, breakers), so
/// the panels that show them have real data flowing through the gateway's real seams. Driven by request headers.
/// </summary>
internal sealed class HeaderDrivenQuotaService : IQuotaService
{
    public const string TeamHeader = "x-test-team";
    public const string ExhaustedHeader = "x-test-quota";

    public ValueTask<QuotaReservation> ReserveAsync(QuotaRequest request, CancellationToken cancellationToken)
    {
        var headers = request.Request.ClientHeaders;
        if (headers.TryGetValue(TeamHeader, out var team))
        {
            request.Request.Record.TeamId = team.ToString();
        }

        return ValueTask.FromResult<QuotaReservation>(headers.ContainsKey(ExhaustedHeader) ? new Refused() : new Admitted());
    }

    private sealed class Admitted : QuotaReservation
    {
        public override ValueTask SettleAsync(Deployment? servedBy, Requests.TokenUsage? usage, decimal costUsd) => ValueTask.CompletedTask;
    }

    private sealed class Refused : QuotaReservation
    {
        public Refused()
        {
            Rejection = new GatewayError(StatusCodes.Status429TooManyRequests, "insufficient_quota", "insufficient_quota",
                "The team's budget is exhausted.") { ShouldRetry = false };
        }

        public override ValueTask SettleAsync(Deployment? servedBy, Requests.TokenUsage? usage, decimal costUsd) => ValueTask.CompletedTask;
    }
}

/// <summary>Routes as usual, but refuses with 403 when the request carries <c>x-test-policy: deny</c>.</summary>
internal sealed class HeaderDrivenPolicyPlanner(IRoutePlanner inner) : IRoutePlanner
{
    public const string DenyHeader = "x-test-policy";

    public RoutePlan Plan(GatewayRequest request) =>
        request.ClientHeaders.ContainsKey(DenyHeader)
            ? RoutePlan.Refuse(new GatewayError(StatusCodes.Status403Forbidden, "permission_error", "policy_denied", "Denied by policy."))
            : inner.Plan(request);
}

internal sealed class FixedCircuitStateSource(params DeploymentCircuitState[] states) : ICircuitStateSource
{
    public IReadOnlyList<DeploymentCircuitState> Read() => states;
}

internal sealed class FixedQuotaRemainingSource(params TeamQuotaRemaining[] teams) : IQuotaRemainingSource
{
    public IReadOnlyList<TeamQuotaRemaining> Read() => teams;
}
