using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Providers;
using ModelGateway.Quotas;
using ModelGateway.Requests;
using ModelGateway.Routing;
using ModelGateway.Telemetry;
using ModelGateway.Accounting;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Serves one request object through the stages in order: classification (sensitivity and the prompt estimate),
/// routing (the deployments to try), quota admission, then the deployments in order until one serves it, each
/// adapter writing to a sink. A failure that reached the client, or that another deployment would repeat, ends the
/// loop; the last failure becomes the error, in the client's protocol. Usage is settled exactly once.
/// </summary>
internal sealed class UpstreamDispatcher
{
    private readonly RequestClassifier _classifier;
    private readonly IRoutePlanner _planner;
    private readonly IQuotaService _quotas;
    private readonly ProviderAdapters _adapters;
    private readonly IUpstreamAttemptListener[] _listeners;
    private readonly TimeProvider _timeProvider;
    private readonly UsageSanitizer _sanitizer;
    private readonly Routing.Capacity.DeploymentLoad _load;
    private readonly Routing.Capacity.CapacityMetrics? _capacityMetrics;
    private readonly Capture.CapturePolicy? _capture;
    private readonly Experiments.ShadowSampler? _shadows;

    public UpstreamDispatcher(
        RequestClassifier classifier,
        IRoutePlanner planner,
        IQuotaService quotas,
        ProviderAdapters adapters,
        IEnumerable<IUpstreamAttemptListener> listeners,
        TimeProvider timeProvider,
        UsageSanitizer sanitizer,
        Routing.Capacity.DeploymentLoad? load = null,
        Routing.Capacity.CapacityMetrics? capacityMetrics = null,
        Capture.CapturePolicy? capture = null,
        Experiments.ShadowSampler? shadows = null)
    {
        _capture = capture;
        _shadows = shadows;
        _classifier = classifier;
        _load = load ?? new Routing.Capacity.DeploymentLoad(timeProvider);
        _capacityMetrics = capacityMetrics;
        _planner = planner;
        _quotas = quotas;
        _adapters = adapters;
        _listeners = [.. listeners];
        _timeProvider = timeProvider;
        _sanitizer = sanitizer;
    }

    public async Task DispatchAsync(HttpContext context, GatewayRequest request)
    {
        var record = request.Record;
        var classification = _classifier.Classify(request);
        request.Classify(classification);
        if (classification.Refusal is null)
        {
            record.Sensitivity = classification.Level;
            record.FiredDetectors = classification.FiredDetectors == 0 ? null : string.Join(',', classification.FiredDetectorNames());
        }

        var plan = _planner.Plan(request);
        record.DecisionId = plan.Decision?.Id;
        record.RuleId = plan.Decision?.Rule.Id;
        GatewayTracing.RecordRoute(plan);
        _capacityMetrics?.RecordSpillOvers(plan.Decision);
        if (plan.Refusal is { } refusal)
        {
            record.Failure = refusal.Code ?? "refused";
            record.Outcome = RequestOutcomes.OfRefusal(refusal);
            await request.Protocol.WriteErrorAsync(context, refusal);
            return;
        }

        var reservation = await _quotas.ReserveAsync(new QuotaRequest { Request = request, Plan = plan }, request.Aborted);
        if (reservation.Limits is not null)
        {
            context.Response.OnStarting(
                static state =>
                {
                    var (response, reservation) = ((HttpResponse, QuotaReservation))state;
                    reservation.StampHeaders(response.Headers);
                    return Task.CompletedTask;
                },
                (context.Response, reservation));
        }

        if (reservation.Rejection is { } rejection)
        {
            record.Failure = rejection.Code ?? "quota";
            record.Outcome = RequestOutcome.RejectedQuota;
            await request.Protocol.WriteErrorAsync(context, rejection);
            return;
        }

        // Shadow experiments: one check of an empty list unless one runs; a sampled request's answer is copied as it goes.
        var shadow = _shadows?.TryStart(context, request);
        var dispatched = _timeProvider.GetTimestamp();
        var client = new ClientResponseSink(context);
        Deployment? servedBy = null;
        UpstreamOutcome? final = null;

        // Dataset capture (docs/capture.md): one flag when nothing opted in; otherwise the policy decides for this request.
        using var capture = request.Snapshot.Config.Capture.AnyOptIn ? _capture?.Begin(request, plan) : null;
        try
        {
            (servedBy, final) = await TryCandidatesAsync(request, client, plan, capture);
            capture?.Complete(servedBy, final);
        }
        finally
        {
            // Settle even when the client vanished or an attempt threw: what was used is paid for, the rest released.
            var usage = final?.Usage;
            var reported = usage.HasValue;
            if (usage is null && servedBy is not null)
            {
                // No usage from the upstream (a cut stream): charge the request's estimate, never $0.
                usage = new TokenUsage(request.PromptTokens, 0, final?.EstimatedCompletionTokens ?? 0, 0);
            }

            var cost = servedBy is not null && usage is { } known ? servedBy.Config.Price.CostOf(known) : 0m;
            reservation.Settle(servedBy, usage, cost);
            record.TimeToFirstByte = final?.TimeToFirstChunk ?? final?.TimeToFirstByte;
            if (servedBy is not null)
            {
                // The request log row (RequestLogListener) carries these to the ledger when the request ends.
                record.Usage = usage;
                record.UsageReported = reported;
                record.CostUsd = cost;
                record.ServedBy = servedBy;
            }

            shadow?.Complete(servedBy, final, usage, cost, _timeProvider.GetElapsedTime(dispatched), context.Response.StatusCode, context.Response.ContentType);
        }

        record.Outcome = RequestOutcomes.OfAttempts(servedBy, final, record.Attempts);
        if (servedBy is null && final?.Error is { } error)
        {
            await request.Protocol.WriteErrorAsync(context, error);
        }
    }

    private async Task<(Deployment? ServedBy, UpstreamOutcome? Final)> TryCandidatesAsync(
        GatewayRequest request, ResponseSink client, RoutePlan plan, Capture.CaptureAttempt? capture)
    {
        var record = request.Record;
        UpstreamOutcome? last = null;
        var firstStarted = _timeProvider.GetTimestamp();
        var sent = 0;
        Deployment? previous = null;
        foreach (var deployment in plan.Candidates)
        {
            if (last is not null && (sent >= plan.MaxAttempts
                || (plan.TimeBudget != Timeout.InfiniteTimeSpan && _timeProvider.GetElapsedTime(firstStarted) >= plan.TimeBudget)))
            {
                // The request's attempt or time budget is spent: the last failure is the answer.
                break;
            }

            // Saturated since planning (a burst): pass it over unless nothing is left to try; the slot counts it in flight.
            if (!_load.TryEnter(deployment, out var inFlight))
            {
                if (!ReferenceEquals(deployment, plan.Candidates[^1]))
                {
                    _capacityMetrics?.RecordSpillOver(deployment);
                    continue;
                }

                inFlight = _load.Enter(deployment);
            }

            using var attemptInFlight = inFlight;
            var adapter = _adapters.For(deployment.Provider.Kind)!;
            record.Attempts++;
            record.ProviderId = deployment.Provider.Id;
            record.DeploymentId = deployment.Config.Id;
            if (previous is not null)
            {
                GatewayTracing.RecordFallback(previous, deployment, last?.FailureLabel);
            }

            previous = deployment;
            var started = _timeProvider.GetTimestamp();

            // Traced: the attempt's client span is current while the adapter sends, so the upstream's traceparent names it.
            // Pass-through when the deployment speaks the client's protocol; otherwise the adapter answers in the
            // canonical form and the inbound module renders it for the client.
            var native = adapter.ServesNatively(request.Protocol.Protocol, deployment);
            var sink = native ? request.Protocol.ObserveNative(deployment, client) : request.Protocol.RenderCanonical(request, client);
            var outcome = await GatewayTracing.SendTracedAsync(adapter, new UpstreamCall
            {
                Request = request,
                Deployment = deployment,
                Native = native,
                Sink = capture is null ? sink : capture.Wrap(deployment, native, sink),
            }, request.Model, record.Attempts);
            if (!ReferenceEquals(sink, client))
            {
                await CompleteRenderingAsync(sink, outcome);
            }

            if (outcome.Usage is { } reported)
            {
                // Before anything learns from or bills it: a negative count must not become a credit.
                outcome = outcome.WithUsage(_sanitizer.Sanitize(reported, deployment.Config.Id));
            }

            Notify(new UpstreamAttempt(deployment, request.Operation, outcome, _timeProvider.GetElapsedTime(started), request.Stream)
            {
                Number = record.Attempts,
                Model = request.Model,
            });
            record.Failure = outcome.FailureLabel;
            last = outcome;

            if (outcome.Served || outcome.ClientGone)
            {
                return (deployment, outcome);
            }

            client.Reset();
            if (!outcome.Retryable)
            {
                break;
            }

            // A feature this deployment lacks sent nothing upstream: it does not use up the attempt budget, so the
            // next candidate that has the feature still gets its turn.
            if (outcome.FailureKind != FailureKind.UnsupportedByProvider)
            {
                sent++;
            }
        }

        return (null, last);
    }

    /// <summary>
    /// A rendering sink writes what it still holds (a whole answer, a stream's closing events) once the adapter is
    /// done, and is then released (it was made for this attempt).
    /// </summary>
    private static async ValueTask CompleteRenderingAsync(ResponseSink sink, UpstreamOutcome outcome)
    {
        try
        {
            if (sink.HasStarted && !outcome.ClientGone)
            {
                await sink.CompleteAsync();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && sink.Aborted.IsCancellationRequested)
        {
            // The client left while the last bytes went out; the outcome already says what was served.
        }
        finally
        {
            (sink as IDisposable)?.Dispose();
        }
    }

    private void Notify(UpstreamAttempt attempt)
    {
        foreach (var listener in _listeners)
        {
            listener.OnAttemptCompleted(attempt);
        }
    }
}
