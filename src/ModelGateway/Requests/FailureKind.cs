namespace ModelGateway.Requests;

/// <summary>
/// Why an upstream attempt (or the request) failed. One closed set, so the breaker, outcomes, metrics and logs
/// switch over the same values exhaustively instead of comparing strings that may drift apart.
/// </summary>
public enum FailureKind
{
    None,
    UpstreamUnreachable,
    UpstreamTimeout,
    UpstreamRateLimited,
    UpstreamOverloaded,
    UpstreamAuthFailed,
    /// <summary>The upstream refused the request itself (400, 413, 422): every deployment would.</summary>
    UpstreamRejected,
    /// <summary>Any other non-success status; the status is kept beside the kind.</summary>
    UpstreamStatus,
    /// <summary>A 2xx whose body is not a JSON object.</summary>
    UpstreamInvalidBody,
    /// <summary>A 2xx JSON body the translating adapter could not read.</summary>
    UpstreamInvalidResponse,
    UpstreamEventTooLarge,
    UpstreamIdleTimeout,
    UpstreamStreamInterrupted,
    UpstreamStreamTruncated,
    UpstreamInvalidEvent,
    /// <summary>The upstream sent an error event in the middle of a stream.</summary>
    UpstreamStreamError,
    /// <summary>The deployment cannot do something the request asks for; another candidate may.</summary>
    UnsupportedByProvider,
    /// <summary>The client's request is malformed for every deployment.</summary>
    InvalidRequest,
    ClientDisconnected,
    /// <summary>The proxy failed to copy the response body after it had started (YARP's own error).</summary>
    ResponseBodyFailed,
}

/// <summary>The stable label of each kind, for logs, metrics and the ledger.</summary>
public static class FailureKinds
{
    public static string Name(FailureKind kind, int? status = null) => kind switch
    {
        FailureKind.None => "none",
        FailureKind.UpstreamUnreachable => "upstream_unreachable",
        FailureKind.UpstreamTimeout => "upstream_timeout",
        FailureKind.UpstreamRateLimited => "upstream_rate_limited",
        FailureKind.UpstreamOverloaded => "upstream_overloaded",
        FailureKind.UpstreamAuthFailed => "upstream_auth_failed",
        FailureKind.UpstreamRejected => "upstream_rejected",
        FailureKind.UpstreamStatus => status is { } code ? StatusName(code) : "upstream_status",
        FailureKind.UpstreamInvalidBody => "upstream_invalid_body",
        FailureKind.UpstreamInvalidResponse => "upstream_invalid_response",
        FailureKind.UpstreamEventTooLarge => "upstream_event_too_large",
        FailureKind.UpstreamIdleTimeout => "upstream_idle_timeout",
        FailureKind.UpstreamStreamInterrupted => "upstream_stream_interrupted",
        FailureKind.UpstreamStreamTruncated => "upstream_stream_truncated",
        FailureKind.UpstreamInvalidEvent => "upstream_invalid_event",
        FailureKind.UpstreamStreamError => "upstream_stream_error",
        FailureKind.UnsupportedByProvider => "unsupported_by_provider",
        FailureKind.InvalidRequest => "invalid_request",
        FailureKind.ClientDisconnected => "client_disconnected",
        FailureKind.ResponseBodyFailed => "response_body_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A failure kind without a name."),
    };

    /// <summary>
    /// Whether a failure of this kind is the deployment's fault and counts towards opening its breaker. A rate
    /// limit has its own cool-down; a feature the deployment lacks, the client's own mistakes and a vanished client
    /// say nothing about the deployment's health.
    /// </summary>
    public static bool CountsAgainstDeployment(FailureKind kind) => kind switch
    {
        FailureKind.UpstreamUnreachable or FailureKind.UpstreamTimeout or FailureKind.UpstreamOverloaded
            or FailureKind.UpstreamAuthFailed or FailureKind.UpstreamStatus or FailureKind.UpstreamInvalidBody
            or FailureKind.UpstreamInvalidResponse or FailureKind.UpstreamEventTooLarge or FailureKind.UpstreamIdleTimeout
            or FailureKind.UpstreamStreamInterrupted or FailureKind.UpstreamStreamTruncated or FailureKind.UpstreamInvalidEvent
            or FailureKind.UpstreamStreamError or FailureKind.ResponseBodyFailed => true,
        FailureKind.None or FailureKind.UpstreamRateLimited or FailureKind.UpstreamRejected or FailureKind.UnsupportedByProvider
            or FailureKind.InvalidRequest or FailureKind.ClientDisconnected => false,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "A failure kind the breaker does not know."),
    };

    private static readonly string[] StatusNames = BuildStatusNames();

    private static string StatusName(int status) =>
        status is >= 100 and < 600 ? StatusNames[status - 100] : "upstream_status_" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string[] BuildStatusNames()
    {
        var names = new string[500];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = "upstream_status_" + (i + 100).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return names;
    }
}
