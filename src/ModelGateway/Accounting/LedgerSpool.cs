using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ModelGateway.Accounting;

/// <summary>
/// Rows waiting for PostgreSQL to come back, in a local SQLite file (<c>spool.db</c> in the data directory) so a
/// restart during an outage keeps them. Bounded: beyond <see cref="Capacity"/> rows the newest are dropped and
/// counted. A row is removed only after PostgreSQL committed it; a crash in between re-sends it, which the request
/// id makes harmless.
/// </summary>
internal sealed class LedgerSpool : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private long _count;

    public LedgerSpool(string path, int capacity)
    {
        Capacity = capacity;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " +
                "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, row TEXT NOT NULL);");
        using var count = _connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM spool";
        _count = (long)count.ExecuteScalar()!;
    }

    public int Capacity { get; }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Stores as many rows as fit; returns how many were dropped.</summary>
    public int Append(IReadOnlyList<RequestLogEntry> rows)
    {
        lock (_lock)
        {
            var room = (int)Math.Max(0, Math.Min(rows.Count, Capacity - _count));
            if (room > 0)
            {
                using var transaction = _connection.BeginTransaction();
                using var insert = _connection.CreateCommand();
                insert.CommandText = "INSERT INTO spool (row) VALUES (@row)";
                var parameter = insert.Parameters.Add("@row", SqliteType.Text);
                for (var i = 0; i < room; i++)
                {
                    parameter.Value = JsonSerializer.Serialize(rows[i]);
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                Interlocked.Add(ref _count, room);
            }

            return rows.Count - room;
        }
    }

    /// <summary>The oldest rows and the sequence number of the last of them.</summary>
    public (long Through, List<RequestLogEntry> Rows) Peek(int max)
    {
        lock (_lock)
        {
            using var select = _connection.CreateCommand();
            select.CommandText = "SELECT seq, row FROM spool ORDER BY seq LIMIT @max";
            select.Parameters.AddWithValue("@max", max);
            var rows = new List<RequestLogEntry>(max);
            long through = 0;
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                through = reader.GetInt64(0);
                rows.Add(JsonSerializer.Deserialize<RequestLogEntry>(reader.GetString(1))!);
            }

            return (through, rows);
        }
    }

    public void RemoveThrough(long through)
    {
        lock (_lock)
        {
            using var delete = _connection.CreateCommand();
            delete.CommandText = "DELETE FROM spool WHERE seq <= @through";
            delete.Parameters.AddWithValue("@through", through);
            var removed = delete.ExecuteNonQuery();
            Interlocked.Add(ref _count, -removed);
        }
    }

    public void Dispose() => _connection.Dispose();

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
