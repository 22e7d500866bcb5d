using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// The quota rules, run against both stores: the same tests for Redis (real redis-server) and for memory. Time is
/// the ask's own clock, so windows and expiries are stepped explicitly instead of waited for.
/// </summary>
public abstract class QuotaStoreTests : IAsyncLifetime
{
    private const long Start = 1_750_000_000_000;
    private const long Window = 60_000;

    /// <summary>Every ask of these tests is in one quota group, as a team's key, team and team model are.</summary>
    private const string Group = "team:t";
    private int _next;

    private protected IQuotaStore Store { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    [Fact]
    public async Task Requests_per_window_admit_exactly_the_limit_then_reset_with_the_window()
    {
        var scopes = Scope("key:a", new QuotaLimits(3, null, null, null, null));
        for (var i = 0; i < 3; i++)
        {
            var admitted = await ReserveAsync(scopes, Start + i);
            Assert.True(admitted.Admitted);
            Assert.Equal(3, admitted.RequestLimit);
            Assert.Equal(2 - i, admitted.RequestsRemaining);
        }

        var refused = await ReserveAsync(scopes, Start + 10_000);
        Assert.Equal(QuotaVerdict.Requests, refused.Verdict);
        Assert.Equal(Window - 10_000, refused.RetryAfterMs);
        Assert.Equal(0, refused.RequestsRemaining);

        Assert.True((await ReserveAsync(scopes, Start + Window)).Admitted);
    }

    [Fact]
    public async Task Tokens_are_reserved_then_corrected_by_the_real_usage()
    {
        var scopes = Scope("key:t", new QuotaLimits(null, 1000, null, null, null));
        var ask = Ask(scopes, Start, tokens: 600);
        var first = await Store.ReserveAsync(ask, default);
        Assert.True(first.Admitted);
        Assert.Equal(400, first.TokensRemaining);

        Assert.Equal(QuotaVerdict.Tokens, (await ReserveAsync(scopes, Start + 1, tokens: 600)).Verdict);

        // The request really used 100 tokens: 500 come back to the window.
        await Store.SettleAsync(ask, first, 100, 0, default);
        var second = await ReserveAsync(scopes, Start + 2, tokens: 600);
        Assert.True(second.Admitted);
        Assert.Equal(300, second.TokensRemaining);

        var tooLarge = await ReserveAsync(scopes, Start + 3, tokens: 1001);
        Assert.Equal(QuotaVerdict.TokensTooLarge, tooLarge.Verdict);
    }

    [Fact]
    public async Task Concurrent_requests_are_limited_until_one_settles()
    {
        var scopes = Scope("key:c", new QuotaLimits(null, null, 2, null, null));
        var a = Ask(scopes, Start);
        var first = await Store.ReserveAsync(a, default);
        Assert.True(first.Admitted);
        Assert.True((await ReserveAsync(scopes, Start)).Admitted);
        Assert.Equal(QuotaVerdict.Concurrency, (await ReserveAsync(scopes, Start)).Verdict);

        await Store.SettleAsync(a, first, 0, 0, default);
        Assert.True((await ReserveAsync(scopes, Start)).Admitted);
        Assert.Equal(2, (await Store.ReadAsync(Group, "key:c", "20250615", "202506", default)).InFlight);
    }

    [Fact]
    public async Task A_budget_held_by_requests_in_flight_is_retryable_and_a_spent_one_is_not()
    {
        var scopes = Scope("team:b", new QuotaLimits(null, null, null, 1000, null));
        var a = Ask(scopes, Start, nano: 600);
        var held = await Store.ReserveAsync(a, default);
        Assert.True(held.Admitted);

        var busy = await ReserveAsync(scopes, Start, nano: 600);
        Assert.Equal(QuotaVerdict.BudgetHeld, busy.Verdict);
        Assert.True(busy.RetryAfterMs > 0);

        await Store.SettleAsync(a, held, 0, 500, default);
        var usage = await Store.ReadAsync(Group, "team:b", "20250615", "202506", default);
        Assert.Equal(new ScopeUsage(500, 0, 500, 0, 0), usage);

        Assert.Equal(QuotaVerdict.BudgetDay, (await ReserveAsync(scopes, Start, nano: 600)).Verdict);
        Assert.True((await ReserveAsync(scopes, Start, nano: 500)).Admitted);
    }

    [Fact]
    public async Task Monthly_budget_counts_every_day_of_the_month()
    {
        var scopes = Scope("key:m", new QuotaLimits(null, null, null, null, 1000));
        var a = Ask(scopes, Start, nano: 800);
        await Store.SettleAsync(a, await Store.ReserveAsync(a, default), 0, 800, default);

        var nextDay = Ask(scopes, Start + 86_400_000, nano: 300, day: "20250616");
        Assert.Equal(QuotaVerdict.BudgetMonth, (await Store.ReserveAsync(nextDay, default)).Verdict);
    }

    [Fact]
    public async Task Reservations_of_requests_that_died_expire_and_release_their_hold()
    {
        var scopes = Scope("key:d", new QuotaLimits(null, null, 1, 1000, null));
        Assert.True((await Store.ReserveAsync(Ask(scopes, Start, nano: 900, holdMs: 5_000), default)).Admitted);
        Assert.Equal(QuotaVerdict.Concurrency, (await ReserveAsync(scopes, Start + 4_999, nano: 900)).Verdict);

        // Nobody settled: after the hold time the next reservation releases it first.
        Assert.True((await ReserveAsync(scopes, Start + 5_000, nano: 900)).Admitted);
        var usage = await Store.ReadAsync(Group, "key:d", "20250615", "202506", default);
        Assert.Equal(900, usage.HeldDayNano);
        Assert.Equal(1, usage.InFlight);
    }

    [Fact]
    public async Task Settling_an_expired_reservation_charges_without_releasing_twice()
    {
        var scopes = Scope("key:e", new QuotaLimits(null, null, 5, 10_000, null));
        var a = Ask(scopes, Start, nano: 900, holdMs: 1_000);
        var decision = await Store.ReserveAsync(a, default);
        await ReserveAsync(scopes, Start + 2_000, nano: 100);
        await Store.SettleAsync(a, decision, 0, 700, default);

        var usage = await Store.ReadAsync(Group, "key:e", "20250615", "202506", default);
        Assert.Equal(new ScopeUsage(700, 100, 700, 100, 1), usage);
    }

    [Fact]
    public async Task A_refusal_by_one_scope_counts_nothing_in_the_others()
    {
        QuotaScope[] scopes =
        [
            new("key:x", new QuotaLimits(10, null, null, null, null)),
            new("team:x", new QuotaLimits(1, null, null, null, null)),
        ];
        Assert.True((await ReserveAsync(scopes, Start)).Admitted);
        var refused = await ReserveAsync(scopes, Start + 1);
        Assert.Equal(QuotaVerdict.Requests, refused.Verdict);
        Assert.Equal(1, refused.Scope);

        // Only one request counted against the key; the headers show the tighter team window.
        var keyOnly = await ReserveAsync(scopes[..1], Start + 2);
        Assert.Equal(8, keyOnly.RequestsRemaining);
        Assert.Equal(0, refused.RequestsRemaining);
    }

    [Fact]
    public async Task A_release_that_arrives_before_its_reservation_makes_it_hold_nothing_and_releasing_again_changes_nothing()
    {
        var scopes = Scope("team:w", new QuotaLimits(null, null, 1, 1000, null));
        var late = Ask(scopes, Start, nano: 900);

        // The caller gave up and compensated before the store ran its reservation.
        Assert.False(await Store.ReleaseAsync(late, default));
        var decision = await Store.ReserveAsync(late, default);
        Assert.Equal(QuotaVerdict.Withdrawn, decision.Verdict);
        Assert.False(await Store.ReleaseAsync(late, default));
        Assert.Equal(new ScopeUsage(0, 0, 0, 0, 0), await Store.ReadAsync(Group, "team:w", "20250615", "202506", default));

        // The slot and the budget are free for the next request; releasing it (twice) frees them again.
        var next = Ask(scopes, Start + 1, nano: 900);
        Assert.True((await Store.ReserveAsync(next, default)).Admitted);
        Assert.Equal(new ScopeUsage(0, 900, 0, 900, 1), await Store.ReadAsync(Group, "team:w", "20250615", "202506", default));
        Assert.True(await Store.ReleaseAsync(next, default));
        Assert.False(await Store.ReleaseAsync(next, default));
        Assert.Equal(new ScopeUsage(0, 0, 0, 0, 0), await Store.ReadAsync(Group, "team:w", "20250615", "202506", default));
        Assert.True((await ReserveAsync(scopes, Start + 2, nano: 900)).Admitted);
    }

    private async Task<QuotaDecision> ReserveAsync(QuotaScope[] scopes, long now, long tokens = 10, long nano = 1) =>
        await Store.ReserveAsync(Ask(scopes, now, tokens, nano), default);

    private QuotaAsk Ask(QuotaScope[] scopes, long now, long tokens = 10, long nano = 1, long holdMs = 600_000, string day = "20250615") => new()
    {
        ReservationId = "r" + Interlocked.Increment(ref _next),
        NowMs = now,
        Group = Group,
        Scopes = scopes,
        Tokens = tokens,
        NanoUsd = nano,
        WindowMs = Window,
        HoldMs = holdMs,
        Day = day,
        Month = "202506",
    };

    private static QuotaScope[] Scope(string name, QuotaLimits limits) => [new(name, limits)];
}

public sealed class InMemoryQuotaStoreTests : QuotaStoreTests
{
    public override Task InitializeAsync()
    {
        Store = new InMemoryQuotaStore();
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class RedisQuotaStoreTests : QuotaStoreTests
{
    private ConnectionMultiplexer? _redis;

    public override async Task InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(await RedisServer.SharedAddressAsync());
        Store = new RedisQuotaStore(_redis, RedisServer.NewPrefix(), TimeSpan.FromSeconds(5), TimeProvider.System);
    }

    public override async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
