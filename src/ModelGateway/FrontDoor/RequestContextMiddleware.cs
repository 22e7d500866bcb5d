using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;
using ModelGateway.Pipeline;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Outermost gateway middleware: gives each request an id, stamps the gateway headers on the response
/// whenever it starts, turns unhandled exceptions into an OpenAI-style 500 (no stack trace leaves the process),
/// and writes the one structured log line per request.
/// </summary>
internal sealed partial class RequestContextMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ILogger<RequestContextMiddleware> _logger;
    private readonly TimeProvider _timeProvider;
    private readonly IRequestCompletionListener[] _listeners;

    public RequestContextMiddleware(
        RequestDelegate next, ILogger<RequestContextMiddleware> logger, TimeProvider timeProvider, IEnumerable<IRequestCompletionListener> listeners)
    {
        _next = next;
        _logger = logger;
        _timeProvider = timeProvider;
        _listeners = [.. listeners];
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = new GatewayRequestFeature(NewRequestId(), _timeProvider.GetTimestamp());
        context.Features.Set(feature);
        context.Response.OnStarting(static state => StampHeaders((HttpContext)state), context);

        try
        {
            await _next(context);
        }
        catch (Exception ex) when (context.RequestAborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            feature.Failure ??= "client_disconnected";
        }
        catch (Exception ex)
        {
            LogUnhandled(ex, feature.RequestId);
            feature.Failure = "internal_error";
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                if (context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
                {
                    // The admin API's errors are RFC 9457 problem details, this one too.
                    await Results.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Internal error",
                        detail: "The gateway failed to process the request. Quote the x-request-id header when reporting this.").ExecuteAsync(context);
                }
                else
                {
                    await GatewayError.Internal().WriteAsync(context);
                }
            }
        }
        finally
        {
            LogRequest(context, feature);
            foreach (var listener in _listeners)
            {
                listener.OnRequestCompleted(context, feature);
            }
        }
    }

    private static Task StampHeaders(HttpContext context)
    {
        var feature = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        var headers = context.Response.Headers;
        headers[GatewayHeaders.RequestId] = feature.RequestId;
        if (feature.ProviderId is not null)
        {
            headers[GatewayHeaders.Provider] = feature.ProviderId;
            headers[GatewayHeaders.Deployment] = feature.DeploymentId;
        }

        if (feature.DecisionId is not null)
        {
            headers[GatewayHeaders.DecisionId] = feature.DecisionId;
            headers[GatewayHeaders.Attempts] = feature.Attempts.ToString(CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }

    private void LogRequest(HttpContext context, GatewayRequestFeature feature)
    {
        var path = context.Request.Path;
        if (IsProbeOrScrape(path))
        {
            // Probes and scrapes come every few seconds from every orchestrator and Prometheus: noise at Information.
            LogProbe(path.Value!, context.Response.StatusCode);
            return;
        }

        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var elapsed = _timeProvider.GetElapsedTime(feature.StartTimestamp);
        var usage = feature.Usage ?? default;
        LogCompleted(
            feature.RequestId,
            context.Request.Method,
            context.Request.Path.Value ?? string.Empty,
            context.Response.StatusCode,
            feature.KeyId,
            feature.Model ?? "-",
            feature.ProviderId ?? "-",
            feature.DeploymentId ?? "-",
            usage.PromptTokens,
            usage.CachedPromptTokens,
            usage.CompletionTokens,
            usage.ReasoningTokens,
            Math.Round(elapsed.TotalMilliseconds, 2),
            feature.CostUsd ?? 0m,
            feature.Attempts,
            feature.Failure ?? "-",
            feature.TeamId ?? "-",
            feature.DecisionId ?? "-",
            feature.RuleId ?? "-",
            feature.Sensitivity is { } level ? SensitivityNames.Name(level) : "-");
    }

    private static bool IsProbeOrScrape(PathString path) =>
        path.Equals("/healthz", StringComparison.Ordinal) || path.Equals("/readyz", StringComparison.Ordinal) ||
        path.Equals("/metrics", StringComparison.Ordinal);

    private static string NewRequestId() => UniqueIds.Next("req_");

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{RequestId} {Method} {Path} {Status} key={KeyId} model={Model} provider={Provider} deployment={Deployment} " +
                  "prompt={PromptTokens} cached={CachedTokens} completion={CompletionTokens} reasoning={ReasoningTokens} " +
                  "latency_ms={LatencyMs} cost_usd={CostUsd} attempts={Attempts} failure={Failure} team={TeamId} " +
                  "decision={DecisionId} rule={Rule} sensitivity={Sensitivity}")]
    private partial void LogCompleted(
        string requestId, string method, string path, int status, string keyId, string model, string provider, string deployment,
        int promptTokens, int cachedTokens, int completionTokens, int reasoningTokens, double latencyMs, decimal costUsd, int attempts, string failure, string teamId,
        string decisionId, string rule, string sensitivity);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Debug, Message = "Probe {Path} answered {Status}")]
    private partial void LogProbe(string path, int status);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unhandled error in request {RequestId}")]
    private partial void LogUnhandled(Exception exception, string requestId);
}
