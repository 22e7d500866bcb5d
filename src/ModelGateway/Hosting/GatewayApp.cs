using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Diagnostics;
using ModelGateway.Accounting;
using ModelGateway.Admin;
using ModelGateway.Capture;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Providers;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Providers.Translation;
using ModelGateway.Quotas;
using ModelGateway.Routing;
using ModelGateway.Telemetry;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;
using ModelGateway.Requests;

namespace ModelGateway.Hosting;

/// <summary>
/// Builds the gateway application: the one place that wires configuration, logging, adapters and the pipeline.
/// Tests call <see cref="Build"/> with their own arguments to run the real gateway on a loopback port.
/// </summary>
public static class GatewayApp
{
    /// <summary>Environment variable naming the configuration file (also <c>--config PATH</c>).</summary>
    public const string ConfigFileVariable = GatewayOptions.ConfigFileVariable;

    /// <summary>The console's line format when <c>Logging:Json</c> is off.</summary>
    internal const string TextLogTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>Log events that may wait for the console writer before new ones are dropped (<c>Logging:QueueSize</c>).</summary>
    private const int DefaultLogQueueSize = 10_000;

    /// <summary>
    /// The host's default appsettings*.json sources reload on change by watching the content root recursively, and the
    /// ledger and log files live under it: every write would wake the watcher. The gateway reads only <c>--config</c>.
    /// </summary>
    private const string NoDefaultFileWatch = "--hostBuilder:reloadConfigOnChange=false";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. args, NoDefaultFileWatch] });
        var configFile = GatewayConfiguration.AddSources(builder, args);

        // Every problem of the configuration, listed at once, before anything starts (exit code 2 in Program).
        if (GatewayConfiguration.Check(builder.Configuration, configFile, includeTelemetryOptions: false) is { Count: > 0 } problems)
        {
            throw new GatewayConfigException(problems);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

        // Serilog is the only sink. writeToProviders lets a provider added on purpose (a test's capture) see events too;
        // preserveStaticLogger keeps each host's logger its own (several gateways may share a process, as in tests).
        builder.Logging.ClearProviders();
        var logPipeline = new LogPipelineMonitor();
        builder.Services.AddSingleton(logPipeline);
        builder.Services.AddSerilog(
            (services, logger) => ConfigureSerilog(logger, builder.Configuration, services.GetService<ConsoleLogOutput>(), logPipeline),
            preserveStaticLogger: true, writeToProviders: true);

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
        builder.Services.AddSingleton<FrontDoor.Protocols.Responses.IResponseStore>(services =>
            services.GetRequiredService<Quotas.QuotaStores>().Redis is { } redis
                ? new FrontDoor.Protocols.Responses.RedisResponseStore(
                    redis,
                    services.GetRequiredService<Configuration.IGatewayConfigStore>().Current.Config.Quotas.KeyPrefix,
                    services.GetRequiredService<TimeProvider>(),
                    services.GetRequiredService<ILogger<FrontDoor.Protocols.Responses.RedisResponseStore>>())
                : new FrontDoor.Protocols.Responses.InMemoryResponseStore(services.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<UsageSanitizer>();

        builder.Services.AddUsageLedger(builder.Configuration);
        builder.Services.AddDatasetCapture();
        Experiments.ExperimentServices.AddExperiments(builder.Services);
        builder.Services.AddSingleton<Experiments.IShadowRequestFactory, ShadowRequestFactory>();
        builder.AddGatewayTelemetry();
        builder.AddGracefulDrain();

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

    private static void ConfigureSerilog(
        LoggerConfiguration logger, IConfiguration configuration, ConsoleLogOutput? output, LogPipelineMonitor logPipeline)
    {
        // Defaults: our own request line at Information, framework chatter only when it matters.
        // Serilog:MinimumLevel in configuration overrides these.
        logger.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Yarp", LogEventLevel.Warning)
            .MinimumLevel.Override("System.Net.Http", LogEventLevel.Warning);
        logger.ReadFrom.Configuration(configuration).Enrich.FromLogContext();

        // Request threads only enqueue; one background writer formats and writes in batches. A full queue drops (and
        // counts) rather than making requests wait on the output, which halved throughput with the request line on.
        // Text lines have control characters in values (a client's model name, a path) escaped, so they cannot forge
        // lines; the JSON formatter escapes them already.
        var queueSize = configuration.GetValue("Logging:QueueSize", DefaultLogQueueSize);
        var json = configuration.GetValue<bool>("Logging:Json");
        ITextFormatter formatter = json
            ? new CompactJsonFormatter()
            : new MessageTemplateTextFormatter(TextLogTemplate, CultureInfo.InvariantCulture);
        var writer = output?.Writer ?? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 64 * 1024);
        logger.WriteTo.Sink(new BatchedLogSink(formatter, escape: !json, writer, queueSize, logPipeline));
    }

    /// <summary>Routing's bare 404, 405 and binding 400 responses get the OpenAI envelope, or problem details under /admin.</summary>
    private static Task WriteStatusCodeErrorAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        if (http.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            return AdminHttp.WriteStatusProblemAsync(http);
        }

        var message = http.Response.StatusCode switch
        {
            (int)HttpStatusCode.NotFound => $"Invalid URL ({http.Request.Method} {http.Request.Path}).",
            (int)HttpStatusCode.MethodNotAllowed => $"Method {http.Request.Method} is not allowed on {http.Request.Path}.",
            _ => $"The request failed with status {http.Response.StatusCode}.",
        };
        return new GatewayError(http.Response.StatusCode, "invalid_request_error", null, message).WriteAsync(http);
    }
}
