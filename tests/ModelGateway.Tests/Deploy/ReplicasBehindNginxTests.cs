using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.FrontDoor;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// Three published gateway processes sharing one Redis behind a real nginx (the Debian package, on loopback ports):
/// a key's RPM limit is exact across the replicas, and an admin change made through one reaches all within a second.
/// </summary>
public sealed class ReplicasBehindNginxTests
{
    private const string AdminKey = "mg-admin-demo-key";
    private const int RequestsPerMinute = 10;

    [Fact]
    public async Task Rpm_limit_holds_exactly_across_replicas_and_an_admin_change_reaches_every_replica_within_a_second()
    {
        var nginxBinary = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        Assert.True(nginxBinary is not null, "nginx is missing: 'apt-get install -y nginx' (tests/run.sh does this on CI).");
        var directory = await PublishedBuild.GatewayAsync();
        var redis = await RedisServer.SharedAddressAsync();
        await using var simulator = await SimulatorHost.StartAsync();
        var config = await WriteConfigAsync(simulator, redis);
        var work = Directory.CreateTempSubdirectory("mg-nginx-");
        var replicas = new List<GatewayProcess>();
        Process? nginx = null;
        try
        {
            (string, string)[] environment =
            [
                ("Admin__Keys__ops__Sha256", ClientAuthenticationMiddleware.HashKey(AdminKey)),
                ("Admin__Store", "redis"),
                ("Admin__KeyPrefix", RedisServer.NewTaggedPrefix()),
            ];
            var starting = Enumerable.Range(0, 3).Select(_ => GatewayProcess.StartAsync(directory, config, environment)).ToList();
            replicas.AddRange(await Task.WhenAll(starting));
            var port = GatewayProcess.FreePort();
            nginx = await StartNginxAsync(nginxBinary!, work.FullName, port, replicas);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

            // The key's RPM limit, counted in Redis, holds exactly while nginx spreads the requests over the replicas.
            var statuses = new List<HttpStatusCode>();
            var servedBy = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < RequestsPerMinute + 5; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
                {
                    Content = new StringContent("""{"model":"m","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new("Bearer", TestConfig.ClientKey);
                using var response = await http.SendAsync(request);
                statuses.Add(response.StatusCode);
                servedBy.Add(response.Headers.GetValues("x-upstream").Single());
            }

            Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, RequestsPerMinute).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 5)), statuses);
            Assert.Equal(replicas.Select(r => $"127.0.0.1:{r.Port}").Order(), servedBy.Order());

            // An alias added through the load balancer (one replica) is listed by every replica within a second.
            using var add = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/aliases")
            {
                Content = new StringContent("""{"id":"fast","target":"m"}""", Encoding.UTF8, "application/json"),
            };
            add.Headers.Authorization = new("Bearer", AdminKey);
            using var added = await http.SendAsync(add);
            var changed = Stopwatch.StartNew();
            Assert.True(added.IsSuccessStatusCode, $"{(int)added.StatusCode} {await added.Content.ReadAsStringAsync()}");
            var seen = await Task.WhenAll(replicas.Select(r => WaitForModelAsync(r, "fast", TimeSpan.FromSeconds(5))));
            Assert.All(seen, elapsed => Assert.True(elapsed is not null && changed.Elapsed <= TimeSpan.FromSeconds(5)));
            Assert.True(seen.Max() <= TimeSpan.FromSeconds(1), $"the slowest replica saw the change after {seen.Max()}");
        }
        finally
        {
            if (nginx is { HasExited: false })
            {
                nginx.Kill(entireProcessTree: true);
                await nginx.WaitForExitAsync();
            }

            nginx?.Dispose();
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            work.Delete(recursive: true);
            File.Delete(config);
        }
    }

    /// <summary>Polls one replica directly (not through nginx) until <c>/v1/models</c> lists the model; returns how long it took.</summary>
    private static async Task<TimeSpan?> WaitForModelAsync(GatewayProcess replica, string model, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = new Uri(replica.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestConfig.ClientKey);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var document = JsonDocument.Parse(await client.GetStringAsync("/v1/models"));
            if (document.RootElement.GetProperty("data").EnumerateArray().Any(m => m.GetProperty("id").GetString() == model))
            {
                return clock.Elapsed;
            }

            await Task.Delay(25);
        }

        return null;
    }

    private static async Task<string> WriteConfigAsync(SimulatorHost simulator, string redis)
    {
        var section = TestConfig.Gateway().WithProvider("sim", simulator.BaseUrl + "/v1").WithDeployment("d", "sim", ["m"]);
        section["Keys"]![TestConfig.ClientKeyId]!["Limits"] = new JsonObject { ["RequestsPerMinute"] = RequestsPerMinute };
        section["Quotas"] = new JsonObject { ["Redis"] = redis, ["KeyPrefix"] = RedisServer.NewPrefix(), ["FailureMode"] = "fail-closed",
            // A window longer than the test, however slow the machine: the count must not restart halfway.
            ["Window"] = "00:10:00",
        };
        var path = Path.Combine(Path.GetTempPath(), $"mg-replicas-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, new JsonObject { ["ModelGateway"] = section }.ToJsonString());
        return path;
    }

    private static async Task<Process> StartNginxAsync(string binary, string prefix, int port, IEnumerable<GatewayProcess> replicas)
    {
        var servers = string.Concat(replicas.Select(r => $"    server 127.0.0.1:{r.Port};\n"));
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
              upstream modelgateway {
            {{servers}}    keepalive 16;
              }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://modelgateway;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_buffering off;
                  add_header x-upstream $upstream_addr always;
                }
              }
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
        throw new InvalidOperationException($"nginx did not start on port {port}: {errors} {File.ReadAllText(Path.Combine(prefix, "error.log"))}");
    }
}
