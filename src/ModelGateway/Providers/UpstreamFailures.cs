using ModelGateway.Requests;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Providers;

/// <summary>
/// Turns what went wrong upstream into the error the client sees and whether another deployment may be tried.
/// Client mistakes (400, 413, 422) are passed on as they are; provider trouble becomes 502/504 or 429.
/// </summary>
internal static class UpstreamFailures
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(1);

    public static UpstreamOutcome Unreachable() => UpstreamOutcome.Failure(
        new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_unreachable",
            "The upstream provider could not be reached.") { RetryAfter = DefaultRetryAfter },
        retryable: true,
        FailureKind.UpstreamUnreachable);

    public static UpstreamOutcome Timeout() => UpstreamOutcome.Failure(
        new GatewayError(StatusCodes.Status504GatewayTimeout, "server_error", "upstream_timeout",
            "The upstream provider did not respond in time.") { RetryAfter = DefaultRetryAfter },
        retryable: true,
        FailureKind.UpstreamTimeout);

    /// <summary>A 2xx whose body is not a JSON object (truncated, HTML, random bytes, <c>null</c>): the provider is broken, try another.</summary>
    public static UpstreamOutcome InvalidBody() => UpstreamOutcome.Failure(
        new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_error",
            "The upstream provider answered with a body that is not a valid JSON object.") { RetryAfter = DefaultRetryAfter },
        retryable: true,
        FailureKind.UpstreamInvalidBody);

    public static UpstreamOutcome FromErrorResponse(UpstreamErrorResponse response, int status)
    {
        switch (status)
        {
            case 400 or 413 or 422:
                // The request itself is at fault; every deployment would refuse it the same way.
                return UpstreamOutcome.Failure(
                    new GatewayError(status, response.Type ?? "invalid_request_error", response.Code,
                        response.Message ?? $"The upstream provider rejected the request (HTTP {status}).", response.Param),
                    retryable: false,
                    FailureKind.UpstreamRejected);

            case 404 when response.Code == "previous_response_not_found":
                // A Responses continuation the upstream does not know: the client's id is wrong, not the deployment.
                return UpstreamOutcome.Failure(
                    new GatewayError(404, response.Type ?? "invalid_request_error", response.Code, response.Message ?? "Previous response not found.", response.Param),
                    retryable: false,
                    FailureKind.UpstreamRejected);

            case 429:
                return UpstreamOutcome.Failure(
                    new GatewayError(429, "rate_limit_exceeded", response.Code ?? "rate_limit_exceeded",
                        "The upstream provider is rate limiting requests; retry after the indicated delay.")
                    { RetryAfter = response.RetryAfter ?? DefaultRetryAfter },
                    retryable: true,
                    FailureKind.UpstreamRateLimited,
                    response.RetryAfter);

            case 401 or 403:
                // The gateway's credential for this provider is wrong: an operator problem, not the client's.
                return UpstreamOutcome.Failure(
                    new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_auth_failed",
                        "The upstream provider rejected the gateway's credentials."),
                    retryable: true,
                    FailureKind.UpstreamAuthFailed);

            default:
                return UpstreamOutcome.Failure(
                    new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_error",
                        $"The upstream provider failed (HTTP {status}).") { RetryAfter = status >= 500 ? response.RetryAfter ?? DefaultRetryAfter : null },
                    retryable: true,
                    FailureKind.UpstreamStatus,
                    response.RetryAfter,
                    status);
        }
    }
}
