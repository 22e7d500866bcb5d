using System.Net;
using System.Text;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// The container images: their Dockerfiles build with deploy/docker/build.sh, and what that script publishes runs
/// as the images run it (same entry point, same environment, the Compose configuration, a writable data path).
/// </summary>
public sealed class ContainerImageTests
{
    [Theory]
    [InlineData("Dockerfile", "gateway", "ModelGateway.dll", 8080)]
    [InlineData("Dockerfile.simulator", "simulator", "ModelGateway.Simulator.dll", 8081)]
    public async Task Dockerfile_builds_with_the_script_the_suite_runs_and_runs_as_non_root(string file, string target, string dll, int port)
    {
        var lines = DockerfileInstructions(await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy", "docker", file)));

        Assert.Contains(lines, l => l.StartsWith($"RUN bash deploy/docker/build.sh {target} /app", StringComparison.Ordinal));
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 ", stages[0], StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled ", stages[^1], StringComparison.Ordinal);
        var user = lines.Single(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"USER {user} must be a non-root numeric uid");
        Assert.Contains($"ASPNETCORE_URLS=http://0.0.0.0:{port}", lines.Single(l => l.StartsWith("ENV ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"/app/{dll}\"]", lines);

        var published = target == "gateway" ? await PublishedBuild.GatewayAsync() : await PublishedBuild.SimulatorAsync();
        Assert.True(File.Exists(Path.Combine(published, dll)), $"build.sh {target} did not produce {dll}");
        Assert.True(File.Exists(Path.Combine(published, Path.ChangeExtension(dll, ".runtimeconfig.json"))));
    }

    [Fact]
    public async Task Gateway_dockerfile_health_check_is_the_gateway_probing_its_own_healthz()
    {
        var lines = DockerfileInstructions(await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy", "docker", "Dockerfile")));

        var check = lines.Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        Assert.EndsWith("CMD [\"dotnet\", \"/app/ModelGateway.dll\", \"probe\", \"http://127.0.0.1:8080/healthz\"]", check, StringComparison.Ordinal);
        Assert.Contains("MODELGATEWAY_CONFIG=/etc/modelgateway/gateway.json", lines.Single(l => l.StartsWith("ENV ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("Admin__StorePath=/data/store", lines.Single(l => l.StartsWith("ENV ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("ModelGateway__Ledger__DataDirectory=/data/ledger", lines.Single(l => l.StartsWith("ENV ", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_gateway_and_simulator_serve_the_compose_configuration_and_write_only_the_data_path()
    {
        var gatewayDirectory = await PublishedBuild.GatewayAsync();
        var simulatorDirectory = await PublishedBuild.SimulatorAsync();
        var data = Directory.CreateTempSubdirectory("mg-data-");
        try
        {
            await using var simulator = await GatewayProcess.StartAsync(simulatorDirectory, "ModelGateway.Simulator.dll", "/v1/models");
            // As in deploy/compose/compose.yaml, with the simulator's address and a file admin store (no Redis here).
            await using var gateway = await GatewayProcess.StartAsync(gatewayDirectory, RepositoryFiles.PathOf("deploy", "compose", "gateway.json"),
                ("ModelGateway__Providers__simulator__BaseUrl", simulator.BaseUrl + "/v1"),
                ("Admin__Keys__demo__Sha256", "104ded2280599b259866a3a51be236792b4cde363a7446bf35a02ab4bdc2ead0"),
                ("Admin__StorePath", Path.Combine(data.FullName, "store")),
                ("ModelGateway__Ledger__DataDirectory", Path.Combine(data.FullName, "ledger")));
            using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", "mg-quickstart-key");

            using var ready = await http.GetAsync("/readyz");
            using var response = await http.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"fast","messages":[{"role":"user","content":"Hello!"}]}""", Encoding.UTF8, "application/json"));
            using var admin = new HttpRequestMessage(HttpMethod.Get, "/admin/v1/config");
            admin.Headers.Authorization = new("Bearer", "mg-admin-demo-key");
            using var adminResponse = await http.SendAsync(admin);

            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync() + gateway.Output);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.StartsWith("simulator", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, adminResponse.StatusCode);
            Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(data.FullName, "store"), "*", SearchOption.AllDirectories));
            Assert.True(File.Exists(Path.Combine(data.FullName, "ledger", "ledger.db")), "the SQLite ledger is written under the data path");
            Assert.Equal(0, await ProbeAsync(gatewayDirectory, gateway.BaseUrl + "/healthz"));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Probe_command_fails_when_nothing_answers()
    {
        var directory = await PublishedBuild.GatewayAsync();

        Assert.Equal(1, await ProbeAsync(directory, $"http://127.0.0.1:{GatewayProcess.FreePort()}/healthz"));
        Assert.Equal(2, await ProbeAsync(directory, "not-a-url"));
    }

    private static async Task<int> ProbeAsync(string directory, string url)
    {
        var (exitCode, _) = await PublishedBuild.RunAsync("dotnet", [Path.Combine(directory, "ModelGateway.dll"), "probe", url], TimeSpan.FromSeconds(30));
        return exitCode;
    }

    /// <summary>Instructions with continuation lines joined and comments dropped.</summary>
    private static List<string> DockerfileInstructions(string text)
    {
        var instructions = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var continued = line.EndsWith('\\');
            current.Append(continued ? line[..^1].TrimEnd() + " " : line);
            if (!continued)
            {
                instructions.Add(System.Text.RegularExpressions.Regex.Replace(current.ToString(), @"\s+", " "));
                current.Clear();
            }
        }

        return instructions;
    }
}
