namespace ModelGateway.Configuration;

/// <summary>
/// An upstream secret and the reference it was read from. Only the reference is ever printed:
/// <see cref="ToString"/> never reveals the secret, so a record holding it can be logged safely.
/// </summary>
public sealed class ProviderCredential
{
    public static readonly ProviderCredential None = new("none", secret: null);

    public ProviderCredential(string reference, string? secret)
    {
        Reference = reference;
        Secret = secret;
    }

    /// <summary>Where the secret came from, e.g. <c>env:OPENAI_API_KEY</c>.</summary>
    public string Reference { get; }

    /// <summary>The secret itself; null when the provider needs none (e.g. a local vLLM).</summary>
    public string? Secret { get; }

    public override string ToString() => Reference;
}
