using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Anthropic;
using ModelGateway.Simulator.Azure;
using ModelGateway.Simulator.Control;
using ModelGateway.Simulator.Faults;
using ModelGateway.Simulator.Gemini;
using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;
using ModelGateway.Simulator.Recording;
using ModelGateway.Simulator.Responses;

namespace ModelGateway.Simulator;

/// <summary>
/// The ModelGateway provider simulator: a small server that speaks the OpenAI wire format with deterministic,
/// obviously simulated replies, injectable faults and a record of what it received. Not a real model.
/// </summary>
public static class SimulatorApp
{
    /// <summary>Where the simulator listens when neither arguments nor configuration say.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8081";

    /// <summary>
    /// Builds (does not start) the simulator. It listens where <c>--urls</c>, <c>ASPNETCORE_URLS</c> or the
    /// Kestrel configuration say, else on <see cref="DefaultUrl"/>. Tests pass <c>--urls=http://127.0.0.1:0</c>.
    /// </summary>
    public static WebApplication Build(string[] args, Action<SimulatorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(SimulatorApp).Assembly.GetName().Name,
        });
        if (!HasConfiguredAddress(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // Simulated connection cuts are exceptions on purpose; SimulatorRequestMiddleware logs the real ones.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Critical);
        AddSimulator(builder.Services, builder.Configuration, configure);

        var app = builder.Build();
        app.UseMiddleware<SimulatorRequestMiddleware>();
        app.UseWhen(
            context => SimulatorPaths.IsProviderApi(context.Request.Path),
            api => api
                .UseMiddleware<RecordingMiddleware>()
                .UseMiddleware<ApiKeyMiddleware>()
                .UseMiddleware<Saturation.CapacityMiddleware>()
                .UseMiddleware<FaultMiddleware>());
        ResponsesEndpoints.Map(app);
        app.MapOpenAi();
        var messages = app.Services.GetRequiredService<MessagesEndpoint>();
        app.MapPost(WireFormats.AnthropicMessages, (RequestDelegate)messages.HandleAsync);
        app.MapPost(WireFormats.AnthropicCountTokens, (RequestDelegate)MessagesEndpoint.CountTokensAsync);
        GeminiEndpoints.Map(app);
        AzureEndpoints.Map(app);
        app.MapSimulatorControl();
        Saturation.LoadMetricsEndpoint.MapLoadMetrics(app);
        return app;
    }

    private static void AddSimulator(IServiceCollection services, ConfigurationManager configuration, Action<SimulatorOptions>? configure)
    {
        var options = services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection(SimulatorOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.PostConfigure(RemoveDuplicateModels).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SimulatorState(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<SimulatorOptions>>().Value.MaxRecordedRequests));
        services.AddSingleton(sp => new Saturation.CapacityGate(sp.GetRequiredService<IOptions<SimulatorOptions>>().Value.Capacity));
        services.AddSingleton<Profiles.AnswerProfiles>();
        services.AddSingleton<ChatCompletionsEndpoint>();
        services.AddSingleton<EmbeddingsEndpoint>();
        services.AddSingleton<CompletionsEndpoint>();
        services.AddSingleton<ModelsEndpoints>();
        services.AddSingleton<MessagesEndpoint>();
        services.AddSingleton<GeminiEndpoints>();
        services.AddSingleton<ResponsesEndpoints>();
    }

    /// <summary>Configured models are appended to the defaults by the binder; keep each name once.</summary>
    private static void RemoveDuplicateModels(SimulatorOptions options)
    {
        var distinct = options.Models.Distinct(StringComparer.Ordinal).ToList();
        options.Models.Clear();
        foreach (var model in distinct)
        {
            options.Models.Add(model);
        }
    }

    private static bool HasConfiguredAddress(ConfigurationManager configuration) =>
        !string.IsNullOrEmpty(configuration["urls"])
        || !string.IsNullOrEmpty(configuration["http_ports"])
        || !string.IsNullOrEmpty(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").Exists();
}
