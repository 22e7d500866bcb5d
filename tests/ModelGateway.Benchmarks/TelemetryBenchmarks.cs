using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Telemetry;
using ModelGateway.Requests;
using ModelGateway.Routing;

namespace ModelGateway.Benchmarks;

/// <summary>
/// The per-request metrics work: one attempt and one request recorded, with nobody listening (exporters off) and
/// with a listener enabled on every instrument (what the OpenTelemetry SDK does when an exporter is on; the SDK's
/// own aggregation cost is not included).
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private ServiceProvider _services = null!;
    private GatewayMetrics _metrics = null!;
    private MeterListener? _listener;
    private AttemptFacts _attempt;
    private Telemetry.RequestFacts _request;
    private BaselinePrice _baseline = null!;

    [Params(false, true)]
    public bool Listening { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var provider = new ProviderConfig
        {
            Id = "gpu-1",
            Kind = ProviderKind.OpenAi,
            BaseUrl = new Uri("http://gpu-1:8000/v1"),
            Credential = ProviderCredential.None,
            Trust = TrustTier.SelfHosted,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ResponseTimeout = TimeSpan.FromSeconds(60),
        };
        var deploymentConfig = new DeploymentConfig
        {
            Id = "qwen-gpu-1",
            ProviderId = "gpu-1",
            Models = ["qwen3"],
            UpstreamModel = "Qwen/Qwen3-32B",
            Price = new ModelPrice(0.10m, 0.05m, 0.30m),
            Capabilities = ModelCapabilities.Chat,
        };
        var config = new GatewayConfig
        {
            Providers = ImmutableDictionary<string, ProviderConfig>.Empty.Add("gpu-1", provider),
            Deployments = ImmutableDictionary<string, DeploymentConfig>.Empty.Add("qwen-gpu-1", deploymentConfig),
            Aliases = ImmutableDictionary<string, string>.Empty,
            Keys = ImmutableDictionary<string, ClientKey>.Empty,
        };
        var store = new FixedStore(new GatewaySnapshot(config, 1, DateTimeOffset.UnixEpoch));
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>(), store, new NoCircuitStateSource(), new NoQuotaRemainingSource(), new LogPipelineMonitor());

        var deployment = new Deployment(deploymentConfig, provider);
        var usage = new TokenUsage(1200, 300, 450, 0);
        _attempt = new AttemptFacts(deployment, Operation.ChatCompletions, "qwen3", 1, TimeSpan.FromMilliseconds(850), TimeSpan.FromMilliseconds(120), usage, null);
        _request = new Telemetry.RequestFacts(RequestOutcome.Served, "chat", "team-a", "qwen3", deployment, usage, deploymentConfig.Price.CostOf(usage));
        _baseline = new BaselinePrice("gpt-4.1", new ModelPrice(2m, 0.5m, 8m));

        if (Listening)
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, listener) =>
                {
                    if (instrument.Meter.Name == GatewayMetrics.MeterName)
                    {
                        listener.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => { });
            _listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => { });
            _listener.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _services.Dispose();
    }

    [Benchmark]
    public void RecordAttemptAndRequest()
    {
        _metrics.RecordAttempt(_attempt);
        _metrics.RecordRequest(_request, _baseline);
    }

    private sealed class FixedStore(GatewaySnapshot snapshot) : IGatewayConfigStore
    {
        public GatewaySnapshot Current => snapshot;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);

        public GatewaySnapshot Publish(GatewayConfig config) => throw new NotSupportedException();
    }
}
