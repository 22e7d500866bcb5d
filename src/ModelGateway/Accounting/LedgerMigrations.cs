using System.Globalization;

namespace ModelGateway.Accounting;

/// <summary>
/// The versioned schema scripts embedded in the assembly (<c>Accounting/Migrations/{dialect}/NNNN_name.sql</c>).
/// Plain SQL rather than a migration library: two small dialects, a handful of scripts, and the lock and version
/// table are ten lines each; a library would add a dependency and its own table conventions for no gain.
/// </summary>
internal static class LedgerMigrations
{
    public static IEnumerable<(int Version, string Sql)> For(string dialect)
    {
        var assembly = typeof(LedgerMigrations).Assembly;
        var prefix = "ledger/" + dialect + "/";
        var scripts = new List<(int, string)>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var file = name[prefix.Length..];
            var version = int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), NumberStyles.None, CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            scripts.Add((version, reader.ReadToEnd()));
        }

        return scripts.OrderBy(s => s.Item1);
    }
}
