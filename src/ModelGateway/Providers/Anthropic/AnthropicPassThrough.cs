using System.Text.Json;
using ModelGateway.Configuration;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Anthropic;

/// <summary>
/// A Messages request to an Anthropic deployment, passed through: the client's bytes with only the model name
/// spliced, <c>anthropic-version</c> (the client's, else the provider's) and <c>anthropic-beta</c> as the client
/// sent them, and the answer relayed as the upstream wrote it (events as they arrive). Prompt caching, thinking and
/// every beta feature keep working because nothing is translated.
/// </summary>
internal static class AnthropicPassThrough
{
    public const string VersionHeader = "anthropic-version";
    public const string BetaHeader = "anthropic-beta";

    public static async ValueTask<UpstreamOutcome> SendAsync(TranslatingTransport transport, UpstreamCall call)
    {
        var deployment = call.Deployment;
        var provider = deployment.Provider;
        var client = call.Request;
        using var rewritten = OpenAiBodyRewriter.Rewrite(call.Body.Span, call.ModelToken, deployment.UpstreamModelJson.Span, chat: null);
        var body = rewritten is null ? call.Body.Memory : rewritten.Array.AsMemory(0, rewritten.Length);

        using var request = TranslatedRequest.Create(call, new Uri(provider.BaseUrl.AbsoluteUri.TrimEnd('/') + "/messages"), body, client.Stream);
        if (provider.Credential.Secret is { } secret)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", secret);
        }

        var version = client.ClientHeaders.TryGetValue(VersionHeader, out var clientVersion) && clientVersion.Count > 0
            ? clientVersion.ToString()
            : provider.ApiVersion ?? ProviderKindSettings.DefaultAnthropicVersion;
        request.Headers.Remove(VersionHeader);
        request.Headers.TryAddWithoutValidation(VersionHeader, version);
        if (client.ClientHeaders.TryGetValue(BetaHeader, out var beta) && beta.Count > 0)
        {
            request.Headers.Remove(BetaHeader);
            request.Headers.TryAddWithoutValidation(BetaHeader, beta.ToString());
        }

        var attemptStarted = transport.TimeProvider.GetTimestamp();
        var (response, failure) = await transport.SendAsync(call, request, AnthropicErrors.Map);
        if (response is null)
        {
            return failure!;
        }

        var timeToFirstByte = transport.TimeProvider.GetElapsedTime(attemptStarted);
        using (response)
        {
            if (client.Stream)
            {
                var relay = new AnthropicEventRelay(transport.TimeProvider);
                var streamed = await relay.RelayAsync(call, response);
                var firstChunk = relay.FirstEventAt > 0 ? transport.TimeProvider.GetElapsedTime(attemptStarted, relay.FirstEventAt) : (TimeSpan?)null;
                return streamed.WithTimings(timeToFirstByte, firstChunk);
            }

            var relayed = await transport.RelayJsonAsync(call, response, message => new RelayedMessage(message.Clone()));
            return relayed.WithTimings(timeToFirstByte, null);
        }
    }

    /// <summary>A whole Messages response, relayed as it is; its usage read for billing.</summary>
    private sealed class RelayedMessage(JsonElement message) : ITranslatedBody
    {
        public TokenUsage? Usage { get; } =
            message.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? AnthropicWire.Usage(usage) : null;

        public void Write(Utf8JsonWriter json) => message.WriteTo(json);
    }
}
