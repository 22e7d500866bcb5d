using System.Globalization;
using ModelGateway.Configuration;
using StackExchange.Redis;
using ModelGateway.Requests;

namespace ModelGateway.Quotas;

/// <summary>
/// Admits requests against the limits of their key, their team and their team's model: checks the key's model
/// allow-list, estimates tokens and the maximum cost over the routing plan's candidates, and reserves both in the
/// store in one atomic call. With no limits on any of its scopes a request costs no store call at all.
/// When Redis fails or is slow, <c>fail-open</c> enforces in this replica's memory and <c>fail-closed</c> answers 503;
/// the reservation Redis may still run later is withdrawn by <see cref="QuotaCompensator"/>, off the request path.
/// </summary>
internal sealed class QuotaService : IQuotaService
{
    private const decimal NanoPerUsd = 1_000_000_000m;

    private readonly QuotaStores _stores;
    private readonly TimeProvider _timeProvider;
    private readonly QuotaMetrics _metrics;
    private readonly QuotaStoreHealth _health;
    private readonly QuotaCompensator _compensator;
    private readonly QuotaHolds _holds;

    public QuotaService(QuotaStores stores, TimeProvider timeProvider, QuotaMetrics metrics, QuotaStoreHealth health, QuotaCompensator compensator,
        QuotaHolds holds)
    {
        _stores = stores;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _health = health;
        _compensator = compensator;
        _holds = holds;
    }

    public async ValueTask<QuotaReservation> ReserveAsync(QuotaRequest request, CancellationToken cancellationToken)
    {
        var gatewayRequest = request.Request;
        var config = gatewayRequest.Snapshot.Config;
        var settings = config.Quotas;
        var scopes = Scopes(gatewayRequest.Caller.Key, config, gatewayRequest.Model);
        if (scopes.Length == 0)
        {
            return Unlimited.Instance;
        }

        // The request's one estimate (the classification step's); the allow-list was checked at the front door.
        var prompt = gatewayRequest.PromptTokens;

        var ask = Ask(request, settings, QuotaScope.GroupOf(gatewayRequest.Caller.Key!), scopes, prompt);
        var store = _stores.Primary;
        QuotaDecision decision;
        try
        {
            decision = await store.ReserveAsync(ask, cancellationToken);
            if (_stores.IsShared)
            {
                _health.Answered();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away, but Redis may still run the reservation: withdraw it.
            _compensator.Withdraw(ask);
            throw;
        }
        catch (Exception ex) when (IsStoreFailure(ex, cancellationToken))
        {
            // Redis may still run the reservation (it was sent, or queued there): withdraw it once Redis answers.
            _compensator.Withdraw(ask);
            var mode = Mode(settings);
            _metrics.StoreFailed("reserve", mode);
            _metrics.Degraded(mode);
            _health.Failed("reserve", mode, ex, request: true);
            if (settings.FailClosed)
            {
                return new Refused(QuotaErrors.StoreUnavailable());
            }

            store = _stores.Local;
            decision = await store.ReserveAsync(ask, cancellationToken);
        }

        if (!decision.Admitted)
        {
            _metrics.Rejected(decision.Verdict);
            return new Refused(QuotaErrors.For(ask, decision), decision);
        }

        return new Held(this, _holds.Open(store, ask), decision, Mode(settings));
    }

    private static QuotaScope[] Scopes(ClientKey? key, GatewayConfig config, string model)
    {
        if (key is null)
        {
            return [];
        }

        var team = key.Team is null ? null : config.Teams.GetValueOrDefault(key.Team);
        var teamModel = team?.Models.GetValueOrDefault(model);
        var count = (key.Limits.IsUnlimited ? 0 : 1) + (team is null || team.Limits.IsUnlimited ? 0 : 1) + (teamModel is null || teamModel.IsUnlimited ? 0 : 1);
        if (count == 0)
        {
            return [];
        }

        var scopes = new QuotaScope[count];
        var at = 0;
        if (!key.Limits.IsUnlimited)
        {
            scopes[at++] = new QuotaScope(QuotaScope.ForKey(key.Id), key.Limits);
        }

        if (team is not null && !team.Limits.IsUnlimited)
        {
            scopes[at++] = new QuotaScope(QuotaScope.ForTeam(team.Id), team.Limits);
        }

        if (teamModel is not null && !teamModel.IsUnlimited)
        {
            scopes[at] = new QuotaScope(QuotaScope.ForTeamModel(team!.Id, model), teamModel);
        }

        return scopes;
    }

    private QuotaAsk Ask(QuotaRequest request, QuotaSettings settings, string group, QuotaScope[] scopes, int prompt)
    {
        // Reserve for the worst candidate: the most output tokens any may produce at the highest price.
        var requested = request.Request.Operation != Operation.Embeddings ? request.Request.MaxOutputTokens ?? settings.DefaultMaxOutputTokens : 0;
        var maxOutput = 0;
        var maxCost = 0m;
        foreach (var deployment in request.Plan.Candidates)
        {
            var output = deployment.Config.ContextWindow is { } window ? Math.Clamp(window - prompt, 0, requested) : requested;
            maxOutput = Math.Max(maxOutput, output);
            maxCost = Math.Max(maxCost, deployment.Config.Price.CostOf(new Requests.TokenUsage(prompt, 0, output, 0)));
        }

        var now = _timeProvider.GetUtcNow();
        return new QuotaAsk
        {
            ReservationId = request.Request.Id,
            NowMs = now.ToUnixTimeMilliseconds(),
            Group = group,
            Scopes = scopes,
            Tokens = prompt + maxOutput,
            NanoUsd = ToNano(maxCost, MidpointRounding.ToPositiveInfinity),
            WindowMs = (long)settings.Window.TotalMilliseconds,
            HoldMs = (long)settings.ReservationTimeout.TotalMilliseconds,
            Day = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
            Month = now.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture),
        };
    }

    public static long ToNano(decimal usd, MidpointRounding rounding = MidpointRounding.AwayFromZero) =>
        (long)decimal.Round(usd * NanoPerUsd, 0, rounding);

    private async ValueTask SettleAsync(IQuotaStore store, QuotaAsk ask, QuotaDecision decision, long tokens, decimal costUsd, string mode)
    {
        var nano = ToNano(costUsd);
        try
        {
            await store.SettleAsync(ask, decision, tokens, nano, CancellationToken.None);
            if (_stores.IsShared && ReferenceEquals(store, _stores.Primary))
            {
                _health.Answered();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Any failure (nothing awaits this on the request path): retried off it, idempotently; the ledger has the
            // request either way.
            _compensator.Settle(ask, decision, tokens, nano);
            _metrics.StoreFailed("settle", mode);
            _health.Failed("settle", mode, ex, request: false);
        }
    }

    internal static bool IsStoreFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is RedisException or TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Mode(QuotaSettings settings) => settings.FailClosed ? "fail-closed" : "fail-open";

    private sealed class Refused : QuotaReservation
    {
        public Refused(GatewayError rejection, QuotaDecision? limits = null)
        {
            Rejection = rejection;
            Limits = limits;
        }

        public override ValueTask SettleAsync(Deployment? servedBy, Requests.TokenUsage? usage, decimal costUsd) => ValueTask.CompletedTask;
    }

    private sealed class Unlimited : QuotaReservation
    {
        public static readonly Unlimited Instance = new();

        public override ValueTask SettleAsync(Deployment? servedBy, Requests.TokenUsage? usage, decimal costUsd) => ValueTask.CompletedTask;
    }

    private sealed class Held : QuotaReservation
    {
        private readonly QuotaService _service;
        private readonly OpenHold _hold;
        private readonly QuotaDecision _decision;
        private readonly string _mode;

        public Held(QuotaService service, OpenHold hold, QuotaDecision decision, string mode)
        {
            _service = service;
            _hold = hold;
            _decision = decision;
            _mode = mode;
            Limits = decision;
        }

        public override async ValueTask SettleAsync(Deployment? servedBy, Requests.TokenUsage? usage, decimal costUsd)
        {
            if (!_hold.TryClaim())
            {
                // Shutdown released it already: this request outlived the drain and its settlement window.
                return;
            }

            try
            {
                await _service.SettleAsync(_hold.Store, _hold.Ask, _decision, servedBy is null ? 0 : usage?.TotalTokens ?? 0, servedBy is null ? 0m : costUsd, _mode);
            }
            finally
            {
                // Only now: shutdown waits for the list to empty before Redis closes.
                _service._holds.Close(_hold);
            }
        }
    }
}
