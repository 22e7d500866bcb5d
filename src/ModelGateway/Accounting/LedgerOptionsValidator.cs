using Microsoft.Extensions.Options;

namespace ModelGateway.Accounting;

/// <summary>Checks <c>Ledger</c> across fields: a known provider, and for PostgreSQL a readable connection-string reference.</summary>
internal sealed class LedgerOptionsValidator : IValidateOptions<LedgerOptions>
{
    private const string Prefix = "ModelGateway:Ledger";

    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        if (!string.Equals(options.Provider, "sqlite", StringComparison.OrdinalIgnoreCase) && !IsPostgres(options))
        {
            return ValidateOptionsResult.Fail($"{Prefix}:Provider '{options.Provider}' is not one of: sqlite, postgres.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return ValidateOptionsResult.Fail($"{Prefix}:DataDirectory must name a directory.");
        }

        return IsPostgres(options) && ReadReference(options.ConnectionString, out var error) is null
            ? ValidateOptionsResult.Fail(error)
            : ValidateOptionsResult.Success;
    }

    public static bool IsPostgres(LedgerOptions options) => string.Equals(options.Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads an <c>env:NAME</c> or <c>file:/path</c> reference, as provider credentials are read; never echoes a literal.</summary>
    public static string? ReadReference(string? reference, out string error)
    {
        error = "";
        if (reference is not null && reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var value = Environment.GetEnvironmentVariable(reference[4..]);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }

            error = $"{Prefix}:ConnectionString refers to environment variable '{reference[4..]}', which is not set.";
            return null;
        }

        if (reference is not null && reference.StartsWith("file:", StringComparison.Ordinal))
        {
            try
            {
                return File.ReadAllText(reference[5..]).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = $"{Prefix}:ConnectionString file '{reference[5..]}' cannot be read: {ex.GetType().Name}.";
                return null;
            }
        }

        error = $"{Prefix}:ConnectionString must be 'env:NAME' or 'file:/path' when Provider is postgres (a literal connection string is not accepted).";
        return null;
    }
}
