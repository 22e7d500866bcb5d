using System.Globalization;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>The errors of routing decisions. They name the reason (level, detector names, rule), never the content.</summary>
internal static class RoutingErrors
{
    public static GatewayError InvalidSensitivityHeader(string header) =>
        GatewayError.InvalidRequest(
            $"The '{header}' header must be one of: public, internal, confidential, restricted.", null, "invalid_sensitivity");

    public static GatewayError SensitivityRefused(string model, SensitivityLevel level, IReadOnlyList<string> detectors, LevelPolicy policy)
    {
        var because = detectors.Count == 0 ? string.Empty : $" (detected: {string.Join(", ", detectors)})";
        var tiers = string.Join(", ", policy.Trust.Select(ConfigNames.Name));
        var regions = policy.Regions.IsDefaultOrEmpty ? string.Empty : $" in regions {string.Join(", ", policy.Regions)}";
        return new GatewayError(StatusCodes.Status403Forbidden, "permission_error", "sensitivity_policy",
            $"This request is classified '{SensitivityNames.Name(level)}'{because}, and no deployment of '{model}' may receive " +
            $"{SensitivityNames.Name(level)} data: allowed trust tiers are {tiers}{regions}.")
        { ShouldRetry = false };
    }

    public static GatewayError RuleRefused(string model, string rule) =>
        new GatewayError(StatusCodes.Status403Forbidden, "permission_error", "route_policy",
            $"Routing rule '{rule}' leaves no deployment of '{model}' that meets its constraints (trust, region, price).")
        { ShouldRetry = false };

    public static GatewayError ContextTooLong(string model, int needed) =>
        GatewayError.InvalidRequest(
            string.Create(CultureInfo.InvariantCulture,
                $"This request needs about {needed} tokens (prompt plus requested output), more than the context window of any deployment of '{model}'."),
            "messages",
            "context_length_exceeded");

    public static GatewayError Unavailable(string model, TimeSpan retryAfter) =>
        new GatewayError(StatusCodes.Status503ServiceUnavailable, "server_error", "no_deployment_available",
            $"Every deployment of '{model}' this request may use is unavailable right now (circuit open or cooling down after rate limiting).")
        { RetryAfter = retryAfter, ShouldRetry = true };
}
