using System.Data.Common;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using ModelGateway.Accounting;
using ModelGateway.Quotas;

namespace ModelGateway.Experiments;

/// <summary>
/// The experiment pairs in the ledger database (table <c>experiment_pairs</c>, migration 0002). Writes go through a
/// bounded queue to one background writer, as the request log does: a full queue or a database that stays away
/// drops rows and counts them (a comparison is evidence, not a bill). Reads serve the report and the spend cap.
/// </summary>
internal sealed partial class ExperimentStore : BackgroundService
{
    public const int QueueCapacity = 100_000;
    private const int BatchSize = 200;
    private const int Attempts = 5;

    private const string Columns =
        "experiment_id, request_id, candidate_deployment, source, ts, day, key_id, team_id, model, protocol, stream, sample_rate, outcome, " +
        "live_deployment, live_failure, live_latency_ms, live_ttft_ms, live_prompt_tokens, live_completion_tokens, live_cost_nano, " +
        "candidate_failure, candidate_latency_ms, candidate_ttft_ms, candidate_prompt_tokens, candidate_completion_tokens, candidate_cost_nano, " +
        "evaluation_cost_nano, tool_expected, tool_same_function, tool_arguments_equal, tool_arguments_valid, schema_expected, live_schema_valid, " +
        "candidate_schema_valid, text_exact_match, length_ratio, similarity, judge_verdict, judge_candidate_position";

    private const int ColumnCount = 39;

    private static readonly string InsertSql = "INSERT INTO experiment_pairs (" + Columns + ") VALUES (" +
        string.Join(", ", Enumerable.Range(0, ColumnCount).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture))) +
        ") ON CONFLICT (experiment_id, request_id, candidate_deployment) DO NOTHING";

    private readonly SqlLedgerStore _ledger;
    private readonly TimeProvider _timeProvider;
    private readonly LedgerOptions _options;
    private readonly ILogger<ExperimentStore> _logger;
    private readonly Channel<PairRecord> _queue = Channel.CreateBounded<PairRecord>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private long _enqueued;
    private long _handled;
    private long _dropped;

    public ExperimentStore(ILedgerStore ledger, IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<ExperimentStore> logger)
    {
        _ledger = (SqlLedgerStore)ledger;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Rows dropped (queue full, or the database away for every retry).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues one row; never blocks, never throws.</summary>
    public void Enqueue(PairRecord pair)
    {
        if (_queue.Writer.TryWrite(pair))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        if (Interlocked.Increment(ref _dropped) % 10_000 == 1)
        {
            LogDropped(1, "queue full");
        }
    }

    /// <summary>Waits until every row queued so far is written (or dropped).</summary>
    public async ValueTask FlushAsync(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _enqueued);
        var deadline = _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
        while (Interlocked.Read(ref _handled) < target)
        {
            if (_timeProvider.GetTimestamp() > deadline)
            {
                throw new TimeoutException("The experiment pairs did not reach the database in time.");
            }

            await Task.Delay(10);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var prune = PruneLoopAsync(stoppingToken);
        var batch = new List<PairRecord>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var pair))
            {
                batch.Add(pair);
            }

            await PersistAsync(batch, stoppingToken);
            Interlocked.Add(ref _handled, batch.Count);
            batch.Clear();
        }

        await prune;
    }

    /// <summary>The experiment's pairs in [from, to), oldest first, at most <paramref name="limit"/>; of one source (<c>live</c>, <c>replay:&lt;id&gt;</c>) or all.</summary>
    public Task<List<PairRecord>> PairsAsync(
        string experimentId, DateTimeOffset from, DateTimeOffset to, int limit, string? source, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => ReadPairsAsync(experimentId, from, to, limit, source, token), cancellationToken);

    private async Task<List<PairRecord>> ReadPairsAsync(
        string experimentId, DateTimeOffset from, DateTimeOffset to, int limit, string? source, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT " + Columns + " FROM experiment_pairs WHERE experiment_id = @e AND ts >= @from AND ts < @to" +
            (source is null ? "" : source == "replay" ? " AND source LIKE 'replay:%'" : " AND source = @source") + " ORDER BY ts, request_id LIMIT @limit");
        Add(command, "@e", experimentId);
        if (source is not null and not "replay")
        {
            Add(command, "@source", source);
        }

        Add(command, "@from", from.ToUnixTimeMilliseconds());
        Add(command, "@to", to.ToUnixTimeMilliseconds());
        Add(command, "@limit", limit);
        var pairs = new List<PairRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs.Add(Read(reader));
        }

        return pairs;
    }

    /// <summary>Shadow spend of the experiment on a UTC day, in USD, as written so far (every replica's).</summary>
    public Task<decimal> SpentAsync(string experimentId, DateOnly day, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => ReadSpentAsync(experimentId, day, token), cancellationToken);

    private async Task<decimal> ReadSpentAsync(string experimentId, DateOnly day, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT COALESCE(SUM(candidate_cost_nano + evaluation_cost_nano), 0) FROM experiment_pairs WHERE experiment_id = @e AND day = @day");
        Add(command, "@e", experimentId);
        Add(command, "@day", Day(day));
        var nano = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        return nano / 1_000_000_000m;
    }

    private async Task PersistAsync(List<PairRecord> batch, CancellationToken stoppingToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _ledger.RunAsync(_ => WriteAsync(batch), CancellationToken.None);
                return;
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException or InvalidOperationException)
            {
                if (attempt >= Attempts || stoppingToken.IsCancellationRequested)
                {
                    Interlocked.Add(ref _dropped, batch.Count);
                    LogDropped(batch.Count, ex.GetType().Name);
                    return;
                }

                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(attempt), _timeProvider, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    // Shutting down: one last attempt.
                }
            }
        }
    }

    private async Task<bool> WriteAsync(List<PairRecord> batch)
    {
        await using var connection = await _ledger.OpenConnectionAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await using var insert = Command(connection, transaction, InsertSql);
        var parameters = new DbParameter[ColumnCount];
        for (var i = 0; i < ColumnCount; i++)
        {
            parameters[i] = insert.CreateParameter();
            parameters[i].ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
            insert.Parameters.Add(parameters[i]);
        }

        foreach (var pair in batch)
        {
            var values = Values(pair);
            for (var i = 0; i < ColumnCount; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
        return true;
    }

    private async Task PruneLoopAsync(CancellationToken stoppingToken)
    {
        while (_options.RetentionDays > 0 && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromHours(1), _timeProvider, stoppingToken);
                var cutoff = _timeProvider.GetUtcNow().UtcDateTime.Date.AddDays(-_options.RetentionDays);
                await _ledger.RunAsync(token => PruneAsync(new DateTimeOffset(cutoff, TimeSpan.Zero), token), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is DbException or IOException or TimeoutException or InvalidOperationException)
            {
                LogDropped(0, "prune failed: " + ex.GetType().Name);
            }
        }
    }

    private async Task<int> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var delete = Command(connection, null, "DELETE FROM experiment_pairs WHERE ts < @cutoff");
        Add(delete, "@cutoff", cutoff.ToUnixTimeMilliseconds());
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    private static object?[] Values(PairRecord p) =>
    [
        p.ExperimentId, p.RequestId, p.CandidateDeployment, p.Source, p.Timestamp.ToUnixTimeMilliseconds(), Day(DateOnly.FromDateTime(p.Timestamp.UtcDateTime)),
        p.KeyId, p.TeamId, p.Model, p.Protocol, p.Stream, p.SampleRate, p.Outcome,
        p.LiveDeployment, p.LiveFailure, p.LiveLatencyMs, p.LiveTtftMs, p.LivePromptTokens, p.LiveCompletionTokens, QuotaService.ToNano(p.LiveCostUsd),
        p.CandidateFailure, p.CandidateLatencyMs, p.CandidateTtftMs, p.CandidatePromptTokens, p.CandidateCompletionTokens, QuotaService.ToNano(p.CandidateCostUsd),
        QuotaService.ToNano(p.EvaluationCostUsd), p.ToolExpected, p.ToolSameFunction, p.ToolArgumentsEqual, p.ToolArgumentsValid, p.SchemaExpected,
        p.LiveSchemaValid, p.CandidateSchemaValid, p.TextExactMatch, p.LengthRatio, p.Similarity, p.JudgeVerdict, p.JudgeCandidatePosition,
    ];

    private static PairRecord Read(DbDataReader r)
    {
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        double? Real(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
        bool? Flag(int i) => r.IsDBNull(i) ? null : r.GetBoolean(i);
        decimal Usd(int i) => r.GetInt64(i) / 1_000_000_000m;
        return new PairRecord
        {
            ExperimentId = r.GetString(0),
            RequestId = r.GetString(1),
            CandidateDeployment = r.GetString(2),
            Source = r.GetString(3),
            Timestamp = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)),
            KeyId = r.GetString(6),
            TeamId = r.GetString(7),
            Model = r.GetString(8),
            Protocol = r.GetString(9),
            Stream = r.GetBoolean(10),
            SampleRate = r.GetDouble(11),
            Outcome = r.GetString(12),
            LiveDeployment = r.GetString(13),
            LiveFailure = Text(14),
            LiveLatencyMs = r.GetDouble(15),
            LiveTtftMs = Real(16),
            LivePromptTokens = r.GetInt32(17),
            LiveCompletionTokens = r.GetInt32(18),
            LiveCostUsd = Usd(19),
            CandidateFailure = Text(20),
            CandidateLatencyMs = Real(21),
            CandidateTtftMs = Real(22),
            CandidatePromptTokens = r.GetInt32(23),
            CandidateCompletionTokens = r.GetInt32(24),
            CandidateCostUsd = Usd(25),
            EvaluationCostUsd = Usd(26),
            ToolExpected = Flag(27),
            ToolSameFunction = Flag(28),
            ToolArgumentsEqual = Flag(29),
            ToolArgumentsValid = Flag(30),
            SchemaExpected = r.GetBoolean(31),
            LiveSchemaValid = Flag(32),
            CandidateSchemaValid = Flag(33),
            TextExactMatch = Flag(34),
            LengthRatio = Real(35),
            Similarity = Real(36),
            JudgeVerdict = Text(37),
            JudgeCandidatePosition = r.IsDBNull(38) ? null : r.GetInt32(38),
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    [LoggerMessage(EventId = 2703, Level = LogLevel.Warning, Message = "{Count} experiment pair rows dropped ({Reason})")]
    private partial void LogDropped(int count, string reason);
}
