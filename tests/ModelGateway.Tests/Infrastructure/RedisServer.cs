using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on 127.0.0.1, no persistence. <see cref="SharedAddress"/> is the one tests/run.sh
/// started (<c>MG_TEST_REDIS</c>), or one this process starts on first use when the variable is missing.
/// Tests that kill Redis start their own with <see cref="StartAsync"/>. Tests isolate their data with
/// <see cref="NewPrefix"/>.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string AddressVariable = "MG_TEST_REDIS";

    private static readonly Lazy<Task<string>> Shared = new(StartSharedAsync);
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static Task<string> SharedAddressAsync() => Shared.Value;

    /// <summary>A quota key prefix (<c>Quotas:KeyPrefix</c>, no braces: the gateway adds hash tags) no other test uses.</summary>
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12] + ":";

    /// <summary>An admin store key prefix (<c>Admin:KeyPrefix</c>, one cluster hash tag) no other test uses.</summary>
    public static string NewTaggedPrefix() => "{t" + Guid.NewGuid().ToString("N")[..12] + "}:";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>From now on clients must authenticate with <paramref name="password"/> (<c>requirepass</c>).</summary>
    public async Task RequirePasswordAsync(string password)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONFIG SET requirepass {password}\r\n"));
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"redis-server refused requirepass: {reply}");
        }
    }

    /// <summary>Kills the process at once, as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>
    /// Stops the process (SIGSTOP) as an overloaded or swapped-out server stalls: connections stay open and what
    /// clients send waits in the socket, to be run when <see cref="Thaw"/> lets it continue.
    /// </summary>
    public void Freeze() => Signal("-STOP");

    public void Thaw() => Signal("-CONT");

    /// <summary>Starts the server again on the same port, empty.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Thaw();
        }

        Kill();
        return ValueTask.CompletedTask;
    }

    private void Signal(string signal)
    {
        var pid = (_process ?? throw new InvalidOperationException("redis-server is not running.")).Id;
        using var kill = Process.Start("kill", [signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start; install it (tests/run.sh does).");
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnswersAsync(Port);
    }

    private static async Task<string> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } address)
        {
            return address;
        }

        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server.Address;
    }

    private static async Task WaitUntilAnswersAsync(int port)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"redis-server on port {port} did not answer within 10 seconds.");
            }

            await Task.Delay(20);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
