namespace ModelGateway.Configuration;

/// <summary>
/// Whether a provider's outputs may be kept to train other models (distillation datasets, docs/capture.md). The
/// default value is <see cref="Forbidden"/>, so anything unset or unknown fails closed.
/// </summary>
public enum TrainingUse
{
    /// <summary>Outputs must not be used for training: the default for <c>public</c> and <c>contracted</c> providers.</summary>
    Forbidden,

    /// <summary>Outputs may be captured for training: the default for <c>self-hosted</c> providers.</summary>
    Allowed,
}
