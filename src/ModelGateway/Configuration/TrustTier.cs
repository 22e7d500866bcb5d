namespace ModelGateway.Configuration;

/// <summary>How far a provider may be trusted with data; ordered from most to least trusted.</summary>
public enum TrustTier
{
    /// <summary>Runs on infrastructure we operate.</summary>
    SelfHosted,

    /// <summary>A third party bound by contract not to retain data (dedicated or zero-data-retention agreement).</summary>
    Contracted,

    /// <summary>A public API under its standard terms.</summary>
    Public,
}
