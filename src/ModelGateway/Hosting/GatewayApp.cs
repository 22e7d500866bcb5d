using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using ModelGateway.Accounting;
using ModelGateway.Admin;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Providers;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Providers.Translation;
using ModelGateway.Quotas;
using ModelGateway.Routing;
using ModelGateway.Telemetry;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ModelGateway.Hosting;

/// <summary>
/// Builds the gateway application: the one place that wires configuration, logging, adapters and the pipeline.
/// Tests call <see cref="Build"/> with their own arguments to run the real gateway on a loopback port.
/// </summary>
public static class GatewayApp
{
    /// <summary>Environment variable naming the configuration file (also <c>--config PATH</c>).</summary>
    public const string ConfigFileVariable = "MODELGATEWAY_CONFIG";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        AddConfigurationFile(builder, args);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // Serilog is the only sink. writeToProviders lets a provider added on purpose (a test's capture) see events too;
        // preserveStaticLogger keeps each host's logger its own (several gateways may share a process, as in tests).
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (services, logger) => ConfigureSerilog(logger, builder.Configuration), preserveStaticLogger: true, writeToProviders: true);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.SectionName));
        builder.Services.AddSingleton<GatewayConfigStore>();
        builder.Services.AddSingleton<IGatewayConfigStore>(services => services.GetRequiredService<GatewayConfigStore>());

        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<UpstreamClientPool>();
        builder.Services.AddSingleton<IProviderAdapter, OpenAiForwardingAdapter>();
        builder.Services.AddTranslatingAdapters();
        builder.Services.AddSingleton<ProviderAdapters>();
        builder.Services.AddRoutingPolicy();
        builder.Services.AddQuotas();
        builder.Services.AddSingleton<UpstreamDispatcher>();

        builder.Services.AddUsageLedger(builder.Configuration);
        builder.AddGatewayTelemetry();

        builder.Services.AddAdminApi(builder.Configuration);

        configure?.Invoke(builder);

        var app = builder.Build();

        // Resolve the store now: an invalid configuration stops the gateway here, with every problem listed.
        app.Services.GetRequiredService<IGatewayConfigStore>();

        app.UseGatewayTelemetry();
        app.UseMiddleware<RequestContextMiddleware>();
        app.UseStatusCodePages(WriteStatusCodeErrorAsync);
        app.UseMiddleware<ClientAuthenticationMiddleware>();
        app.MapFrontDoor();
        app.MapRouteExplain();
        app.MapAdminApi();
        return app;
    }

    private static void AddConfigurationFile(WebApplicationBuilder builder, string[] args)
    {
        var path = builder.Configuration["config"] ?? Environment.GetEnvironmentVariable(ConfigFileVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        builder.Configuration.AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: true);

        // Environment variables and the command line override the file.
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
    }

    private static void ConfigureSerilog(LoggerConfiguration logger, IConfiguration configuration)
    {
        // Defaults: our own request line at Information, framework chatter only when it matters.
        // Serilog:MinimumLevel in configuration overrides these.
        logger.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Yarp", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning);
        logger.ReadFrom.Configuration(configuration).Enrich.FromLogContext();
        if (configuration.GetValue<bool>("Logging:Json"))
        {
            logger.WriteTo.Console(new CompactJsonFormatter());
        }
        else
        {
            logger.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}", formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Routing's bare 404 and 405 responses get the OpenAI envelope too.</summary>
    private static Task WriteStatusCodeErrorAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var message = http.Response.StatusCode switch
        {
            (int)HttpStatusCode.NotFound => $"Invalid URL ({http.Request.Method} {http.Request.Path}).",
            (int)HttpStatusCode.MethodNotAllowed => $"Method {http.Request.Method} is not allowed on {http.Request.Path}.",
            _ => $"The request failed with status {http.Response.StatusCode}.",
        };
        return new GatewayError(http.Response.StatusCode, "invalid_request_error", null, message).WriteAsync(http);
    }
}
