namespace ModelGateway.Accounting;

/// <summary>A database holding the request log and the daily spend rollups (SQLite or PostgreSQL).</summary>
internal interface ILedgerStore : IAsyncDisposable
{
    /// <summary>True when the database is across a network and may be away (rows then wait in the local spool).</summary>
    bool IsRemote { get; }

    /// <summary>Creates or upgrades the schema; safe when several replicas start at once.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Inserts the rows whose request id is new and adds exactly those to the rollups, in one transaction, so a
    /// retried batch never counts twice. Returns how many rows were new.
    /// </summary>
    Task<int> WriteAsync(IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken);

    Task<IReadOnlyList<SpendRow>> SpendAsync(SpendQuery query, CancellationToken cancellationToken);

    Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(RequestLogQuery query, CancellationToken cancellationToken);

    /// <summary>The team budgets last written, ordered by team.</summary>
    Task<IReadOnlyList<TeamBudget>> TeamBudgetsAsync(CancellationToken cancellationToken);

    /// <summary>Makes the stored team budgets exactly <paramref name="budgets"/> (one transaction).</summary>
    Task ReplaceTeamBudgetsAsync(IReadOnlyList<TeamBudget> budgets, CancellationToken cancellationToken);

    /// <summary>Deletes request-log rows older than <paramref name="cutoff"/> and rollups of days before it.</summary>
    Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
