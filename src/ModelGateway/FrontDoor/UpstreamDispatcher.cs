using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Quotas;
using ModelGateway.Routing;
using ModelGateway.Telemetry;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Serves one parsed request: asks routing for the deployments to try, admits the request against quotas, then
/// tries the deployments in order until one serves it. A failure that reached the client, or that another
/// deployment would repeat, ends the loop; the last failure becomes the error. Usage is settled exactly once.
/// </summary>
internal sealed class UpstreamDispatcher
{
    private readonly IRoutePlanner _planner;
    private readonly IQuotaService _quotas;
    private readonly ProviderAdapters _adapters;
    private readonly IUpstreamAttemptListener[] _listeners;
    private readonly TimeProvider _timeProvider;
    private readonly UsageSanitizer _sanitizer;

    public UpstreamDispatcher(
        IRoutePlanner planner,
        IQuotaService quotas,
        ProviderAdapters adapters,
        IEnumerable<IUpstreamAttemptListener> listeners,
        TimeProvider timeProvider,
        UsageSanitizer sanitizer)
    {
        _sanitizer = sanitizer;
        _planner = planner;
        _quotas = quotas;
        _adapters = adapters;
        _listeners = [.. listeners];
        _timeProvider = timeProvider;
    }

    public async Task DispatchAsync(HttpContext context, GatewaySnapshot snapshot, Operation operation, RequestBody body, string model, JsonSpan modelToken, ChatRequest? chat)
    {
        var feature = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        feature.Model = model;
        var route = new RouteRequest
        {
            Snapshot = snapshot,
            HttpContext = context,
            Operation = operation,
            Model = model,
            KeyId = feature.KeyId,
            TeamId = feature.TeamId,
            Body = body.Memory,
            Chat = chat,
        };
        var plan = _planner.Plan(route);
        feature.DecisionId = plan.Decision?.Id;
        feature.RuleId = plan.Decision?.Rule.Id;
        if (plan.Decision is { } decision)
        {
            feature.Sensitivity = decision.Level;
            feature.FiredDetectors = decision.FiredDetectors == 0 ? null : string.Join(',', decision.FiredDetectorNames());
        }
        GatewayTracing.RecordRoute(plan);
        if (plan.Refusal is { } refusal)
        {
            feature.Failure = refusal.Code ?? "refused";
            feature.Outcome = RequestOutcomes.OfRefusal(refusal);
            await refusal.WriteAsync(context);
            return;
        }

        var reservation = await _quotas.ReserveAsync(
            new QuotaRequest { HttpContext = context, KeyId = feature.KeyId, Route = route, Plan = plan }, context.RequestAborted);
        if (reservation.Rejection is { } rejection)
        {
            feature.Failure = rejection.Code ?? "quota";
            feature.Outcome = RequestOutcome.RejectedQuota;
            await rejection.WriteAsync(context);
            return;
        }

        Deployment? servedBy = null;
        UpstreamOutcome? final = null;
        try
        {
            (servedBy, final) = await TryCandidatesAsync(context, feature, plan, operation, body, modelToken, chat, snapshot.Config);
        }
        finally
        {
            // Settle even when the client vanished or an attempt threw: what was used is paid for, the rest released.
            var usage = final?.Usage;
            var reported = usage.HasValue;
            if (usage is null && servedBy is not null)
            {
                // No usage from the upstream (a cut stream): charge an estimate, never $0.
                usage = new TokenUsage(reservation.EstimatedPromptTokens, 0, final?.EstimatedCompletionTokens ?? 0, 0);
            }

            var cost = servedBy is not null && usage is { } known ? servedBy.Config.Price.CostOf(known) : 0m;
            await reservation.SettleAsync(servedBy, usage, cost);
            feature.TimeToFirstByte = final?.TimeToFirstChunk ?? final?.TimeToFirstByte;
            if (servedBy is not null)
            {
                // The request log row (RequestLogListener) carries these to the ledger when the request ends.
                feature.Usage = usage;
                feature.UsageReported = reported;
                feature.CostUsd = cost;
                feature.ServedBy = servedBy;
            }
        }

        feature.Outcome = RequestOutcomes.OfAttempts(servedBy, final, feature.Attempts);
        if (servedBy is null && final?.Error is { } error)
        {
            await error.WriteAsync(context);
        }
    }

    private async Task<(Deployment? ServedBy, UpstreamOutcome? Final)> TryCandidatesAsync(
        HttpContext context, GatewayRequestFeature feature, RoutePlan plan, Operation operation, RequestBody body, JsonSpan modelToken, ChatRequest? chat, GatewayConfig config)
    {
        UpstreamOutcome? last = null;
        var firstStarted = _timeProvider.GetTimestamp();
        Deployment? previous = null;
        foreach (var deployment in plan.Candidates)
        {
            if (last is not null && (feature.Attempts >= plan.MaxAttempts
                || (plan.TimeBudget != Timeout.InfiniteTimeSpan && _timeProvider.GetElapsedTime(firstStarted) >= plan.TimeBudget)))
            {
                // The request's attempt or time budget is spent: the last failure is the answer.
                break;
            }

            var adapter = _adapters.For(deployment.Provider.Kind)!;
            feature.Attempts++;
            feature.ProviderId = deployment.Provider.Id;
            feature.DeploymentId = deployment.Config.Id;
            if (previous is not null)
            {
                GatewayTracing.RecordFallback(previous, deployment, last?.FailureLabel);
            }

            previous = deployment;
            var started = _timeProvider.GetTimestamp();

            // Traced: the attempt's client span is current while the adapter sends, so the upstream's traceparent names it.
            var outcome = await GatewayTracing.SendTracedAsync(adapter, new UpstreamCall
            {
                HttpContext = context,
                Operation = operation,
                Body = body,
                Deployment = deployment,
                Chat = chat,
                ModelToken = modelToken,
                RequestId = feature.RequestId,
                LogContent = config.LogContent,
                MaxStreamEventBytes = config.MaxStreamEventBytes,
            }, feature.Model!, feature.Attempts);
            if (outcome.Usage is { } reported)
            {
                // Before anything learns from or bills it: a negative count must not become a credit.
                outcome = outcome.WithUsage(_sanitizer.Sanitize(reported, deployment.Config.Id));
            }

            Notify(new UpstreamAttempt(deployment, operation, outcome, _timeProvider.GetElapsedTime(started), chat?.Stream == true)
            {
                Number = feature.Attempts,
                Model = feature.Model,
            });
            feature.Failure = outcome.FailureLabel;
            last = outcome;

            if (outcome.Served || outcome.ClientGone)
            {
                return (deployment, outcome);
            }

            context.Response.Clear();
            if (!outcome.Retryable)
            {
                break;
            }
        }

        return (null, last);
    }

    private void Notify(UpstreamAttempt attempt)
    {
        foreach (var listener in _listeners)
        {
            listener.OnAttemptCompleted(attempt);
        }
    }
}
