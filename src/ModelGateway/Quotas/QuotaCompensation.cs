namespace ModelGateway.Quotas;

/// <summary>
/// A Redis call the request path gave up on: a reservation to withdraw (<see cref="Decision"/> is null) or a
/// settlement to retry with the real usage.
/// </summary>
internal sealed record QuotaCompensation(QuotaAsk Ask, QuotaDecision? Decision, long Tokens, long NanoUsd);
