using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>
/// When a key is required, refuses requests without it: <c>Authorization: Bearer &lt;key&gt;</c> for OpenAI,
/// <c>x-api-key</c> (or bearer, as the 1.x SDK sends it) for Anthropic, <c>x-goog-api-key</c> (or <c>?key=</c>) for Gemini, <c>api-key</c> (or bearer) for Azure.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, IOptions<SimulatorOptions> options)
{
    private const string Scheme = "Bearer ";

    private readonly string? _key = string.IsNullOrEmpty(options.Value.RequiredApiKey) ? null : options.Value.RequiredApiKey;

    public Task InvokeAsync(HttpContext context)
    {
        if (_key is null)
        {
            return next(context);
        }

        var headers = context.Request.Headers;
        string? authorization = headers.Authorization;
        var bearer = authorization is not null && authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization[Scheme.Length..]
            : null;
        string? presented = WireFormats.Of(context.Request.Path) switch
        {
            WireFormat.Anthropic => (string?)headers["x-api-key"] ?? bearer, // SDK 1.x sends the key as a bearer token
            WireFormat.Gemini => (string?)headers["x-goog-api-key"] ?? context.Request.Query["key"],
            WireFormat.Azure => (string?)headers["api-key"] ?? bearer,
            _ => authorization is null ? null : bearer ?? string.Empty,
        };
        if (presented is not null && presented.AsSpan().SequenceEqual(_key))
        {
            return next(context);
        }

        return FaultErrors.WriteAuthenticationAsync(context, missing: presented is null);
    }
}
