namespace ModelGateway.Admin;

/// <summary>
/// The top-level <c>Admin</c> section. It is read once at start-up and is deliberately outside the
/// <c>ModelGateway</c> section: the admin API edits that section, and must not be able to lock itself out
/// or move its own store.
/// </summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>Admin keys by id. The admin API (and the document store) is on only when at least one is configured.</summary>
    public Dictionary<string, AdminKeyOptions> Keys { get; init; } = new(StringComparer.Ordinal);

    /// <summary><c>file</c> (the default without Redis) or <c>redis</c> (the default when a Redis connection is known).</summary>
    public string? Store { get; set; }

    /// <summary>Directory of the file store; defaults to <c>&lt;config file&gt;.store</c> beside the configuration file.</summary>
    public string? StorePath { get; set; }

    /// <summary>
    /// StackExchange.Redis connection string for the redis store; defaults to <c>ModelGateway:Quotas:Redis</c> (then the
    /// store shares the quota connection with its password and TLS settings).
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Password of <see cref="Redis"/> (of <c>requirepass</c> or of the ACL user in the string) by reference:
    /// <c>env:NAME</c> or <c>file:/path</c>. Only with <see cref="Redis"/> set.
    /// </summary>
    public string? RedisPassword { get; set; }

    /// <summary>TLS to <see cref="Redis"/> beyond <c>ssl=true</c>: a private CA, a client certificate. Only with <see cref="Redis"/> set.</summary>
    public Quotas.RedisTlsOptions RedisTls { get; init; } = new();

    /// <summary>Prefix of the store's Redis keys and channel (a hash tag keeps them in one cluster slot).</summary>
    public string KeyPrefix { get; set; } = "{mg-config}:";

    /// <summary>When set, admin endpoints answer only on this local port (add it to <c>urls</c> too).</summary>
    public int? Port { get; set; }

    /// <summary>How often a replica checks the store for a version it missed (pub/sub is the fast path).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Import the configuration file as a new version at start-up even though the store has one (<c>--config-reset=true</c>).</summary>
    public bool Reset { get; set; }

    /// <summary>Which credential references the admin API may write (docs/admin-api.md).</summary>
    public AdminCredentialPolicyOptions CredentialPolicy { get; init; } = new();
}

public sealed class AdminKeyOptions
{
    /// <summary>Lower-case hex SHA-256 of the admin key (the same hashing as client keys).</summary>
    public string? Sha256 { get; set; }

    /// <summary>A read-only key may list and get, never change anything.</summary>
    public bool ReadOnly { get; set; }
}
