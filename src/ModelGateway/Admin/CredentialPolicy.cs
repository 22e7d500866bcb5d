using System.Text.RegularExpressions;
using ModelGateway.Configuration;

namespace ModelGateway.Admin;

/// <summary>
/// Limits the credential references a change through the admin API may introduce (docs/admin-api.md). A reference
/// the start-up configuration already uses, or the one a provider already has, stays allowed; any other must be an
/// <c>env:</c> name with an allowed prefix, or a <c>file:</c> path whose real location (symbolic links followed) is
/// inside the allowed directory. Refused references are never read, so a refusal reveals nothing about the file or
/// variable.
/// </summary>
internal sealed partial class CredentialPolicy
{
    public const string DefaultEnvironmentPrefix = "MG_CREDENTIAL_";
    private const int MaxLinks = 40;
    private readonly string? _directory;
    private readonly string[] _prefixes;

    public CredentialPolicy(AdminCredentialPolicyOptions options)
    {
        _directory = string.IsNullOrWhiteSpace(options.FileDirectory) ? null : Path.GetFullPath(options.FileDirectory);
        _prefixes = options.EnvironmentPrefixes is { Length: > 0 } prefixes
            ? [.. prefixes.Where(p => !string.IsNullOrEmpty(p))]
            : [DefaultEnvironmentPrefix];
    }

    /// <summary>
    /// Adds an error for each provider of <paramref name="next"/> whose credential reference is new and not allowed,
    /// and sets it to <c>none</c> so that validating the rest of the document does not read it.
    /// </summary>
    public void Check(GatewayOptions next, GatewayOptions? previous, GatewayOptions startup, List<string> errors)
    {
        foreach (var (id, provider) in next.Providers)
        {
            var reference = provider.Credential;
            if (reference is null or "none"
                || (previous is not null && previous.Providers.TryGetValue(id, out var old) && old.Credential == reference)
                || startup.Providers.Values.Any(p => p.Credential == reference))
            {
                continue;
            }

            if (Refusal(reference) is { } refusal)
            {
                errors.Add($"Providers:{id}:Credential {refusal}");
                provider.Credential = "none";
            }
        }
    }

    /// <summary>
    /// A Redis password reference is sent to whatever host <c>Quotas:Redis</c> names, so the admin API may keep it only
    /// together with the same connection string as before or as the start-up configuration; anything else is refused
    /// (and cleared so that validation does not read it). The password is set in the configuration file or environment.
    /// </summary>
    public static void CheckRedisPassword(GatewayOptions next, GatewayOptions? previous, GatewayOptions startup, List<string> errors)
    {
        var quotas = next.Quotas;
        if (quotas.RedisPassword is null
            || (quotas.RedisPassword == startup.Quotas.RedisPassword && quotas.Redis == startup.Quotas.Redis)
            || (previous is not null && quotas.RedisPassword == previous.Quotas.RedisPassword && quotas.Redis == previous.Quotas.Redis))
        {
            return;
        }

        errors.Add("Quotas:RedisPassword may not be set or moved to another Redis through the admin API: set it, with Quotas:Redis, " +
            "in the configuration file or the environment (ModelGateway__Quotas__RedisPassword).");
        quotas.RedisPassword = null;
    }

    /// <summary>Null when the admin API may write <paramref name="reference"/>; otherwise why not (without any secret).</summary>
    public string? Refusal(string reference)
    {
        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = reference[4..];
            return EnvironmentName().IsMatch(name) && _prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))
                ? null
                : $"'env:{Printable(name)}' is not allowed through the admin API: the variable's name must start with " +
                  $"{string.Join(" or ", _prefixes)} (Admin:CredentialPolicy:EnvironmentPrefixes).";
        }

        if (reference.StartsWith("file:", StringComparison.Ordinal))
        {
            if (_directory is null)
            {
                return "file: references are not allowed through the admin API unless Admin:CredentialPolicy:FileDirectory names the directory they must be in.";
            }

            return IsInside(reference[5..], _directory)
                ? null
                : $"file: references written through the admin API must be absolute paths without '..' inside {_directory} (Admin:CredentialPolicy:FileDirectory), symbolic links included.";
        }

        // Not a reference at all: the builder explains the accepted forms without echoing the value.
        return null;
    }

    private static bool IsInside(string path, string directory)
    {
        if (!Path.IsPathFullyQualified(path) || HasParentSegment(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var real = RealPath(Path.GetFullPath(path));
        var root = RealPath(directory);
        if (real is null || root is null)
        {
            return false;
        }

        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return real.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, comparison);
    }

    /// <summary>The path with every symbolic link resolved (like realpath(3)); null for a loop or a link target with '..'.</summary>
    private static string? RealPath(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath)!;
        var parts = Segments(fullPath[root.Length..]);
        var current = root;
        var links = 0;
        var i = 0;
        while (i < parts.Count)
        {
            var next = Path.Combine(current, parts[i]);
            string? target;
            try
            {
                target = new FileInfo(next).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (target is null)
            {
                current = next;
                i++;
                continue;
            }

            // '..' after a link means something else physically than lexically: refuse rather than guess.
            if (++links > MaxLinks || HasParentSegment(target))
            {
                return null;
            }

            var resolved = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(current, target));
            var rest = parts.Skip(i + 1).ToList();
            root = Path.GetPathRoot(resolved)!;
            parts = [.. Segments(resolved[root.Length..]), .. rest];
            current = root;
            i = 0;
        }

        return current;
    }

    private static List<string> Segments(string path) =>
        [.. path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries)];

    private static bool HasParentSegment(string path) => Segments(path).Any(s => s == "..");

    private static string Printable(string name) => name.Length <= 64 && EnvironmentName().IsMatch(name) ? name : "...";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvironmentName();
}
