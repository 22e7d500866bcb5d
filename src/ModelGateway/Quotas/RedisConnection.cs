using ModelGateway.Configuration;
using StackExchange.Redis;

namespace ModelGateway.Quotas;

/// <summary>
/// Builds the StackExchange.Redis options of the quota store and of the admin store (its own connection, or the quota
/// one it shares) from the connection string, the password reference and the TLS files, and validates them at start-up. A Redis
/// Cluster needs nothing more: the client finds the other nodes from any one listed.
/// </summary>
internal static class RedisConnection
{
    /// <summary>
    /// Reads <c>{section}:RedisPassword</c> (<paramref name="reference"/>), the password of <c>{section}:Redis</c>
    /// (<paramref name="redis"/>); an error when it is set twice (here and as <c>password=</c> in the string) or without
    /// a connection string.
    /// </summary>
    public static ProviderCredential? Password(string section, string? redis, string? reference, Func<string, string?> environment, List<string> errors)
    {
        ConfigurationOptions? parsed = null;
        if (!string.IsNullOrWhiteSpace(redis))
        {
            try
            {
                parsed = ConfigurationOptions.Parse(redis);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException)
            {
                // Not echoed: the string may hold a password.
                errors.Add($"{section}:Redis is not a valid StackExchange.Redis connection string ({ex.GetType().Name}).");
            }
        }

        if (reference is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(redis))
        {
            errors.Add($"{section}:RedisPassword is set but {section}:Redis is not.");
        }
        else if (parsed?.Password is not null)
        {
            errors.Add($"{section}:RedisPassword is set and {section}:Redis has a password too: set it in one place.");
        }

        return GatewayConfigBuilder.ResolveCredential($"{section}:RedisPassword", reference, environment, errors);
    }

    /// <summary>Whether any TLS setting is made.</summary>
    public static bool IsSet(RedisTlsOptions options) =>
        options.Enabled || options.CaCertificate is not null || options.ClientCertificate is not null || options.ClientKey is not null;

    /// <summary>Checks the TLS files exist (they are read when connecting).</summary>
    public static RedisTlsSettings Tls(string path, RedisTlsOptions options, List<string> errors)
    {
        if (options.ClientCertificate is null != options.ClientKey is null)
        {
            errors.Add($"{path}: ClientCertificate and ClientKey go together.");
        }

        foreach (var (name, file) in new[] { ("CaCertificate", options.CaCertificate), ("ClientCertificate", options.ClientCertificate), ("ClientKey", options.ClientKey) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add($"{path}:{name} file '{file}' does not exist.");
            }
        }

        return options.Enabled || options.CaCertificate is not null || options.ClientCertificate is not null
            ? new RedisTlsSettings(true, options.CaCertificate, options.ClientCertificate, options.ClientKey)
            : RedisTlsSettings.None;
    }

    /// <summary>The client options: the connection string, then the password and TLS settings over it.</summary>
    public static ConfigurationOptions Options(string connection, ProviderCredential? password, RedisTlsSettings tls)
    {
        var options = ConfigurationOptions.Parse(connection);
        if (password?.Secret is { } secret)
        {
            options.Password = secret;
        }

        if (tls.Enabled)
        {
            options.Ssl = true;
        }

        if (tls.CaCertificate is { } ca)
        {
            // Trust this CA for the server's certificate (and still check the name against the address or sslHost).
            options.TrustIssuer(ca);
        }

        if (tls.ClientCertificate is { } certificate)
        {
            options.SetUserPemCertificate(certificate, tls.ClientKey);
        }

        return options;
    }
}
