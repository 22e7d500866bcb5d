namespace ModelGateway.Quotas;

/// <summary>The store's answer to a reservation. The numbers match the codes the Redis script returns.</summary>
internal enum QuotaVerdict
{
    Admitted = 0,

    /// <summary>Requests per window used up; waiting for the window helps.</summary>
    Requests = 1,

    /// <summary>The request alone needs more tokens than the window allows; waiting does not help.</summary>
    TokensTooLarge = 2,

    /// <summary>Tokens per window used up; waiting for the window helps.</summary>
    Tokens = 3,

    /// <summary>Too many requests in flight.</summary>
    Concurrency = 4,

    /// <summary>The budget is held by requests in flight; it may free up when they settle.</summary>
    BudgetHeld = 5,

    /// <summary>The daily USD budget is spent.</summary>
    BudgetDay = 6,

    /// <summary>The monthly USD budget is spent.</summary>
    BudgetMonth = 7,

    /// <summary>The reservation was released (its caller gave up on it) before the store ran it: nothing is held.</summary>
    Withdrawn = 8,
}
