using System.Security.Cryptography;
using System.Text;
using ModelGateway.Configuration;

namespace ModelGateway.Admin;

/// <summary>
/// The admin keys from the <c>Admin:Keys</c> section, hashed with SHA-256 like client keys but kept apart from
/// them: a client key is never looked up here and an admin key is never a client key.
/// </summary>
internal sealed class AdminKeys
{
    private const int MaxKeyLength = 256;
    private readonly AdminKey[] _keys;

    public AdminKeys(AdminOptions options)
    {
        var errors = new List<string>();
        var keys = new List<AdminKey>();
        foreach (var (id, key) in options.Keys)
        {
            if (key.Sha256 is { Length: 64 } hex && IsHex(hex))
            {
                keys.Add(new AdminKey(id, Convert.FromHexString(hex), key.ReadOnly));
            }
            else
            {
                errors.Add($"Admin:Keys:{id}:Sha256 must be 64 hex characters (the SHA-256 of the admin key).");
            }
        }

        if (errors.Count > 0)
        {
            throw new GatewayConfigException(errors);
        }

        _keys = [.. keys];
    }

    public bool Enabled => _keys.Length > 0;

    /// <summary>The admin key presented as <c>Authorization: Bearer &lt;key&gt;</c>, or null.</summary>
    public AdminKey? Find(string authorization)
    {
        const string Scheme = "Bearer ";
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var presented = authorization.AsSpan(Scheme.Length).Trim();
        if (presented.IsEmpty || presented.Length > MaxKeyLength)
        {
            return null;
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyLength * 3];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presented, utf8)], hash);
        AdminKey? found = null;
        foreach (var key in _keys)
        {
            // Every key is compared, in constant time, so timing says nothing about which one is close.
            if (CryptographicOperations.FixedTimeEquals(key.Sha256, hash))
            {
                found = key;
            }
        }

        return found;
    }

    public bool IsAdminHash(string hex) =>
        hex.Length == 64 && IsHex(hex) && Array.Exists(_keys, k => k.Sha256.AsSpan().SequenceEqual(Convert.FromHexString(hex)));

    private static bool IsHex(string value) => value.All(Uri.IsHexDigit);
}

/// <summary>One admin key: its id (the actor in the audit log), its hash, and whether it may change anything.</summary>
internal sealed record AdminKey(string Id, byte[] Sha256, bool ReadOnly);
