using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Pipeline;
using ModelGateway.Providers;
using ModelGateway.Routing;
using ModelGateway.Routing.Capacity;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;

namespace ModelGateway.Benchmarks;

/// <summary>
/// One routing decision: 10 rules (the last one matches), 10 deployments of the model with mixed trust and
/// prices, a 4 KB prompt scanned by every built-in detector plus one custom pattern, weighted scoring.
/// </summary>
[MemoryDiagnoser]
public class RoutingDecisionBenchmarks
{
    private PolicyRoutePlanner _planner = null!;
    private RequestClassifier _classifier = null!;
    private GatewaySnapshot _snapshot = null!;
    private byte[] _request = null!;
    private byte[] _sensitiveRequest = null!;

    /// <summary>With capacity limits and load figures on every deployment (issue 19): in-flight counts and server metrics read.</summary>
    [Params(false, true)]
    public bool LoadFigures { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new GatewayOptions();
        string[] trusts = ["self-hosted", "contracted", "public"];
        for (var p = 0; p < 3; p++)
        {
            options.Providers[$"p{p}"] = new ProviderOptions
            {
                Kind = "openai", BaseUrl = $"http://10.0.0.{p}:8000/v1", Trust = trusts[p], Region = "eu", Dialect = LoadFigures ? "vllm" : null,
            };
        }

        for (var d = 0; d < 10; d++)
        {
            options.Deployments[$"d{d}"] = new DeploymentOptions
            {
                Provider = $"p{d % 3}",
                Models = { "chat" },
                Price = new PriceOptions { InputPerMillion = 0.1m * (d + 1), OutputPerMillion = 0.3m * (d + 1) },
                Capabilities = { "chat", "tools" },
                ContextWindow = 128_000,
                Priority = d,
                Capacity = LoadFigures ? new CapacityOptions { MaxInFlight = 64, MaxWaiting = 8, MaxKvCacheUsage = 0.95 } : null,
            };
        }

        options.Keys["k"] = new ClientKeyOptions { Sha256 = new string('a', 64) };
        for (var r = 0; r < 9; r++)
        {
            options.Routes[$"r{r}"] = new RouteOptions { Order = r, Match = { Models = { "chat" }, Metadata = { ["tier"] = $"t{r}" } } };
        }

        options.Routes["main"] = new RouteOptions
        {
            Order = 100,
            Match = { Models = { "chat" } },
            Constraints = { Regions = { "eu" }, MaxPricePerMillion = 10 },
            Strategy = "weighted",
            Weights = { Cost = 1, Latency = 1, Priority = 0.2 },
        };
        options.Sensitivity.Patterns["employee_id"] = new SensitivityPatternOptions { Regex = @"\bEMP-[0-9]{6}\b", Level = "confidential" };

        var snapshot = new GatewaySnapshot(GatewayConfigBuilder.Build(options, _ => null), 1, DateTimeOffset.UnixEpoch);
        var store = new FixedStore(snapshot);
        var statistics = new DeploymentStatistics();
        for (var d = 0; d < 10; d++)
        {
            statistics.Record($"d{d}", 100 + (d * 10), 900 + (d * 50), 200);
        }

        var load = new DeploymentLoad(TimeProvider.System);
        if (LoadFigures)
        {
            for (var d = 0; d < 10; d++)
            {
                load.RecordServerLoad($"d{d}", new ServerLoad(d, d % 3, 0.1 * d, TimeProvider.System.GetTimestamp()));
            }
        }

        var policies = new CompiledPolicies();
        _classifier = new RequestClassifier(policies);
        _snapshot = snapshot;
        _planner = new PolicyRoutePlanner(
            new ProviderAdapters([new StubAdapter()]),
            policies,
            statistics,
            new DeploymentHealth(TimeProvider.System, store, NullLogger<DeploymentHealth>.Instance),
            new SeededRoutingRandom(42),
            TimeProvider.System,
            NullLogger<PolicyRoutePlanner>.Instance,
            load);

        var prose = string.Concat(Enumerable.Repeat("The quarterly report covers revenue, churn and the 2024 roadmap for team 12. ", 52));
        _request = Body(prose[..4000] + " Contact: jane.doe@example.com");
        _sensitiveRequest = Body(prose[..4000] + " Card 4111 1111 1111 1111");
    }

    /// <summary>The request object built, classified (every string scanned) and routed, as on the request path.</summary>
    [Benchmark(Baseline = true)]
    public int Decide() => Decide(_request);

    [Benchmark]
    public int DecideSensitive() => Decide(_sensitiveRequest);

    private int Decide(byte[] body)
    {
        using var request = GatewayRequestReader.FromSample(
            _snapshot, new Caller("k", _snapshot.Config.Keys["k"]), OpenAiChatProtocol.Instance, body, new HeaderDictionary(), out _)!;
        request.Classify(_classifier.Classify(request));
        return _planner.Plan(request).Candidates.Length;
    }

    private static byte[] Body(string prompt) => Encoding.UTF8.GetBytes(
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":" +
        System.Text.Json.JsonSerializer.Serialize(prompt) + "}],\"max_tokens\":256}");

    private sealed class FixedStore(GatewaySnapshot snapshot) : IGatewayConfigStore
    {
        public GatewaySnapshot Current => snapshot;

        public IChangeToken GetChangeToken() => new CancellationChangeToken(CancellationToken.None);

        public GatewaySnapshot Publish(GatewayConfig config) => throw new NotSupportedException();
    }

    private sealed class StubAdapter : IProviderAdapter
    {
        public ProviderKind Kind => ProviderKind.OpenAi;

        public bool Supports(InboundProtocol protocol) => true;

        public bool ServesNatively(InboundProtocol protocol, Deployment deployment) => true;

        public ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call) => throw new NotSupportedException();
    }
}
