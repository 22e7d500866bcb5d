namespace ModelGateway.Configuration;

/// <summary>Bounds shared by the validation of several sections.</summary>
internal static class GatewayLimits
{
    /// <summary>
    /// The longest timeout, budget or break on the request path. Far below the ~49.7 days a .NET timer can wait:
    /// a longer value would pass the binder and then fail every request.
    /// </summary>
    public static readonly TimeSpan MaxRequestDuration = TimeSpan.FromHours(1);
}
