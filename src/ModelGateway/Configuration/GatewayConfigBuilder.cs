using System.Collections.Immutable;
using System.Globalization;
using ModelGateway.Quotas;

namespace ModelGateway.Configuration;

/// <summary>
/// Validates bound <see cref="GatewayOptions"/> and builds a <see cref="GatewayConfig"/>. Every problem is
/// collected, so an operator fixes a file in one pass instead of one error per restart.
/// </summary>
internal static class GatewayConfigBuilder
{
    private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(120);

    public static GatewayConfig Build(GatewayOptions options, Func<string, string?> environment)
    {
        var errors = new List<string>();
        var config = TryBuild(options, environment, errors);
        if (errors.Count > 0)
        {
            throw new GatewayConfigException(errors);
        }

        return config!;
    }

    public static GatewayConfig? TryBuild(GatewayOptions options, Func<string, string?> environment, List<string> errors)
    {
        var providers = ImmutableDictionary.CreateBuilder<string, ProviderConfig>(StringComparer.Ordinal);
        foreach (var (id, provider) in options.Providers)
        {
            if (BuildProvider(id, provider, environment, errors) is { } built)
            {
                providers.Add(id, built);
            }
        }

        var deployments = ImmutableDictionary.CreateBuilder<string, DeploymentConfig>(StringComparer.Ordinal);
        foreach (var (id, deployment) in options.Deployments)
        {
            if (BuildDeployment(id, deployment, options.Providers, errors) is { } built)
            {
                deployments.Add(id, built);
            }
        }

        var publicModels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in options.Deployments.Values)
        {
            publicModels.UnionWith(deployment.Models);
        }

        foreach (var (alias, target) in options.Aliases)
        {
            if (publicModels.Contains(alias))
            {
                errors.Add($"Aliases:{alias}: '{alias}' is already a model served by a deployment; an alias must be a new name.");
            }
            else if (string.IsNullOrWhiteSpace(target) || !publicModels.Contains(target))
            {
                errors.Add($"Aliases:{alias}: target '{target}' is not a model served by any deployment.");
            }
        }

        var keys = ImmutableDictionary.CreateBuilder<string, ClientKey>(StringComparer.Ordinal);
        foreach (var (id, key) in options.Keys)
        {
            if (TryParseSha256(key.Sha256, out var hash))
            {
                keys.Add(id, new ClientKey(id, hash, key.Disabled));
            }
            else
            {
                errors.Add($"Keys:{id}:Sha256 must be 64 hex characters (the SHA-256 of the key; see 'hash-key' in docs/configuration.md).");
            }
        }

        var quotas = QuotaConfigBuilder.Build(options, keys, environment, errors);

        if (options.Limits.MaxRequestBodyBytes is < 1024 or > 1024L * 1024 * 1024)
        {
            errors.Add("Limits:MaxRequestBodyBytes must be between 1024 and 1073741824.");
        }

        if (options.Limits.MaxStreamEventBytes is < GatewayConfig.MinMaxStreamEventBytes or > GatewayConfig.MaxMaxStreamEventBytes)
        {
            errors.Add($"Limits:MaxStreamEventBytes must be between {GatewayConfig.MinMaxStreamEventBytes} and {GatewayConfig.MaxMaxStreamEventBytes}.");
        }

        if (options.Limits.StoredResponseRetention <= TimeSpan.Zero || options.Limits.StoredResponseRetention > ConfigSchema.MaxDuration)
        {
            errors.Add("Limits:StoredResponseRetention must be positive and at most 1.00:00:00.");
        }

        if (!ConfigNames.TryParseStoredResponseOwner(options.Limits.StoredResponseOwner, out var responseOwner))
        {
            errors.Add($"Limits:StoredResponseOwner '{options.Limits.StoredResponseOwner}' is not one of: key, team.");
        }

        var routing = ModelGateway.Routing.RoutingPolicyBuilder.TryBuild(options, options.Teams.Keys, errors);
        var capture = BuildCapture(options, errors);
        var experiments = ExperimentConfigBuilder.Build(options, options.Teams.Keys, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        return new GatewayConfig
        {
            Providers = providers.ToImmutable(),
            Deployments = deployments.ToImmutable(),
            Aliases = options.Aliases.ToImmutableDictionary(StringComparer.Ordinal),
            Keys = keys.ToImmutable(),
            Teams = quotas.Teams,
            Quotas = quotas.Settings,
            MaxRequestBodyBytes = options.Limits.MaxRequestBodyBytes,
            MaxStreamEventBytes = options.Limits.MaxStreamEventBytes,
            LogContent = options.RequestLogging.IncludeContent,
            StoredResponseRetention = options.Limits.StoredResponseRetention,
            StoredResponseOwner = responseOwner,
            Routing = routing!,
            Capture = capture,
            Experiments = experiments,
        };
    }

    private static CaptureSettings BuildCapture(GatewayOptions options, List<string> errors)
    {
        var capture = options.Capture;
        if (!ModelGateway.Sensitivity.SensitivityNames.TryParse(capture.MaxSensitivity, out var maxLevel))
        {
            errors.Add($"Capture:MaxSensitivity '{capture.MaxSensitivity}' is not a level (public, internal, confidential, restricted).");
        }

        if (capture.RetentionDays is < 0 or > 36_500)
        {
            errors.Add("Capture:RetentionDays must be between 0 (keep until deleted) and 36500.");
        }

        if (capture.MaxResponseBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add("Capture:MaxResponseBytes must be between 1024 and 67108864.");
        }

        if (capture.QueueBytes is < 1024 * 1024 or > 16L * 1024 * 1024 * 1024)
        {
            errors.Add("Capture:QueueBytes must be between 1048576 and 17179869184.");
        }

        return new CaptureSettings
        {
            AnyOptIn = options.Routes.Values.Any(r => r.Capture == true) || options.Keys.Values.Any(k => k.Capture == true)
                || options.Teams.Values.Any(t => t.Capture == true),
            MaxLevel = maxLevel,
            Redact = capture.Redact,
            RetentionDays = capture.RetentionDays,
            MaxResponseBytes = capture.MaxResponseBytes,
            QueueBytes = capture.QueueBytes,
        };
    }

    private static ProviderConfig? BuildProvider(string id, ProviderOptions provider, Func<string, string?> environment, List<string> errors)
    {
        var prefix = $"Providers:{id}";
        var errorCount = errors.Count;
        if (!ConfigNames.TryParseKind(provider.Kind, out var kind))
        {
            errors.Add($"{prefix}:Kind '{provider.Kind}' is not one of: openai, anthropic, gemini, azure-openai.");
        }

        if (!Uri.TryCreate(provider.BaseUrl?.TrimEnd('/'), UriKind.Absolute, out var baseUrl)
            || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{prefix}:BaseUrl '{provider.BaseUrl}' must be an absolute http or https URL.");
        }

        if (!ConfigNames.TryParseTrust(provider.Trust, out var trust))
        {
            errors.Add($"{prefix}:Trust '{provider.Trust}' is not one of: self-hosted, contracted, public.");
        }

        var trainingUse = ConfigNames.DefaultTrainingUse(trust);
        if (provider.TrainingUse is not null && !ConfigNames.TryParseTrainingUse(provider.TrainingUse, out trainingUse))
        {
            errors.Add($"{prefix}:TrainingUse '{provider.TrainingUse}' is not one of: allowed, forbidden.");
        }

        var credential = ResolveCredential($"{prefix}:Credential", provider.Credential, environment, errors);
        var connectTimeout = provider.ConnectTimeout ?? DefaultConnectTimeout;
        var responseTimeout = provider.ResponseTimeout ?? DefaultResponseTimeout;
        if (connectTimeout <= TimeSpan.Zero || responseTimeout <= TimeSpan.Zero
            || connectTimeout > GatewayLimits.MaxRequestDuration || responseTimeout > GatewayLimits.MaxRequestDuration)
        {
            errors.Add($"{prefix}: ConnectTimeout and ResponseTimeout must be positive durations such as \"00:00:30\", at most {GatewayLimits.MaxRequestDuration:c}.");
        }

        var (apiVersion, apiSurface) = ProviderKindSettings.Validate(prefix, kind, provider, errors);
        var dialect = ProviderKindSettings.ValidateDialect(prefix, kind, baseUrl, provider, errors);
        if (errors.Count > errorCount)
        {
            return null;
        }

        return new ProviderConfig
        {
            Id = id,
            Kind = kind,
            BaseUrl = baseUrl!,
            Credential = credential!,
            Trust = trust,
            TrainingUse = trainingUse,
            Region = provider.Region,
            ConnectTimeout = connectTimeout,
            ResponseTimeout = responseTimeout,
            Headers = new Dictionary<string, string>(provider.Headers, StringComparer.OrdinalIgnoreCase),
            ApiVersion = apiVersion,
            ApiSurface = apiSurface,
            Dialect = dialect,
        };
    }

    /// <summary>Reads a secret by reference (<c>env:NAME</c>, <c>file:/path</c>, <c>none</c>); <paramref name="path"/> names the field in errors, which never echo a literal.</summary>
    internal static ProviderCredential? ResolveCredential(string path, string? reference, Func<string, string?> environment, List<string> errors)
    {
        if (reference is null or "none")
        {
            return ProviderCredential.None;
        }

        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = reference[4..];
            var value = environment(name);
            if (string.IsNullOrEmpty(value))
            {
                errors.Add($"{path} refers to environment variable '{name}', which is not set.");
                return null;
            }

            return new ProviderCredential(reference, value.Trim());
        }

        if (reference.StartsWith("file:", StringComparison.Ordinal))
        {
            var file = reference[5..];
            try
            {
                return new ProviderCredential(reference, File.ReadAllText(file).Trim());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{path} file '{file}' cannot be read: {ex.GetType().Name}.");
                return null;
            }
        }

        // Never echo the value: it may be a secret pasted where a reference belongs.
        errors.Add($"{path} must be 'env:NAME', 'file:/path' or 'none' (a literal key is not accepted).");
        return null;
    }

    private static DeploymentConfig? BuildDeployment(string id, DeploymentOptions deployment, Dictionary<string, ProviderOptions> providers, List<string> errors)
    {
        var prefix = $"Deployments:{id}";
        var errorCount = errors.Count;
        if (deployment.Provider is null || !providers.ContainsKey(deployment.Provider))
        {
            errors.Add($"{prefix}:Provider '{deployment.Provider}' is not a configured provider.");
        }

        if (deployment.Models.Count == 0 || deployment.Models.Exists(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{prefix}:Models must list at least one non-empty public model name.");
        }

        var price = deployment.Price;
        if (price.InputPerMillion is null || price.OutputPerMillion is null)
        {
            errors.Add($"{prefix}:Price needs InputPerMillion and OutputPerMillion (USD per million tokens; 0 for free).");
        }
        else if (price.InputPerMillion < 0 || price.OutputPerMillion < 0 || price.CachedInputPerMillion < 0 || price.CacheWriteInputPerMillion < 0)
        {
            errors.Add($"{prefix}:Price values must not be negative.");
        }

        if (deployment.ContextWindow is <= 0)
        {
            errors.Add($"{prefix}:ContextWindow must be positive when set.");
        }

        var capabilities = ModelCapabilities.None;
        foreach (var name in deployment.Capabilities)
        {
            if (ConfigNames.TryParseCapability(name, out var capability))
            {
                capabilities |= capability;
            }
            else
            {
                errors.Add($"{prefix}:Capabilities '{name}' is not one of: chat, tools, vision, json_schema, embeddings, responses, completions.");
            }
        }

        providers.TryGetValue(deployment.Provider ?? "", out var providerOptions);
        var capacity = ModelGateway.Routing.Capacity.CapacityConfigBuilder.Build(prefix, deployment.Capacity, providerOptions, errors);

        if (capabilities == ModelCapabilities.None)
        {
            // A deployment with no declared capabilities is a plain chat model.
            capabilities = ModelCapabilities.Chat;
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        return new DeploymentConfig
        {
            Id = id,
            ProviderId = deployment.Provider!,
            Models = [.. deployment.Models],
            UpstreamModel = string.IsNullOrWhiteSpace(deployment.UpstreamModel) ? deployment.Models[0] : deployment.UpstreamModel,
            Price = new ModelPrice(price.InputPerMillion!.Value, price.CachedInputPerMillion ?? price.InputPerMillion.Value, price.OutputPerMillion!.Value, price.CacheWriteInputPerMillion),
            ContextWindow = deployment.ContextWindow,
            Capabilities = capabilities,
            Priority = deployment.Priority,
            Capacity = capacity,
        };
    }

    private static bool TryParseSha256(string? hex, out byte[] hash)
    {
        hash = [];
        if (hex is null || hex.Length != 64)
        {
            return false;
        }

        try
        {
            hash = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    internal static string Describe(IEnumerable<string> errors) =>
        string.Join(Environment.NewLine, errors.Select(e => "  - " + e).Prepend(string.Create(CultureInfo.InvariantCulture, $"Invalid gateway configuration:")));
}
