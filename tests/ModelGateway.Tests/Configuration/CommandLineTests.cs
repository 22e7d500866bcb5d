using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ModelGateway.FrontDoor;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Configuration;

/// <summary>
/// The built executable as an operator runs it: <c>--help</c>, <c>--version</c>, <c>validate</c>, the key commands,
/// and start-up with bad configuration (exit code 2, one line per problem, never a stack trace).
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mg-cli-").FullName;

    private static string QuickStartFile => RepositoryFiles.PathOf("deploy", "quickstart", "gateway.json");

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--help", "--urls", "http://127.0.0.1:1")]
    public async Task Help_prints_usage_and_exits_without_starting_a_server(params string[] args)
    {
        var (exitCode, output, _) = await GatewayProcess.RunAsync(args);

        Assert.Equal(0, exitCode);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        Assert.Contains("validate [--config] FILE", output, StringComparison.Ordinal);
        Assert.Contains("hash-key KEY", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Version_prints_the_version_and_exits_0()
    {
        var (exitCode, output, _) = await GatewayProcess.RunAsync("--version");

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^ModelGateway \d+\.\d+\.\d+", output);
    }

    [Fact]
    public async Task Validate_accepts_the_shipped_quick_start_file_in_both_forms()
    {
        foreach (var args in new[] { new[] { "validate", "--config", QuickStartFile }, ["validate", QuickStartFile] })
        {
            var (exitCode, output, error) = await GatewayProcess.RunAsync(args);

            Assert.True(exitCode == 0, error);
            Assert.Equal("configuration is valid", output.Trim());
        }
    }

    [Fact]
    public async Task Validate_lists_every_wrong_type_and_unknown_field_at_once_with_its_path()
    {
        var config = QuickStart();
        var qwen = config["ModelGateway"]!["Deployments"]!["qwen3-simulated"]!;
        qwen["ContextWindow"] = "32k";
        qwen["Capabilites"] = new JsonArray("chat");
        config["ModelGateway"]!["Routes"] = new JsonObject
        {
            ["restricted-local"] = new JsonObject { ["Order"] = "ten", ["Deployments"] = new JsonArray("qwen3-simulated") },
        };
        config["ModelGateway"]!["Providers"]!["simulator"]!["ResponseTimeout"] = "50.00:00:00";

        var (exitCode, output, error) = await GatewayProcess.RunAsync("validate", Write("typos.json", config));

        Assert.Equal(2, exitCode);
        Assert.Equal("", output);
        var lines = Lines(error);
        Assert.Contains("  - ModelGateway:Deployments:qwen3-simulated:ContextWindow: '32k' is not an integer.", lines);
        Assert.Contains("  - ModelGateway:Routes:restricted-local:Order: 'ten' is not an integer.", lines);
        Assert.Contains(lines, l => l.StartsWith("  - ModelGateway:Deployments:qwen3-simulated:Capabilites: unknown field (did you mean 'Capabilities'?)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  - ModelGateway:Providers:simulator:ResponseTimeout: '50.00:00:00' is longer than the maximum", StringComparison.Ordinal));
        Assert.Equal(5, lines.Length); // the header and one line per problem
        AssertNoStackTrace(error);
    }

    public static TheoryData<string, string, string> BrokenFiles => new()
    {
        { "broken.json", "{\"ModelGateway\": {\"Keys\": ", "the file is not valid JSON configuration" },
        { "missing.json", "", "does not exist" },
        { "no-section.json", "{\"Serilog\": {}}", "has no top-level \"ModelGateway\" object" },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public async Task A_broken_missing_or_sectionless_file_exits_2_with_one_line_whether_validated_or_served(string name, string content, string expected)
    {
        var path = Path.Combine(_directory, name);
        if (content.Length > 0)
        {
            await File.WriteAllTextAsync(path, content);
        }

        foreach (var args in new[] { new[] { "validate", path }, ["--config", path, "--urls", "http://127.0.0.1:0"] })
        {
            var (exitCode, _, error) = await GatewayProcess.RunAsync(args);

            Assert.True(exitCode == 2, $"exit {exitCode}: {error}");
            var lines = Lines(error);
            Assert.Equal(2, lines.Length);
            Assert.Contains(expected, lines[1], StringComparison.Ordinal);
            AssertNoStackTrace(error);
        }
    }

    [Fact]
    public async Task Environment_and_command_line_overrides_are_held_to_the_same_rules()
    {
        var environment = new Dictionary<string, string> { ["ModelGateway__Deployments__qwen3-simulated__ContextWindow"] = "32k" };
        var (exitCode, _, error) = await GatewayProcess.RunAsync(environment,
            "validate", QuickStartFile, "--ModelGateway:Fallback:TimeBudget=50.00:00:00", "--ModelGateway:Limits:MaxRequestBodyBytes=1MB");

        Assert.Equal(2, exitCode);
        var lines = Lines(error);
        Assert.Contains("  - ModelGateway:Deployments:qwen3-simulated:ContextWindow: '32k' is not an integer.", lines);
        Assert.Contains("  - ModelGateway:Limits:MaxRequestBodyBytes: '1MB' is not an integer.", lines);
        Assert.Contains(lines, l => l.StartsWith("  - ModelGateway:Fallback:TimeBudget: '50.00:00:00' is longer than the maximum", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Key_commands_still_work_and_an_unknown_command_is_refused()
    {
        var hashed = await GatewayProcess.RunAsync("hash-key", "mg-some-key");
        Assert.Equal(0, hashed.ExitCode);
        Assert.Equal(ClientAuthenticationMiddleware.HashKey("mg-some-key"), hashed.Output.Trim());

        var made = await GatewayProcess.RunAsync("new-key");
        Assert.Equal(0, made.ExitCode);
        var key = Lines(made.Output)[0]["key:    ".Length..];
        Assert.StartsWith("mg-", key, StringComparison.Ordinal);
        Assert.Equal($"sha256: {ClientAuthenticationMiddleware.HashKey(key)}", Lines(made.Output)[1]);

        var unknown = await GatewayProcess.RunAsync("serve", "--config", QuickStartFile);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown command 'serve'", unknown.Error, StringComparison.Ordinal);

        var missingArgument = await GatewayProcess.RunAsync("hash-key");
        Assert.Equal(2, missingArgument.ExitCode);
    }

    [Fact]
    public async Task The_server_takes_urls_config_and_overrides_from_the_command_line_and_warns_about_the_quick_start_key()
    {
        var port = FreePort();
        var output = new ConcurrentQueue<string>();
        var start = GatewayProcess.StartInfo(null,
            "--config", QuickStartFile, "--urls", $"http://127.0.0.1:{port}", "--ModelGateway:Limits:MaxRequestBodyBytes=2048");
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", "mg-quickstart-key");
            var models = await RetryUntilListeningAsync(() => client.GetStringAsync(new Uri("/v1/models", UriKind.Relative)), process, output);
            Assert.Contains("\"qwen3\"", models, StringComparison.Ordinal);

            // The override lowered the body limit from 16 MiB to 2 KiB.
            using var large = new StringContent($$"""{"model":"qwen3","messages":[{"role":"user","content":"{{new string('x', 4096)}}"}]}""",
                System.Text.Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), large);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

            Assert.Contains(output, line => line.Contains("publicly known key (mg-quickstart-key)", StringComparison.Ordinal) && line.Contains("WRN", StringComparison.Ordinal));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private static async Task<string> RetryUntilListeningAsync(Func<Task<string>> call, Process process, ConcurrentQueue<string> output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200);
            }
            catch (HttpRequestException ex)
            {
                throw new InvalidOperationException($"The gateway did not answer: {string.Join('\n', output)}", ex);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static JsonObject QuickStart() => JsonNode.Parse(File.ReadAllText(QuickStartFile))!.AsObject();

    private string Write(string name, JsonObject config)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static string[] Lines(string text) => [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];

    private static void AssertNoStackTrace(string error)
    {
        Assert.DoesNotContain("Unhandled exception", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
