using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// Three published gateway processes (one configuration, sharing the Redis of its quota section) behind a real nginx
/// on a loopback port, running the shipped site <c>deploy/systemd/nginx-modelgateway.conf</c> (only the replicas' addresses
/// and the port changed). nginx adds <c>x-upstream</c> (the replica, or replicas, that answered) to every response.
/// </summary>
internal sealed class ReplicaSet : IAsyncDisposable
{
    private readonly Process _nginx;
    private readonly DirectoryInfo _work;
    private readonly string _config;

    private ReplicaSet(IReadOnlyList<GatewayProcess> replicas, Process nginx, int port, DirectoryInfo work, string config)
    {
        Replicas = replicas;
        _nginx = nginx;
        Port = port;
        _work = work;
        _config = config;
    }

    public IReadOnlyList<GatewayProcess> Replicas { get; }

    /// <summary>nginx's port on 127.0.0.1.</summary>
    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>
    /// Starts the replicas in front of <paramref name="simulator"/> (model <c>m</c>), the test key limited by
    /// <paramref name="keyLimits"/>, with <paramref name="quotas"/> as the <c>Quotas</c> section, then nginx.
    /// </summary>
    public static async Task<ReplicaSet> StartAsync(SimulatorHost simulator, JsonObject quotas, JsonObject keyLimits, bool prometheus,
        params (string Name, string Value)[] environment)
    {
        var nginxBinary = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        Assert.True(nginxBinary is not null, "nginx is missing: 'apt-get install -y nginx' (tests/run.sh does this on CI).");
        var directory = await PublishedBuild.GatewayAsync();
        var section = TestConfig.Gateway().WithProvider("sim", simulator.BaseUrl + "/v1").WithDeployment("d", "sim", ["m"]);
        section["Keys"]![TestConfig.ClientKeyId]!["Limits"] = keyLimits;
        section["Quotas"] = quotas;
        if (prometheus)
        {
            section["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true } };
        }

        var config = Path.Combine(Path.GetTempPath(), $"mg-replicas-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["ModelGateway"] = section,
            ["Serilog"] = new JsonObject { ["MinimumLevel"] = new JsonObject { ["Override"] = new JsonObject { ["ModelGateway.Quotas.QuotaHoldSweeper"] = "Information" } } },
        }.ToJsonString());
        var work = Directory.CreateTempSubdirectory("mg-nginx-");
        var replicas = new List<GatewayProcess>();
        try
        {
            var starting = Enumerable.Range(0, 3).Select(_ => GatewayProcess.StartAsync(directory, config, environment)).ToList();
            try
            {
                replicas.AddRange(await Task.WhenAll(starting));
            }
            finally
            {
                replicas.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Except(replicas));
            }

            var port = GatewayProcess.FreePort();
            var nginx = await StartNginxAsync(nginxBinary!, work.FullName, port, replicas);
            return new ReplicaSet(replicas, nginx, port, work, config);
        }
        catch
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            work.Delete(recursive: true);
            File.Delete(config);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_nginx.HasExited)
        {
            _nginx.Kill(entireProcessTree: true);
            await _nginx.WaitForExitAsync();
        }

        _nginx.Dispose();
        foreach (var replica in Replicas)
        {
            await replica.DisposeAsync();
        }

        _work.Delete(recursive: true);
        File.Delete(_config);
    }

    private static async Task<Process> StartNginxAsync(string binary, string prefix, int port, IEnumerable<GatewayProcess> replicas)
    {
        // The shipped site (deploy/systemd/nginx-modelgateway.conf) with these replicas, a loopback port and an x-upstream header.
        var site = File.ReadAllText(RepositoryFiles.PathOf("deploy", "systemd", "nginx-modelgateway.conf"));
        var servers = string.Concat(replicas.Select(r => $"  server 127.0.0.1:{r.Port};\n"));
        site = Replace(site, @"(  server 10\.0\.0\.\d+:8080;\n)+", servers);
        site = Replace(site, @"listen 80;", $"listen 127.0.0.1:{port};");
        site = Replace(site, @"location / \{\n", "location / {\n    add_header x-upstream $upstream_addr always;\n");
        await File.WriteAllTextAsync(Path.Combine(prefix, "modelgateway.conf"), site);
        var conf = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            worker_processes 1;
            pid {{prefix}}/nginx.pid;
            error_log {{prefix}}/error.log warn;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/body;
              proxy_temp_path {{prefix}}/proxy;
              fastcgi_temp_path {{prefix}}/fastcgi;
              uwsgi_temp_path {{prefix}}/uwsgi;
              scgi_temp_path {{prefix}}/scgi;
              include {{prefix}}/modelgateway.conf;
            }
            """);
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", prefix, "-c", conf, "-g", "daemon off;" })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100 && !process.HasExited; i++)
        {
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{port}/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        var errors = process.HasExited ? await process.StandardError.ReadToEndAsync() : "";
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
        throw new InvalidOperationException($"nginx did not start on port {port}: {errors} {File.ReadAllText(Path.Combine(prefix, "error.log"))}");
    }

    private static string Replace(string text, string pattern, string replacement)
    {
        var replaced = Regex.Replace(text, pattern, replacement.Replace("$", "$$", StringComparison.Ordinal), RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(replaced != text, $"deploy/systemd/nginx-modelgateway.conf no longer has '{pattern}'");
        return replaced;
    }
}
