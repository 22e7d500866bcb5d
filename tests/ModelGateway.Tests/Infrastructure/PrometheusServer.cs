using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// A real Prometheus server (the Debian <c>prometheus</c> package; tests/run.sh installs it) on 127.0.0.1 at a
/// free port, scraping one target every second from a generated configuration, with its data in a temp directory.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string directory, string baseUrl)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>The prometheus binary: <c>PROMETHEUS_BIN</c>, else the first <c>prometheus</c> on PATH, else null.</summary>
    public static string? FindBinary()
    {
        if (Environment.GetEnvironmentVariable("PROMETHEUS_BIN") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            var candidate = Path.Combine(directory, "prometheus");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <param name="target">host:port of the gateway.</param>
    /// <param name="metricsPath">The scrape path.</param>
    public static async Task<PrometheusServer> StartAsync(string target, string metricsPath = "/metrics")
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(
            "The prometheus binary was not found (PROMETHEUS_BIN or PATH). Install it with 'apt-get install -y prometheus'; " +
            "tests/run.sh does this on CI machines.");
        var directory = Directory.CreateTempSubdirectory("mg-prometheus-").FullName;
        var configPath = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: modelgateway
                metrics_path: {metricsPath}
                static_configs:
                  - targets: ["{target}"]
            """);

        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--config.file=" + configPath);
        start.ArgumentList.Add("--storage.tsdb.path=" + Path.Combine(directory, "data"));
        start.ArgumentList.Add("--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add("--log.level=warn");
        var process = Process.Start(start) ?? throw new InvalidOperationException("prometheus did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new PrometheusServer(process, directory, $"http://127.0.0.1:{port}");
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Runs an instant PromQL query; returns the result array (empty when no data), failing on a query error.</summary>
    public async Task<JsonElement> QueryAsync(string promQl)
    {
        using var response = await _http.GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(promQl));
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus rejected the query {promQl}: {text}");
        }

        var data = root.GetProperty("data");
        var result = data.GetProperty("result").Clone();
        return data.GetProperty("resultType").GetString() is "scalar" or "string"
            ? JsonDocument.Parse($"[{{\"value\":{result.GetRawText()}}}]").RootElement.Clone()
            : result;
    }

    /// <summary>The single value of a query that yields one sample, or null when it yields none.</summary>
    public async Task<double?> ScalarAsync(string promQl)
    {
        var result = await QueryAsync(promQl);
        if (result.GetArrayLength() == 0)
        {
            return null;
        }

        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls a query until its value satisfies the condition (scrapes arrive every second).</summary>
    public async Task WaitForAsync(string promQl, Func<double, bool> condition, string what, int timeoutMs = 30_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        double? last = null;
        while (Environment.TickCount64 < deadline)
        {
            last = await ScalarAsync(promQl);
            if (last is { } value && condition(value))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Prometheus did not show {what} within {timeoutMs} ms (last value of '{promQl}': {last?.ToString(CultureInfo.InvariantCulture) ?? "no data"}).");
    }

    private async Task WaitReadyAsync()
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (Environment.TickCount64 < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with code {_process.ExitCode} at start-up.");
            }

            try
            {
                using var response = await _http.GetAsync("/-/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("prometheus did not become ready within 30 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
