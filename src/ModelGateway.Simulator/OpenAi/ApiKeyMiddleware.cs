using Microsoft.Extensions.Options;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>When a key is required, answers 401 unless the request has <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
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

        string? authorization = context.Request.Headers.Authorization;
        if (authorization is not null
            && authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && authorization.AsSpan(Scheme.Length).SequenceEqual(_key))
        {
            return next(context);
        }

        return OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidApiKey(missing: authorization is null));
    }
}
