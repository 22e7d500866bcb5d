namespace ModelGateway.Accounting;

/// <summary>
/// Where the ledger lives, resolved once at start-up: the data directory (created if missing) and, for PostgreSQL,
/// the connection string read from its reference. The connection string is a secret: never logged or printed.
/// </summary>
internal sealed class LedgerLocation
{
    private LedgerLocation(string dataDirectory, string? connectionString)
    {
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
    }

    public string DataDirectory { get; }

    /// <summary>The PostgreSQL connection string; null for SQLite.</summary>
    public string? ConnectionString { get; }

    public override string ToString() => DataDirectory;

    public static LedgerLocation Resolve(IServiceProvider services)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value;
        var root = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        var directory = Path.GetFullPath(options.DataDirectory, root);
        Directory.CreateDirectory(directory);
        string? connectionString = null;
        if (LedgerOptionsValidator.IsPostgres(options))
        {
            connectionString = LedgerOptionsValidator.ReadReference(options.ConnectionString, out var error)
                ?? throw new InvalidOperationException(error);
        }

        return new LedgerLocation(directory, connectionString);
    }
}
