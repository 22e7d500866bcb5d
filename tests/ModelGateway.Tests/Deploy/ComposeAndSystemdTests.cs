using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// deploy/compose and deploy/systemd: every configuration key, port, path and file they refer to exists in the
/// gateway's schema, in the images, or in the repository. (The published gateway serving the Compose configuration
/// is <see cref="ContainerImageTests"/>.)
/// </summary>
public sealed partial class ComposeAndSystemdTests
{
    private static readonly string ComposeDirectory = RepositoryFiles.PathOf("deploy", "compose");

    [Fact]
    public void Compose_gateway_uses_known_configuration_keys_and_the_image_paths()
    {
        var gateway = Service("gateway");
        var environment = gateway["environment"]!.AsObject();
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ComposeDirectory, "gateway.json")))!;

        var unknownVariables = environment.Select(p => p.Key).Where(n => !ConfigSchema.IsKnownVariable(n)).ToList();
        var unknownKeys = ConfigSchema.LeafKeys(config).Where(k => !ConfigSchema.Exists(k)).ToList();
        Assert.Empty(unknownVariables);
        Assert.Empty(unknownKeys);
        var mount = gateway["volumes"]!.AsArray().Select(v => ((string)v!).Split(':')).Single(v => v[0] == "./gateway.json");
        Assert.Equal((string?)environment["MODELGATEWAY_CONFIG"], mount[1]);
        Assert.Equal("ro", mount[2]);
        Assert.Equal("true", (string?)gateway["read_only"]);
        Assert.Contains("/tmp", gateway["tmpfs"]!.AsArray().Select(t => (string?)t));
        foreach (var name in new[] { "gateway", "simulator" })
        {
            var build = Service(name)["build"]!;
            Assert.True(File.Exists(Path.Combine(ComposeDirectory, (string)build["context"]!, (string)build["dockerfile"]!)), $"{name}: Dockerfile not found");
        }

        // Docker's stop timeout covers the gateway's whole drain.
        var shutdown = config["ModelGateway"]!["Shutdown"]!;
        var drain = TimeSpan.Parse((string)shutdown["GracePeriod"]!, CultureInfo.InvariantCulture) + TimeSpan.Parse((string)shutdown["DrainTimeout"]!, CultureInfo.InvariantCulture);
        // The stop waits for the drain, then for the quota settlements of what it cut.
        Assert.True(Seconds((string)gateway["stop_grace_period"]!) > (drain + ModelGateway.Quotas.QuotaDrain.SettleTimeout).TotalSeconds);
    }

    [Fact]
    public void Compose_services_reach_each_other_on_the_ports_the_images_listen_on()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ComposeDirectory, "gateway.json")))!["ModelGateway"]!;
        var gatewayPort = ImagePort("Dockerfile");
        var simulatorPort = ImagePort("Dockerfile.simulator");

        // The gateway's upstream is the simulator service on the simulator image's port.
        var upstream = new Uri((string)config["Providers"]!["simulator"]!["BaseUrl"]!);
        Assert.Equal(("simulator", simulatorPort), (upstream.Host, upstream.Port));
        Assert.NotNull(Service("simulator"));
        Assert.Equal("redis:6379", (string?)Service("gateway")["environment"]!["ModelGateway__Quotas__Redis"]);
        Assert.NotNull(Service("redis"));

        // Prometheus scrapes every gateway replica on the gateway image's port, at the configured path.
        var scrape = YamlFiles.Read("deploy", "compose", "prometheus.yml")["scrape_configs"]!.AsArray().Single()!;
        var discovery = scrape["dns_sd_configs"]!.AsArray().Single()!;
        Assert.Equal(["gateway"], discovery["names"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(gatewayPort.ToString(CultureInfo.InvariantCulture), (string?)discovery["port"]);
        Assert.Equal("true", ((bool)config["Telemetry"]!["Prometheus"]!["Enabled"]!).ToString().ToLowerInvariant());
        Assert.Equal((string?)config["Telemetry"]!["Prometheus"]!["Path"], (string?)scrape["metrics_path"]);

        // nginx balances over the gateway replicas and keeps /admin and /metrics off the published port.
        var nginx = File.ReadAllText(Path.Combine(ComposeDirectory, "nginx.conf"));
        Assert.Contains($"server gateway:{gatewayPort} resolve;", nginx, StringComparison.Ordinal);
        Assert.Contains("location ~ ^/(admin|metrics) { return 404; }", nginx, StringComparison.Ordinal);

        // Grafana gets the shipped dashboards and provisioning, and a datasource pointing at the prometheus service.
        foreach (var volume in Service("grafana")["volumes"]!.AsArray().Select(v => ((string)v!).Split(':')[0]))
        {
            var source = Path.GetFullPath(Path.Combine(ComposeDirectory, volume));
            Assert.True(File.Exists(source) || Directory.Exists(source), $"grafana volume {volume} not found");
        }

        var datasource = YamlFiles.Read("deploy", "compose", "grafana-datasource.yaml")["datasources"]!.AsArray().Single()!;
        Assert.Equal("http://prometheus:9090", (string?)datasource["url"]);
        Assert.NotNull(Service("prometheus"));
    }

    [Fact]
    public void Systemd_env_file_uses_known_keys_and_the_unit_waits_for_the_drain()
    {
        var systemd = RepositoryFiles.PathOf("deploy", "systemd");
        // Commented-out assignments are templates to uncomment: they must be right too.
        var assignments = File.ReadAllLines(Path.Combine(systemd, "modelgateway.env"))
            .Select(l => Assignment().Match(l)).Where(m => m.Success).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var unit = File.ReadAllLines(Path.Combine(systemd, "modelgateway.service"))
            .Select(l => Assignment().Match(l)).Where(m => m.Success && !m.Value.StartsWith('#')).GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.Last().Groups[2].Value);

        var unknownVariables = assignments.Keys.Where(n => !ConfigSchema.IsKnownVariable(n)).ToList();
        Assert.Empty(unknownVariables);
        var urls = assignments["ASPNETCORE_URLS"].Split(';').Select(u => new Uri(u)).ToList();
        Assert.Contains(urls, u => u.Port == int.Parse(assignments["ModelGateway__Telemetry__Prometheus__Port"], CultureInfo.InvariantCulture) && u.Host == "127.0.0.1");
        Assert.Contains(urls, u => u.Port == int.Parse(assignments["Admin__Port"], CultureInfo.InvariantCulture) && u.Host == "127.0.0.1");
        var drain = TimeSpan.Parse(assignments["ModelGateway__Shutdown__GracePeriod"], CultureInfo.InvariantCulture)
            + TimeSpan.Parse(assignments["ModelGateway__Shutdown__DrainTimeout"], CultureInfo.InvariantCulture);
        Assert.True(int.Parse(unit["TimeoutStopSec"], CultureInfo.InvariantCulture) > (drain + ModelGateway.Quotas.QuotaDrain.SettleTimeout).TotalSeconds);
        Assert.Equal("SIGTERM", unit["KillSignal"]);
        Assert.StartsWith("/var/lib/" + unit["StateDirectory"] + "/", assignments["Admin__StorePath"], StringComparison.Ordinal);
        Assert.StartsWith("/var/lib/" + unit["StateDirectory"] + "/", assignments["ModelGateway__Ledger__DataDirectory"], StringComparison.Ordinal);
        Assert.Equal("/usr/bin/dotnet /opt/modelgateway/ModelGateway.dll", unit["ExecStart"]);
        Assert.Equal("/etc/modelgateway/modelgateway.env", unit["EnvironmentFile"]);
        // Exit code 2 is the gateway's "invalid configuration" (Program.cs): not worth a restart loop.
        Assert.Equal("2", unit["RestartPreventExitStatus"]);
        Assert.Equal("modelgateway", unit["User"]);
    }

    private static JsonNode Service(string name) => YamlFiles.Read("deploy", "compose", "compose.yaml")["services"]![name]!;

    private static int ImagePort(string dockerfile)
    {
        var text = File.ReadAllText(RepositoryFiles.PathOf("deploy", "docker", dockerfile));
        return int.Parse(Regex.Match(text, @"ASPNETCORE_URLS=http://0\.0\.0\.0:(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static int Seconds(string duration) => int.Parse(duration.TrimEnd('s'), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^#?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")]
    private static partial Regex Assignment();
}
