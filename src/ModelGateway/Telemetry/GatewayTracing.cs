using System.Diagnostics;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Routing;
using ModelGateway.Requests;

namespace ModelGateway.Telemetry;

/// <summary>
/// Spans and span attributes. Each upstream attempt is a CLIENT span named <c>{gen_ai.operation.name}
/// {gen_ai.request.model}</c> with GenAI attributes; it is current while the forwarder sends, so the
/// <c>traceparent</c> that reaches the provider names it. The routing decision and fallbacks go on the server span.
/// Spans never carry prompt or completion content.
/// </summary>
internal static class GatewayTracing
{
    public const string SourceName = "ModelGateway";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Notes on the server span which deployments routing chose, or why it refused.</summary>
    public static void RecordRoute(RoutePlan plan)
    {
        if (Activity.Current is not { IsAllDataRequested: true } server)
        {
            return;
        }

        if (plan.Refusal is { } refusal)
        {
            server.SetTag("modelgateway.route.refusal", refusal.Code ?? refusal.Type);
            return;
        }

        var candidates = new string[plan.Candidates.Length];
        for (var i = 0; i < candidates.Length; i++)
        {
            candidates[i] = plan.Candidates[i].Config.Id;
        }

        server.SetTag("modelgateway.route.candidates", candidates);
    }

    /// <summary>
    /// Sends one attempt inside its client span. The span is started before the adapter runs, so it is
    /// <see cref="Activity.Current"/> when the forwarder writes <c>traceparent</c>; without span listeners this is
    /// a plain call.
    /// </summary>
    public static ValueTask<UpstreamOutcome> SendTracedAsync(IProviderAdapter adapter, UpstreamCall call, string modelLabel, int number) =>
        Source.HasListeners() ? SendInSpanAsync(adapter, call, modelLabel, number) : adapter.SendAsync(call);

    private static async ValueTask<UpstreamOutcome> SendInSpanAsync(IProviderAdapter adapter, UpstreamCall call, string modelLabel, int number)
    {
        var span = StartAttempt(call.Deployment, call.Operation, modelLabel, number, call.Chat);
        UpstreamOutcome? outcome = null;
        try
        {
            outcome = await adapter.SendAsync(call);
            return outcome;
        }
        finally
        {
            EndAttempt(span, call.Deployment, outcome);
        }
    }

    /// <summary>Starts the client span of one attempt; null when nobody records spans.</summary>
    public static Activity? StartAttempt(Deployment deployment, Operation operation, string modelLabel, int number, ChatRequest? chat)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var operationName = TelemetryLabels.GenAiOperation(operation);
        var activity = Source.StartActivity(operationName + " " + modelLabel, ActivityKind.Client);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        var provider = deployment.Provider;
        activity.SetTag("gen_ai.operation.name", operationName);
        activity.SetTag("gen_ai.provider.name", TelemetryLabels.GenAiProvider(provider.Kind));
        activity.SetTag("gen_ai.request.model", modelLabel);
        activity.SetTag("server.address", provider.BaseUrl.Host);
        activity.SetTag("server.port", provider.BaseUrl.Port);
        activity.SetTag("modelgateway.deployment", deployment.Config.Id);
        activity.SetTag("modelgateway.provider", provider.Id);
        activity.SetTag("modelgateway.trust_tier", TelemetryLabels.Trust(provider.Trust));
        activity.SetTag("modelgateway.attempt", number);
        if (chat is not null)
        {
            activity.SetTag("gen_ai.request.stream", chat.Stream);
            if (chat.MaxOutputTokens is { } maxTokens)
            {
                activity.SetTag("gen_ai.request.max_tokens", maxTokens);
            }
        }

        return activity;
    }

    /// <summary>Ends an attempt's span with what came back.</summary>
    public static void EndAttempt(Activity? activity, Deployment deployment, UpstreamOutcome? outcome)
    {
        if (activity is null)
        {
            return;
        }

        if (outcome is null)
        {
            // The adapter threw: a bug, reported as such by the request middleware.
            activity.SetTag("error.type", "exception");
            activity.SetStatus(ActivityStatusCode.Error);
            activity.Dispose();
            return;
        }

        if (activity.IsAllDataRequested)
        {
            if (outcome.Served || outcome.ClientGone)
            {
                activity.SetTag("gen_ai.response.model", deployment.Config.UpstreamModel);
            }

            if (outcome.Usage is { } usage)
            {
                activity.SetTag("gen_ai.usage.input_tokens", usage.PromptTokens);
                activity.SetTag("gen_ai.usage.output_tokens", usage.CompletionTokens);
                activity.SetTag("gen_ai.usage.cache_read.input_tokens", usage.CachedPromptTokens);
                activity.SetTag("gen_ai.usage.reasoning.output_tokens", usage.ReasoningTokens);
                activity.SetTag("modelgateway.cost_usd", (double)deployment.Config.Price.CostOf(usage));
            }
        }

        if (!outcome.Served && outcome.FailureLabel is { } failure)
        {
            activity.SetTag("error.type", failure);
            activity.SetStatus(ActivityStatusCode.Error, failure);
        }

        activity.Dispose();
    }

    /// <summary>Adds a <c>modelgateway.fallback</c> event to the server span when the next deployment is tried.</summary>
    public static void RecordFallback(Deployment from, Deployment to, string? reason)
    {
        if (Activity.Current is not { IsAllDataRequested: true } server)
        {
            return;
        }

        server.AddEvent(new ActivityEvent("modelgateway.fallback", tags: new ActivityTagsCollection
        {
            ["modelgateway.fallback.from"] = from.Config.Id,
            ["modelgateway.fallback.to"] = to.Config.Id,
            ["error.type"] = reason,
        }));
    }

    /// <summary>Puts the request's outcome and owner on the server span at the end.</summary>
    public static void RecordCompletion(in RequestFacts request)
    {
        if (Activity.Current is not { IsAllDataRequested: true } server || server.Source.Name != "Microsoft.AspNetCore")
        {
            return;
        }

        server.SetTag("modelgateway.outcome", TelemetryLabels.Outcome(request.Outcome));
        server.SetTag("modelgateway.team", request.TeamLabel);
        server.SetTag("gen_ai.request.model", request.ModelLabel);
        if (request.ServedBy is { } servedBy)
        {
            server.SetTag("modelgateway.deployment", servedBy.Config.Id);
            server.SetTag("modelgateway.cost_usd", (double)request.CostUsd);
        }
    }
}
