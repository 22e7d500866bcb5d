using Microsoft.Extensions.Primitives;

namespace ModelGateway.Configuration;

/// <summary>
/// Holds the configuration in force. Readers take <see cref="Current"/> once per request; writers publish
/// a whole new snapshot, swapped atomically, and the change token of the old one fires.
/// </summary>
public interface IGatewayConfigStore
{
    GatewaySnapshot Current { get; }

    /// <summary>Fires once when <see cref="Current"/> is replaced.</summary>
    IChangeToken GetChangeToken();

    /// <summary>Validates nothing (the caller built a valid config) and makes it current with the next version.</summary>
    GatewaySnapshot Publish(GatewayConfig config);
}
