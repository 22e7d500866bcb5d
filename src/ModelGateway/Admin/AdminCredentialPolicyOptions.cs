namespace ModelGateway.Admin;

/// <summary>
/// <c>Admin:CredentialPolicy</c>: which credential references the admin API may write. The start-up configuration
/// may use any reference; through the admin API a reference could otherwise read any file or environment variable
/// of the process and send it upstream as a key.
/// </summary>
public sealed class AdminCredentialPolicyOptions
{
    /// <summary>The directory <c>file:</c> references must stay inside; unset (the default): no <c>file:</c> reference.</summary>
    public string? FileDirectory { get; set; }

    /// <summary>Prefixes an <c>env:</c> variable name must start with; unset: <see cref="CredentialPolicy.DefaultEnvironmentPrefix"/>.</summary>
    public string[]? EnvironmentPrefixes { get; set; }
}
