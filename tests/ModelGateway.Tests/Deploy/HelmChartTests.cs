using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// deploy/helm/modelgateway checked with the real helm and kubectl: lint, render, and every configuration key, port,
/// probe path and secret reference of the rendered manifests checked against the gateway's own schema and routes.
/// </summary>
public sealed class HelmChartTests
{
    public static TheoryData<string?> ValueFiles => new() { null, "ci/production-values.yaml", RedisPasswordValues };

    private const string RedisPasswordValues = "ci/redis-password-values.yaml";

    [Theory]
    [MemberData(nameof(ValueFiles))]
    public async Task Chart_passes_helm_lint_strict(string? valuesFile)
    {
        var helm = await DeployTools.HelmAsync();
        string[] arguments = valuesFile is null
            ? ["lint", "--strict", RenderedChart.ChartPath]
            : ["lint", "--strict", RenderedChart.ChartPath, "-f", Path.Combine(RenderedChart.ChartPath, valuesFile)];

        var output = await DeployTools.RunAsync(helm, arguments);

        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValueFiles))]
    public async Task Rendered_manifests_use_only_configuration_keys_the_gateway_reads(string? valuesFile)
    {
        var chart = await RenderedChart.RenderAsync(valuesFile);

        var unknownVariables = chart.Env.Select(e => (string)e!["name"]!).Where(n => !ConfigSchema.IsKnownVariable(n)).ToList();
        var unknownKeys = ConfigSchema.LeafKeys(chart.GatewayConfig).Where(k => !ConfigSchema.Exists(k)).ToList();

        Assert.Empty(unknownVariables);
        Assert.Empty(unknownKeys);
        Assert.Equal("/etc/modelgateway/gateway.json", chart.EnvValue("MODELGATEWAY_CONFIG"));
        var configMount = chart.Container["volumeMounts"]!.AsArray().Single(m => (string?)m!["mountPath"] == "/etc/modelgateway")!;
        var configVolume = Volume(chart, (string)configMount["name"]!);
        Assert.Equal((string?)chart.Only("ConfigMap")["metadata"]!["name"], (string?)configVolume["configMap"]!["name"]);
    }

    [Theory]
    [MemberData(nameof(ValueFiles))]
    public async Task Rendered_ports_probes_and_policies_match_what_the_gateway_listens_on(string? valuesFile)
    {
        var chart = await RenderedChart.RenderAsync(valuesFile);
        var ports = chart.Container["ports"]!.AsArray().ToDictionary(p => (string)p!["name"]!, p => (int)p!["containerPort"]!);

        // ASPNETCORE_URLS listens on exactly the declared container ports; metrics and admin get their own.
        var urls = chart.EnvValue("ASPNETCORE_URLS")!.Split(';').Select(u => new Uri(u).Port).Order().ToList();
        Assert.Equal(ports.Values.Order().ToList(), urls);
        Assert.Equal(8080, ports["http"]);
        Assert.Equal(ports["metrics"].ToString(CultureInfo.InvariantCulture), chart.EnvValue("ModelGateway__Telemetry__Prometheus__Port"));
        Assert.Equal(ports.TryGetValue("admin", out var admin) ? admin.ToString(CultureInfo.InvariantCulture) : null, chart.EnvValue("Admin__Port"));

        // Probes: /healthz (alive) and /readyz (take traffic), on the client port, and both are gateway routes.
        var routes = await GatewayRoutesAsync();
        foreach (var (probe, path) in new[] { ("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
        {
            var get = chart.Container[probe]!["httpGet"]!;
            Assert.Equal(path, (string?)get["path"]);
            Assert.Equal("http", (string?)get["port"]);
            Assert.Contains(path, routes);
        }

        // The Service and the NetworkPolicy only name ports the container has; only the client port is open to all.
        var service = chart.Only("Service");
        Assert.All(service["spec"]!["ports"]!.AsArray(), p => Assert.Contains((string)p!["targetPort"]!, ports.Keys));
        var rules = chart.Only("NetworkPolicy")["spec"]!["ingress"]!.AsArray();
        foreach (var name in ports.Keys)
        {
            var rule = rules.Single(r => r!["ports"]!.AsArray().Any(p => (string?)p!["port"] == name))!;
            if (name == "http")
            {
                Assert.Null(rule["from"]);
            }
            else
            {
                Assert.NotEmpty(rule["from"]!.AsArray());
            }
        }

        // Termination waits for the whole drain: grace period plus drain timeout.
        var drain = TimeSpan.Parse(chart.EnvValue("ModelGateway__Shutdown__GracePeriod")!, CultureInfo.InvariantCulture)
            + TimeSpan.Parse(chart.EnvValue("ModelGateway__Shutdown__DrainTimeout")!, CultureInfo.InvariantCulture);
        Assert.True((int)chart.Deployment["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]! > drain.TotalSeconds);

        if (chart.Find("ServiceMonitor") is { } monitor)
        {
            var endpoint = monitor["spec"]!["endpoints"]!.AsArray().Single()!;
            Assert.Contains((string)endpoint["port"]!, service["spec"]!["ports"]!.AsArray().Select(p => (string)p!["name"]!));
            Assert.Equal((string?)chart.GatewayConfig["ModelGateway"]!["Telemetry"]!["Prometheus"]!["Path"], (string?)endpoint["path"]);
        }

        if (chart.Find("HorizontalPodAutoscaler") is { } hpa)
        {
            Assert.Equal((string?)chart.Deployment["metadata"]!["name"], (string?)hpa["spec"]!["scaleTargetRef"]!["name"]);
            Assert.Null(chart.Deployment["spec"]!["replicas"]);
        }
    }

    [Theory]
    [MemberData(nameof(ValueFiles))]
    public async Task Rendered_credentials_are_mounted_secrets_and_the_root_filesystem_is_read_only(string? valuesFile)
    {
        var chart = await RenderedChart.RenderAsync(valuesFile);

        // Every file: credential of the configuration is a file of a mounted Secret, and every mounted Secret is used.
        var mounted = new List<string>();
        foreach (var mount in chart.Container["volumeMounts"]!.AsArray())
        {
            if (Volume(chart, (string)mount!["name"]!)["secret"] is { } secret)
            {
                Assert.Equal(true, (bool?)mount["readOnly"]);
                Assert.False(string.IsNullOrEmpty((string?)secret["secretName"]));
                mounted.AddRange(secret["items"]!.AsArray().Select(i => (string)mount["mountPath"]! + "/" + (string)i!["path"]!));
            }
        }

        // The providers' credentials, and the Redis password (Quotas:RedisPassword, in the configuration or the environment).
        var references = chart.GatewayConfig["ModelGateway"]!["Providers"]!.AsObject().Select(p => (string?)p.Value!["Credential"])
            .Append((string?)chart.GatewayConfig["ModelGateway"]!["Quotas"]?["RedisPassword"])
            .Append(chart.EnvValue("ModelGateway__Quotas__RedisPassword"));
        var credentials = references.Where(c => c is not null && c.StartsWith("file:", StringComparison.Ordinal)).Select(c => c!["file:".Length..]).ToList();
        Assert.Equal(mounted.Order(), credentials.Order());
        Assert.All(chart.Env.Where(e => e!["valueFrom"] is not null), e =>
        {
            var reference = e!["valueFrom"]!["secretKeyRef"]!;
            Assert.False(string.IsNullOrEmpty((string?)reference["name"]));
            Assert.False(string.IsNullOrEmpty((string?)reference["key"]));
        });
        Assert.DoesNotContain(chart.Objects, o => (string?)o["kind"] == "Secret");

        // Non-root, read-only root: the writable paths are volumes (/tmp, and the admin store's directory when used).
        var security = chart.Container["securityContext"]!;
        Assert.Equal(true, (bool?)security["readOnlyRootFilesystem"]);
        Assert.Equal(false, (bool?)security["allowPrivilegeEscalation"]);
        Assert.Equal(true, (bool?)chart.Deployment["spec"]!["template"]!["spec"]!["securityContext"]!["runAsNonRoot"]);
        var writable = chart.Container["volumeMounts"]!.AsArray().Where(m => m!["readOnly"] is null).Select(m => (string)m!["mountPath"]!).ToList();
        Assert.Contains("/tmp", writable);
        // The ledger is written on every pod, admin keys or not: it must be on a writable volume.
        var ledger = chart.EnvValue("ModelGateway__Ledger__DataDirectory");
        Assert.NotNull(ledger);
        Assert.Contains(writable, w => ledger.StartsWith(w + "/", StringComparison.Ordinal));
        if (chart.EnvValue("Admin__StorePath") is { } store)
        {
            Assert.Contains(writable, w => store.StartsWith(w + "/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_redis_password_is_a_mounted_secret_file_the_gateway_reads_and_is_off_by_default()
    {
        // Off by default, and in the production example (whose connection string comes whole from a Secret).
        foreach (var valuesFile in new[] { null, "ci/production-values.yaml" })
        {
            var plain = await RenderedChart.RenderAsync(valuesFile);
            Assert.DoesNotContain(plain.Env, e => (string?)e!["name"] == "ModelGateway__Quotas__RedisPassword");
            Assert.DoesNotContain(plain.Deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == "redis-password");
        }

        // On: the Secret's key is mounted read-only, and Quotas:RedisPassword names that file (not the password itself).
        var chart = await RenderedChart.RenderAsync(RedisPasswordValues);
        var reference = chart.EnvValue("ModelGateway__Quotas__RedisPassword");
        Assert.NotNull(reference);
        Assert.StartsWith("file:", reference, StringComparison.Ordinal);
        var mount = chart.Container["volumeMounts"]!.AsArray().Single(m => (string?)m!["name"] == "redis-password")!;
        Assert.Equal(true, (bool?)mount["readOnly"]);
        var secret = Volume(chart, "redis-password")["secret"]!;
        Assert.Equal("modelgateway-redis-password", (string?)secret["secretName"]);
        var item = secret["items"]!.AsArray().Single()!;
        Assert.Equal("password", (string?)item["key"]);
        Assert.Equal($"file:{mount["mountPath"]}/{item["path"]}", reference);
        var connection = chart.EnvValue("ModelGateway__Quotas__Redis")!;
        Assert.DoesNotContain("password", connection, StringComparison.OrdinalIgnoreCase);

        // A gateway with the rendered settings (the Secret's file and Redis's address moved to the test's) reaches a real
        // Redis whose only user is the ACL user of the connection string, with the password from the file.
        await using var redis = await RedisServer.StartAsync();
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var user = ConfigurationOptions.Parse(connection).User!;
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { redis.Address }, AllowAdmin = true }))
        {
            var server = admin.GetServer(redis.Address);
            await server.ExecuteAsync("ACL", "SETUSER", user, "on", ">" + password, "~*", "&*", "+@all");
            try
            {
                await server.ExecuteAsync("ACL", "SETUSER", "default", "off");
            }
            catch (RedisConnectionException)
            {
                // Switching the default user off may drop this connection, which used it.
            }
        }

        var directory = Directory.CreateTempSubdirectory("mg-redis-secret-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, (string)item["path"]!), password + "\n");
            var redisOptions = ConfigurationOptions.Parse(connection);
            redisOptions.EndPoints.Clear();
            redisOptions.EndPoints.Add(redis.Address);
            await using var gateway = await GatewayHost.StartAsync(chart.GatewayConfig["ModelGateway"]!.AsObject(),
                $"--ModelGateway:Quotas:Redis={redisOptions}",
                $"--ModelGateway:Quotas:RedisPassword={reference.Replace((string)mount["mountPath"]!, directory, StringComparison.Ordinal)}");

            // The budget monitor reads the team's budget from Redis: only an authenticated connection answers.
            var stores = gateway.Service<ModelGateway.Quotas.QuotaStores>();
            Assert.True(stores.IsShared);
            var deadline = Environment.TickCount64 + 20_000;
            while (!stores.Redis!.IsConnected && Environment.TickCount64 < deadline)
            {
                await Task.Delay(50);
            }

            var budgets = await gateway.Service<ModelGateway.Quotas.TeamBudgetMonitor>().ReadBudgetsAsync(default);
            var web = Assert.Single(budgets);
            Assert.Equal(("web", 200m, 200m), (web.TeamId, web.LimitUsd, web.RemainingUsd));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_redis_password_without_a_redis_fails_to_render()
    {
        var (exitCode, output) = await DeployTools.TryRunAsync(await DeployTools.HelmAsync(), "template", "mg", RenderedChart.ChartPath,
            "--set", "redis.passwordSecret.name=modelgateway-redis-password");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("redis.passwordSecret needs redis.connectionString or redis.existingSecret", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_gateway_runs_the_default_chart_configuration_with_metrics_only_on_the_metrics_port()
    {
        var chart = await RenderedChart.RenderAsync(valuesFile: null);
        var directory = await PublishedBuild.GatewayAsync();
        var config = Path.Combine(Path.GetTempPath(), $"mg-chart-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, chart.GatewayConfig.ToJsonString());
        var metricsPort = GatewayProcess.FreePort();
        try
        {
            // The pod's environment as rendered, with the listen addresses moved to loopback ports for the test.
            var environment = chart.Env.Where(e => e!["value"] is not null && (string?)e["name"] != "ASPNETCORE_URLS" && (string?)e["name"] != "MODELGATEWAY_CONFIG")
                .Select(e => ((string)e!["name"]!, (string)e["value"]!)).ToList();
            environment.RemoveAll(e => e.Item1 == "ModelGateway__Telemetry__Prometheus__Port");
            environment.Add(("ModelGateway__Telemetry__Prometheus__Port", metricsPort.ToString(CultureInfo.InvariantCulture)));
            await using var gateway = await GatewayProcess.StartAsync(directory, config, environment, [metricsPort]);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

            using var live = await http.GetAsync(gateway.BaseUrl + "/healthz");
            using var ready = await http.GetAsync(gateway.BaseUrl + "/readyz");
            using var metrics = await http.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");
            using var metricsOnClientPort = await http.GetAsync(gateway.BaseUrl + "/metrics");

            // The default serves nothing until deployments are added: alive, but not ready for traffic.
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("no_deployments", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("process_", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.NotFound, metricsOnClientPort.StatusCode);
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static JsonNode Volume(RenderedChart chart, string name) =>
        chart.Deployment["spec"]!["template"]!["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == name)!;

    private static async Task<HashSet<string>> GatewayRoutesAsync()
    {
        await using var gateway = await GatewayHost.StartAsync(TestConfig.Gateway());
        var endpoints = ((IEndpointRouteBuilder)gateway.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>();
        return endpoints.Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).ToHashSet(StringComparer.Ordinal);
    }
}
