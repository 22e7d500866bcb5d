namespace ModelGateway.Quotas;

/// <summary>
/// The embedded store: the same rules as <see cref="RedisQuotaStore"/>, under one lock in process memory. It serves
/// a single instance, and is each replica's local fallback while Redis is unreachable in <c>fail-open</c> mode.
/// </summary>
internal sealed class InMemoryQuotaStore : IQuotaStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RateWindow> _windows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _inFlight = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Spend> _spend = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Hold> _holds = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, long> _expiries = new();
    private readonly Dictionary<string, long> _released = new(StringComparer.Ordinal);
    private string _currentMonth = string.Empty;

    public ValueTask<QuotaDecision> ReserveAsync(QuotaAsk ask, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ReleaseExpired(ask.NowMs);
            PruneOldPeriods(ask.Month);
            return ValueTask.FromResult(Reserve(ask));
        }
    }

    public ValueTask SettleAsync(QuotaAsk ask, QuotaDecision decision, long actualTokens, long actualNanoUsd, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var held = _holds.Remove(ask.ReservationId, out var hold);
            for (var i = 0; i < ask.Scopes.Length; i++)
            {
                var scope = ask.Scopes[i].Name;
                if (held)
                {
                    Release(scope, hold!);
                }

                var day = SpendOf(DayKey(scope, ask.Day));
                var month = SpendOf(MonthKey(scope, ask.Month));
                day.Spent += actualNanoUsd;
                month.Spent += actualNanoUsd;
                if (_windows.TryGetValue(scope, out var window) && window.Start == decision.WindowStarts[i])
                {
                    window.Tokens += actualTokens - ask.Tokens;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> ReleaseAsync(QuotaAsk ask, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_holds.Remove(ask.ReservationId, out var hold))
            {
                foreach (var scope in hold.Scopes)
                {
                    Release(scope, hold);
                }
            }

            // The tombstone leaves with the expiry the hold would have had.
            _released[ask.ReservationId] = ask.NowMs + ask.HoldMs;
            _expiries.Enqueue(ask.ReservationId, ask.NowMs + ask.HoldMs);
            return ValueTask.FromResult(hold is not null);
        }
    }

    public ValueTask<ScopeUsage> ReadAsync(string group, string scope, string day, string month, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _spend.TryGetValue(DayKey(scope, day), out var d);
            _spend.TryGetValue(MonthKey(scope, month), out var m);
            _inFlight.TryGetValue(scope, out var inFlight);
            return ValueTask.FromResult(new ScopeUsage(d?.Spent ?? 0, d?.Held ?? 0, m?.Spent ?? 0, m?.Held ?? 0, inFlight));
        }
    }

    private QuotaDecision Reserve(QuotaAsk ask)
    {
        var now = ask.NowMs;
        var window = ask.WindowMs;
        var count = ask.Scopes.Length;
        var starts = new long[count];
        var requests = new long[count];
        var tokens = new long[count];
        if (_released.ContainsKey(ask.ReservationId))
        {
            Array.Fill(starts, now);
            return QuotaRules.Decide(ask, QuotaVerdict.Withdrawn, -1, 0, starts, requests, tokens);
        }

        var verdict = QuotaVerdict.Admitted;
        var culprit = -1;
        long retry = 0;

        for (var i = 0; i < count; i++)
        {
            var (name, limits) = ask.Scopes[i];
            if (_windows.TryGetValue(name, out var current) && now < current.Start + window)
            {
                (starts[i], requests[i], tokens[i]) = (current.Start, current.Requests, current.Tokens);
            }
            else
            {
                starts[i] = now;
            }

            if (verdict != QuotaVerdict.Admitted)
            {
                continue;
            }

            var day = SpendOf(DayKey(name, ask.Day));
            var month = SpendOf(MonthKey(name, ask.Month));
            _inFlight.TryGetValue(name, out var inFlight);
            (verdict, retry) = QuotaRules.Check(
                limits, now, window, starts[i], requests[i], tokens[i], inFlight, ask.Tokens, ask.NanoUsd, day.Spent, day.Held, month.Spent, month.Held);
            if (verdict != QuotaVerdict.Admitted)
            {
                culprit = i;
            }
        }

        var admitted = verdict == QuotaVerdict.Admitted;
        if (admitted)
        {
            var hold = new Hold(ask.NanoUsd, [.. ask.Scopes.Select(s => s.Name)], ask.Day, ask.Month, now + ask.HoldMs);
            for (var i = 0; i < count; i++)
            {
                var name = ask.Scopes[i].Name;
                if (!_windows.TryGetValue(name, out var current) || current.Start != starts[i])
                {
                    _windows[name] = current = new RateWindow { Start = starts[i] };
                }

                current.Requests++;
                current.Tokens += ask.Tokens;
                requests[i]++;
                tokens[i] += ask.Tokens;
                _inFlight[name] = _inFlight.GetValueOrDefault(name) + 1;
                SpendOf(DayKey(name, ask.Day)).Held += ask.NanoUsd;
                SpendOf(MonthKey(name, ask.Month)).Held += ask.NanoUsd;
            }

            _holds[ask.ReservationId] = hold;
            _expiries.Enqueue(ask.ReservationId, hold.ExpiresMs);
        }

        return QuotaRules.Decide(ask, verdict, culprit, retry, starts, requests, tokens);
    }

    private void ReleaseExpired(long now)
    {
        while (_expiries.TryPeek(out var id, out var expires) && expires <= now)
        {
            _expiries.Dequeue();
            if (_released.TryGetValue(id, out var tombstone) && tombstone <= now)
            {
                _released.Remove(id);
            }

            if (_holds.Remove(id, out var hold))
            {
                foreach (var scope in hold.Scopes)
                {
                    Release(scope, hold);
                }
            }
        }
    }

    private void Release(string scope, Hold hold)
    {
        if (_inFlight.TryGetValue(scope, out var inFlight) && inFlight > 0)
        {
            _inFlight[scope] = inFlight - 1;
        }

        SpendOf(DayKey(scope, hold.Day)).Held -= hold.NanoUsd;
        SpendOf(MonthKey(scope, hold.Month)).Held -= hold.NanoUsd;
    }

    /// <summary>Once a month, forget periods that can no longer be charged, so a long-running instance does not grow.</summary>
    private void PruneOldPeriods(string month)
    {
        if (string.Equals(month, _currentMonth, StringComparison.Ordinal))
        {
            return;
        }

        _currentMonth = month;
        foreach (var key in _spend.Keys.ToArray())
        {
            if (!key.Contains("|m|" + month, StringComparison.Ordinal) && !key.Contains("|d|" + month, StringComparison.Ordinal))
            {
                _spend.Remove(key);
            }
        }
    }

    private Spend SpendOf(string key)
    {
        if (!_spend.TryGetValue(key, out var spend))
        {
            _spend[key] = spend = new Spend();
        }

        return spend;
    }

    private static string DayKey(string scope, string day) => scope + "|d|" + day;

    private static string MonthKey(string scope, string month) => scope + "|m|" + month;

    private sealed class RateWindow
    {
        public long Start { get; init; }

        public long Requests { get; set; }

        public long Tokens { get; set; }
    }

    private sealed class Spend
    {
        public long Spent { get; set; }

        public long Held { get; set; }
    }

    private sealed record Hold(long NanoUsd, string[] Scopes, string Day, string Month, long ExpiresMs);
}
