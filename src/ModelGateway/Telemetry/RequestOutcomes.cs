using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Telemetry;

/// <summary>
/// Classifies a request's end from what the dispatcher knows (which step refused it, which attempt served it),
/// and, for requests that never reached the dispatcher, from the response status.
/// </summary>
internal static class RequestOutcomes
{
    /// <summary>A routing refusal: 403/503 are policy (not allowed, or nothing allowed is available); the rest are the request's fault.</summary>
    public static RequestOutcome OfRefusal(GatewayError refusal) =>
        refusal.Status is StatusCodes.Status403Forbidden or StatusCodes.Status503ServiceUnavailable
            ? RequestOutcome.RejectedPolicy
            : RequestOutcome.ClientError;

    /// <summary>The end of the attempts loop.</summary>
    public static RequestOutcome OfAttempts(Deployment? servedBy, UpstreamOutcome? final, int attempts)
    {
        if (final is { ClientGone: true })
        {
            return RequestOutcome.ClientCancelled;
        }

        if (servedBy is not null)
        {
            return attempts > 1 ? RequestOutcome.FellBack : RequestOutcome.Served;
        }

        // The only failure that stops the loop without being retryable is the upstream refusing the request itself.
        return final is { Retryable: false } ? RequestOutcome.ClientError : RequestOutcome.UpstreamError;
    }

    /// <summary>For requests the dispatcher never classified: rejected before it (auth, body, parse) or broken by a bug.</summary>
    public static RequestOutcome OfUnclassified(int status, string? failure) => failure switch
    {
        "client_disconnected" => RequestOutcome.ClientCancelled,
        "internal_error" => RequestOutcome.GatewayError,
        _ when status >= StatusCodes.Status500InternalServerError => RequestOutcome.GatewayError,
        _ => RequestOutcome.ClientError,
    };
}
