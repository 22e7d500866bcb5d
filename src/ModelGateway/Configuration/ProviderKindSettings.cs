namespace ModelGateway.Configuration;

/// <summary>Validates the provider fields that only some kinds use, and fills in their defaults.</summary>
internal static class ProviderKindSettings
{
    public const string DefaultAnthropicVersion = "2023-06-01";
    public const string DefaultAzureApiVersion = "2024-10-21";

    private static readonly System.Buffers.SearchValues<char> VersionCharacters =
        System.Buffers.SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz-.");

    public static (string? ApiVersion, AzureApiSurface Surface) Validate(string prefix, ProviderKind kind, ProviderOptions provider, List<string> errors)
    {
        var surface = AzureApiSurface.Deployments;
        switch (provider.ApiSurface)
        {
            case null or "deployments":
                break;
            case "v1" when kind == ProviderKind.AzureOpenAi:
                surface = AzureApiSurface.V1;
                break;
            default:
                errors.Add(kind == ProviderKind.AzureOpenAi
                    ? $"{prefix}:ApiSurface '{provider.ApiSurface}' is not one of: deployments, v1."
                    : $"{prefix}:ApiSurface is only used by azure-openai providers.");
                break;
        }

        if (provider.ApiVersion is { } version
            && (version.Length == 0 || version.Length > 64 || version.AsSpan().ContainsAnyExcept(VersionCharacters)))
        {
            errors.Add($"{prefix}:ApiVersion '{version}' must be a version such as 2024-10-21 (digits, lower-case letters, '-' and '.').");
        }

        var apiVersion = kind switch
        {
            ProviderKind.Anthropic => provider.ApiVersion ?? DefaultAnthropicVersion,
            ProviderKind.AzureOpenAi => provider.ApiVersion ?? DefaultAzureApiVersion,
            _ => provider.ApiVersion,
        };
        return (apiVersion, surface);
    }

    /// <summary>The provider's dialect: the one it names (only the <c>openai</c> kind may), else the default for its host.</summary>
    public static ProviderDialect ValidateDialect(string prefix, ProviderKind kind, Uri? baseUrl, ProviderOptions provider, List<string> errors)
    {
        if (provider.Dialect is null)
        {
            return DialectNames.Default(kind, baseUrl);
        }

        if (!DialectNames.TryParse(provider.Dialect, out var dialect))
        {
            errors.Add($"{prefix}:Dialect '{provider.Dialect}' is not one of: {DialectNames.Expected}.");
        }
        else if (kind != ProviderKind.OpenAi && dialect != ProviderDialect.OpenAi)
        {
            errors.Add($"{prefix}:Dialect is only used by openai providers (other kinds speak their own format).");
        }

        return dialect;
    }
}
