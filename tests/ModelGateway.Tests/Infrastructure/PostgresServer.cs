using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL (the Debian package) on 127.0.0.1, in a temporary data directory, run as a non-root user
/// (<c>postgres</c> via runuser when the tests run as root). <see cref="SharedConnectionStringAsync"/> is the one
/// tests/run.sh started (<c>MG_TEST_POSTGRES</c>), or one this process starts on first use. Tests isolate their
/// data with <see cref="NewDatabaseAsync"/>; tests that kill the server start their own with <see cref="StartAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string ConnectionVariable = "MG_TEST_POSTGRES";
    public const string BinVariable = "MG_TEST_POSTGRES_BIN";

    private static readonly Lazy<Task<string>> Shared = new(StartSharedAsync);
    private readonly string _dataDirectory;

    private PostgresServer(string dataDirectory, int port)
    {
        _dataDirectory = dataDirectory;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    public static Task<string> SharedConnectionStringAsync() => Shared.Value;

    /// <summary>A fresh, empty database on the shared server; returns its connection string.</summary>
    public static async Task<string> NewDatabaseAsync()
    {
        var server = await SharedConnectionStringAsync();
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ToString();
    }

    public static async Task<PostgresServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("mg-pg-").FullName;
        if (IsRoot)
        {
            await RunAsync("chown", "postgres:postgres", directory);
        }

        await RunAsync(Tool("initdb"), "-D", directory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync");
        var server = new PostgresServer(directory, FreePort());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts (again) on the same port and data directory.</summary>
    public async Task RestartAsync()
    {
        var options = string.Create(CultureInfo.InvariantCulture,
            $"-p {Port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200");
        await RunAsync(Tool("pg_ctl"), "-D", _dataDirectory, "-o", options, "-l", Path.Combine(_dataDirectory, "server.log"), "-w", "-t", "60", "start");
    }

    /// <summary>Stops at once, as a crash would (<c>pg_ctl stop -m immediate</c>): the next start recovers from the WAL.</summary>
    public Task KillAsync() => RunAsync(Tool("pg_ctl"), "-D", _dataDirectory, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        // The postmaster may still be removing its files just after pg_ctl returns: retry briefly.
        for (var attempt = 0; attempt < 10 && Directory.Exists(_dataDirectory); attempt++)
        {
            try
            {
                Directory.Delete(_dataDirectory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Task.Delay(100);
            }
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>The server binaries: tests/run.sh names them, else the newest Debian install.</summary>
    private static string Tool(string name) => Path.Combine(
        Environment.GetEnvironmentVariable(BinVariable) is { Length: > 0 } bin
            ? bin
            : Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Order(StringComparer.Ordinal).Last(),
        name);

    private static async Task<string> StartSharedAsync()
    {
        if (Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } connectionString)
        {
            return connectionString;
        }

        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return server.ConnectionString;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(IsRoot && program != "chown" ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (IsRoot && program != "chown")
        {
            foreach (var prefix in new[] { "-u", "postgres", "--", program })
            {
                info.ArgumentList.Add(prefix);
            }
        }
        else if (program == "chown")
        {
            info.FileName = "chown";
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start; install postgresql (tests/run.sh does).");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output} {await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
