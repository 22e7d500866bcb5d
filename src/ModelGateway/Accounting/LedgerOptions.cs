using System.ComponentModel.DataAnnotations;

namespace ModelGateway.Accounting;

/// <summary><c>ModelGateway:Ledger</c>: where the request log and spend rollups are kept.</summary>
public sealed class LedgerOptions
{
    public const string SectionName = "ModelGateway:Ledger";

    /// <summary><c>sqlite</c> (embedded, the default) or <c>postgres</c> (shared by replicas).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>Holds <c>ledger.db</c> (SQLite) or the outage spool (PostgreSQL); relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>PostgreSQL connection string by reference: <c>env:NAME</c> or <c>file:/path</c>, never the string itself.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Most rows written in one statement.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Longest a row waits for others to share its write (group commit): each write rewrites the index pages it
    /// touches, so a few large batches cost far less than many small ones. 0 writes whatever is queued at once.
    /// </summary>
    [Range(0, 5000)]
    public int FlushIntervalMilliseconds { get; set; } = 200;

    /// <summary>Rows waiting in memory for the writer; beyond this a row is dropped (and counted), never waited for.</summary>
    [Range(1000, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>Rows the PostgreSQL outage spool may hold on local disk; beyond this rows are dropped (and counted).</summary>
    [Range(1000, 100_000_000)]
    public int SpoolCapacity { get; set; } = 1_000_000;

    /// <summary>Request-log rows and rollups older than this many days are deleted; 0 keeps everything.</summary>
    [Range(0, 36_500)]
    public int RetentionDays { get; set; }
}
