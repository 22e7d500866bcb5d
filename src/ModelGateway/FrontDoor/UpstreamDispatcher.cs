using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Providers;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Tries the deployments that serve the requested model, in order, until one serves the request. A failure that
/// reached the client or that another deployment would repeat ends the loop; the last failure becomes the error.
/// </summary>
internal sealed class UpstreamDispatcher
{
    private readonly IProviderAdapter?[] _adaptersByKind;
    private readonly IUsageRecorder _usage;
    private readonly TimeProvider _timeProvider;

    public UpstreamDispatcher(IEnumerable<IProviderAdapter> adapters, IUsageRecorder usage, TimeProvider timeProvider)
    {
        _adaptersByKind = new IProviderAdapter?[Enum.GetValues<ProviderKind>().Length];
        foreach (var adapter in adapters)
        {
            _adaptersByKind[(int)adapter.Kind] = adapter;
        }

        _usage = usage;
        _timeProvider = timeProvider;
    }

    public async Task DispatchAsync(HttpContext context, GatewaySnapshot snapshot, Operation operation, RequestBody body, string model, JsonSpan modelToken, ChatRequest? chat)
    {
        var feature = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        feature.Model = model;
        var candidates = snapshot.DeploymentsFor(model);
        if (candidates.IsEmpty)
        {
            await GatewayError.ModelNotFound(model).WriteAsync(context);
            return;
        }

        var required = RequiredCapabilities(operation, chat);
        GatewayError? lastError = null;
        foreach (var deployment in candidates)
        {
            var adapter = _adaptersByKind[(int)deployment.Provider.Kind];
            if ((deployment.Config.Capabilities & required) != required || adapter is null || !adapter.Supports(operation))
            {
                continue;
            }

            feature.Attempts++;
            feature.ProviderId = deployment.Provider.Id;
            feature.DeploymentId = deployment.Config.Id;
            var outcome = await adapter.SendAsync(new UpstreamCall
            {
                HttpContext = context,
                Operation = operation,
                Body = body,
                Deployment = deployment,
                Chat = chat,
                ModelToken = modelToken,
                RequestId = feature.RequestId,
                LogContent = snapshot.Config.LogContent,
            });
            feature.Failure = outcome.FailureKind;

            if (outcome.Served || outcome.ClientGone)
            {
                Account(feature, deployment, operation, outcome.Usage);
                return;
            }

            lastError = outcome.Error;
            context.Response.Clear();
            if (!outcome.Retryable)
            {
                break;
            }
        }

        await (lastError ?? NoCapableDeployment(model, required)).WriteAsync(context);
    }

    private void Account(GatewayRequestFeature feature, Deployment deployment, Operation operation, TokenUsage? usage)
    {
        var cost = usage is { } known ? deployment.Config.Price.CostOf(known) : 0m;
        feature.Usage = usage;
        feature.CostUsd = cost;
        _usage.Record(new UsageRecord(
            feature.RequestId,
            feature.KeyId,
            feature.Model!,
            deployment.Provider.Id,
            deployment.Config.Id,
            operation == Operation.ChatCompletions ? "chat" : "embeddings",
            usage ?? default,
            usage.HasValue,
            cost,
            _timeProvider.GetUtcNow()));
    }

    private static ModelCapabilities RequiredCapabilities(Operation operation, ChatRequest? chat)
    {
        if (operation == Operation.Embeddings)
        {
            return ModelCapabilities.Embeddings;
        }

        var required = ModelCapabilities.Chat;
        if (chat is null)
        {
            return required;
        }

        if (chat.UsesTools)
        {
            required |= ModelCapabilities.Tools;
        }

        if (chat.UsesImages)
        {
            required |= ModelCapabilities.Vision;
        }

        if (chat.UsesJsonSchema)
        {
            required |= ModelCapabilities.JsonSchema;
        }

        return required;
    }

    private static GatewayError NoCapableDeployment(string model, ModelCapabilities required) =>
        GatewayError.InvalidRequest(
            $"The model '{model}' has no deployment that supports what this request needs ({Describe(required)}).",
            "model",
            "model_not_supported");

    private static string Describe(ModelCapabilities capabilities)
    {
        var names = new List<string>();
        foreach (var flag in Enum.GetValues<ModelCapabilities>())
        {
            if (flag != ModelCapabilities.None && capabilities.HasFlag(flag))
            {
                names.Add(flag == ModelCapabilities.JsonSchema ? "json_schema" : flag.ToString().ToLowerInvariant());
            }
        }

        return string.Join(", ", names);
    }
}
