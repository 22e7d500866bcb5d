using ModelGateway.Configuration;
using ModelGateway.Quotas;

namespace ModelGateway.Admin;

/// <summary>
/// Wires the admin API. It is on only when <c>Admin:Keys</c> has a key; otherwise nothing changes and the gateway
/// follows its configuration file as before.
/// </summary>
internal static class AdminServices
{
    public const string Prefix = "/admin/v1";
    public const string DocumentName = "admin";

    public static IServiceCollection AddAdminApi(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(AdminOptions.SectionName).Get<AdminOptions>() ?? new AdminOptions();
        options.Reset |= configuration.GetValue<bool>("config-reset");
        var sharesQuotaConnection = options.Redis is null;
        if (sharesQuotaConnection && (options.RedisPassword is not null || RedisConnection.IsSet(options.RedisTls)))
        {
            throw new GatewayConfigException(["Admin:RedisPassword and Admin:RedisTls apply to Admin:Redis, which is not set: the admin store " +
                "shares the quota connection, with ModelGateway:Quotas:RedisPassword and ModelGateway:Quotas:RedisTls."]);
        }

        options.Redis ??= configuration["ModelGateway:Quotas:Redis"];
        services.AddSingleton(options);
        services.AddSingleton<AdminKeys>();
        if (options.Keys.Count == 0)
        {
            return services;
        }

        var store = options.Store ?? (options.Redis is null ? "file" : "redis");
        switch (store)
        {
            case "file":
                var path = options.StorePath ?? DefaultStorePath(configuration);
                services.AddSingleton<IConfigDocumentStore>(_ => new FileConfigDocumentStore(path));
                break;
            case "redis" when options.Redis is not null:
                var connection = RedisOptions(options, configuration, sharesQuotaConnection);
                services.AddSingleton<IConfigDocumentStore>(_ => RedisConfigDocumentStore.Connect(connection, options.KeyPrefix));
                break;
            default:
                throw new GatewayConfigException([$"Admin:Store '{store}' must be 'file' or 'redis' (redis needs Admin:Redis or ModelGateway:Quotas:Redis)."]);
        }

        services.AddSingleton<AdminConfigService>();
        services.AddSingleton<Experiments.ICanaryAudit, AdminCanaryAudit>();
        services.AddSingleton<AdminAuthorizationFilter>();
        services.AddHostedService<AdminStoreSync>();
        services.AddOpenApi(DocumentName, openApi =>
        {
            openApi.ShouldInclude = description => description.GroupName == DocumentName;
            openApi.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "ModelGateway admin API";
                document.Info.Description = "Providers, deployments, aliases, routing rules, sensitivity policy, detectors, keys, teams with limits and budgets, spend; " +
                    "versioned and audited. See docs/admin-api.md.";
                return Task.CompletedTask;
            });
        });
        return services;
    }

    /// <summary>Loads (or seeds) the store before the gateway serves, then maps <c>/admin/v1</c>.</summary>
    public static void MapAdminApi(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<AdminOptions>();
        if (options.Keys.Count == 0)
        {
            return;
        }

        var service = app.Services.GetRequiredService<AdminConfigService>();
        using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            // Start-up only: the first snapshot must come from the store before any request is served.
            service.InitializeAsync(options.Reset, startup.Token).GetAwaiter().GetResult();
        }

        var admin = app.MapGroup(Prefix)
            .WithGroupName(DocumentName)
            .AddEndpointFilter<AdminAuthorizationFilter>();
        foreach (var resource in AdminResources.All)
        {
            admin.MapResource(resource);
        }

        admin.MapExperiments();
        admin.MapCanaries();
        admin.MapKeyRotation();
        admin.MapConfig();
        admin.MapSpend();
        admin.MapRequestLog();
        admin.MapCaptures();
        admin.MapOpenApi("/openapi/{documentName}.json");
    }

    /// <summary>
    /// The store's connection: <c>Admin:Redis</c> with <c>Admin:RedisPassword</c> and <c>Admin:RedisTls</c>, or the
    /// quota connection (string, <c>RedisPassword</c>, <c>RedisTls</c>) when it shares it; both are read and checked by
    /// the same code. The key prefix must hold a hash tag: the store's script and reads span several keys, which Redis
    /// Cluster allows only within one slot.
    /// </summary>
    private static StackExchange.Redis.ConfigurationOptions RedisOptions(AdminOptions options, IConfiguration configuration, bool sharesQuotaConnection)
    {
        var errors = new List<string>();
        if (!HasHashTag(options.KeyPrefix))
        {
            errors.Add($"Admin:KeyPrefix '{options.KeyPrefix}' must contain a Redis hash tag such as '{{mg-config}}:' (the store's keys must share one Redis Cluster slot).");
        }

        ProviderCredential? password = null;
        var tls = RedisTlsSettings.None;
        if (sharesQuotaConnection)
        {
            var quotas = configuration.GetSection("ModelGateway:Quotas").Get<QuotaOptions>() ?? new QuotaOptions();
            password = RedisConnection.Password("Quotas", quotas.Redis, quotas.RedisPassword, Environment.GetEnvironmentVariable, errors);
            tls = RedisConnection.Tls("Quotas:RedisTls", quotas.RedisTls, errors);
        }
        else
        {
            password = RedisConnection.Password("Admin", options.Redis, options.RedisPassword, Environment.GetEnvironmentVariable, errors);
            tls = RedisConnection.Tls("Admin:RedisTls", options.RedisTls, errors);
        }

        return errors.Count > 0 ? throw new GatewayConfigException(errors) : RedisConnection.Options(options.Redis!, password, tls);
    }

    /// <summary>Redis's rule: a '{' followed later by a '}' with at least one character between them.</summary>
    private static bool HasHashTag(string prefix)
    {
        var open = prefix.IndexOf('{', StringComparison.Ordinal);
        return open >= 0 && prefix.IndexOf('}', open + 1) > open + 1;
    }

    private static string DefaultStorePath(IConfiguration configuration)
    {
        var file = configuration["config"] ?? Environment.GetEnvironmentVariable(GatewayOptions.ConfigFileVariable);
        return string.IsNullOrEmpty(file) ? Path.GetFullPath("modelgateway.store") : Path.ChangeExtension(Path.GetFullPath(file), ".store");
    }
}
