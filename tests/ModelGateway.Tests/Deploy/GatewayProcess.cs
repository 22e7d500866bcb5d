using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// The published gateway (or simulator) as its own process (<c>dotnet ModelGateway.dll</c>), as a container or systemd runs it, on a
/// free loopback port. Signals are real: <see cref="SignalAsync"/> sends SIGTERM with kill(1).
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GatewayProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseUrl = $"http://127.0.0.1:{port}";
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string BaseUrl { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (for assertion messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet {directory}/ModelGateway.dll</c> with the configuration file and environment given, and waits for /healthz.</summary>
    public static Task<GatewayProcess> StartAsync(string directory, string configPath, params (string Name, string Value)[] environment) =>
        StartAsync(directory, "ModelGateway.dll", "/healthz", [(Hosting.GatewayApp.ConfigFileVariable, configPath), .. environment], []);

    /// <summary>As above, also listening on more loopback ports (e.g. a metrics port).</summary>
    public static Task<GatewayProcess> StartAsync(string directory, string configPath, IEnumerable<(string Name, string Value)> environment, int[] extraPorts) =>
        StartAsync(directory, "ModelGateway.dll", "/healthz", [(Hosting.GatewayApp.ConfigFileVariable, configPath), .. environment], extraPorts);

    /// <summary>Starts <c>dotnet {directory}/{dll}</c> on a free loopback port and waits until <paramref name="readyPath"/> answers 200.</summary>
    public static Task<GatewayProcess> StartAsync(string directory, string dll, string readyPath, params (string Name, string Value)[] environment) =>
        StartAsync(directory, dll, readyPath, environment, []);

    private static async Task<GatewayProcess> StartAsync(string directory, string dll, string readyPath, (string Name, string Value)[] environment, int[] extraPorts)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        start.ArgumentList.Add(Path.Combine(directory, dll));
        start.Environment["ASPNETCORE_URLS"] = string.Join(';', new[] { port }.Concat(extraPorts).Select(p => $"http://127.0.0.1:{p}"));
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var gateway = new GatewayProcess(Process.Start(start)!, port);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // Generous: several agents share this machine, and a process start can take tens of seconds under load.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (DateTime.UtcNow < deadline && !gateway.HasExited)
        {
            try
            {
                using var health = await client.GetAsync(gateway.BaseUrl + readyPath);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting under load.
            }

            await Task.Delay(100);
        }

        var output = gateway.Output;
        await gateway.DisposeAsync();
        throw new InvalidOperationException($"{dll} did not become ready on {readyPath}:\n{output}");
    }

    /// <summary>Sends a real signal (TERM, INT, ...) to the process.</summary>
    public async Task SignalAsync(string signal)
    {
        var (exitCode, output) = await PublishedBuild.RunAsync("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
        Assert.True(exitCode == 0, $"kill -{signal} failed: {output}");
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
