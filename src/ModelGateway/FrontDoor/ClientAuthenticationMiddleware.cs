using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Requests;
using ModelGateway.Pipeline;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Checks the bearer key on every <c>/v1</c> request against the SHA-256 hashes in the configuration.
/// Keys are high-entropy random strings, so a fast hash is the right tool (as for GitHub or Stripe tokens);
/// the lookup is by hash prefix and the final comparison is constant-time.
/// </summary>
internal sealed class ClientAuthenticationMiddleware
{
    private const int MaxKeyLength = 256;
    private readonly RequestDelegate _next;
    private readonly IGatewayConfigStore _store;
    private readonly TimeProvider _timeProvider;

    public ClientAuthenticationMiddleware(RequestDelegate next, IGatewayConfigStore store, TimeProvider timeProvider)
    {
        _next = next;
        _store = store;
        _timeProvider = timeProvider;
    }

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            return _next(context);
        }

        var module = InboundModules.ForPath(context.Request.Path);
        var feature = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        feature.Protocol = module?.Protocol;
        var envelope = InboundModules.EnvelopeFor(context.Request.Path);

        // One snapshot per request: the key is checked and the request served under the same configuration.
        var snapshot = _store.Current;
        var key = FindKey(PresentedCredential(context.Request.Headers), snapshot, out var error);
        if (key is null)
        {
            return WriteErrorAsync(context, envelope, error!);
        }

        if (key.IsExpired(_timeProvider.GetUtcNow()))
        {
            return WriteErrorAsync(context, envelope, GatewayError.ExpiredKey());
        }

        feature.KeyId = key.Id;
        feature.TeamId = key.Team;
        feature.Snapshot = snapshot;
        feature.Caller = Pipeline.Caller.Of(key);
        return _next(context);
    }

    /// <summary>In the envelope of the endpoint's protocol; OpenAI's for every other <c>/v1</c> path.</summary>
    private static Task WriteErrorAsync(HttpContext context, IInboundModule? module, GatewayError error) =>
        module is null ? error.WriteAsync(context) : module.WriteErrorAsync(context, error);

    /// <summary>
    /// The <c>Authorization</c> header, or else the key from <c>x-api-key</c> as a bearer credential: Anthropic clients
    /// (Claude Code with <c>ANTHROPIC_API_KEY</c>, the Anthropic SDKs) send the key that way.
    /// </summary>
    internal static string PresentedCredential(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        return authorization.Length == 0 && headers.TryGetValue("x-api-key", out var apiKey) && apiKey.ToString() is { Length: > 0 } key
            ? "Bearer " + key
            : authorization;
    }

    internal static ClientKey? FindKey(string authorization, GatewaySnapshot snapshot, out GatewayError? error)
    {
        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
        {
            error = GatewayError.MissingKey();
            return null;
        }

        var presented = authorization.AsSpan(Scheme.Length).Trim();
        if (presented.Length > MaxKeyLength)
        {
            error = GatewayError.InvalidKey();
            return null;
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyLength * 3];
        var length = Encoding.UTF8.GetBytes(presented, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);

        var key = snapshot.FindKey(hash);
        if (key is null || key.Disabled)
        {
            error = GatewayError.InvalidKey();
            return null;
        }

        error = null;
        return key;
    }

    /// <summary>The hex SHA-256 to put in the configuration for a key.</summary>
    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
