namespace ModelGateway.Accounting;

/// <summary>One group of a spend report: the values of the grouped dimensions (in query order; null for no team) and the sums.</summary>
public sealed record SpendRow(string?[] Values, long Requests, TokenTotals Tokens, decimal CostUsd);
