using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster of three primaries (no replicas) on free 127.0.0.1 ports, made with
/// <c>redis-server --cluster-enabled yes</c> and <c>redis-cli --cluster create</c>, in a temporary directory that
/// <see cref="DisposeAsync"/> removes after stopping the servers. Optionally with an ACL user (the default user
/// switched off) and TLS only (a private CA made here; the cluster bus runs over TLS too).
/// </summary>
public sealed class RedisCluster : IAsyncDisposable
{
    public const string User = "modelgateway";

    private readonly List<Process> _processes = [];
    private readonly DirectoryInfo _directory;
    private readonly int[] _ports;

    private RedisCluster(DirectoryInfo directory, int[] ports, string? password, bool tls)
    {
        _directory = directory;
        _ports = ports;
        Password = password;
        Tls = tls;
    }

    /// <summary>The ACL user's password, or null when the cluster needs no authentication.</summary>
    public string? Password { get; }

    public bool Tls { get; }

    /// <summary>PEM file of the CA that signed the servers' certificate (TLS only).</summary>
    public string CaCertificate => Path.Combine(_directory.FullName, "ca.crt");

    /// <summary>Every node, as a StackExchange.Redis connection string lists them (no credentials).</summary>
    public string Endpoints => string.Join(',', _ports.Select(p => $"127.0.0.1:{p}"));

    /// <summary>Where clients connect: the nodes, the ACL user and TLS, without the password.</summary>
    public string ConnectionString => Endpoints + (Password is null ? "" : $",user={User}") + (Tls ? ",ssl=true" : "");

    public static async Task<RedisCluster> StartAsync(string? password = null, bool tls = false)
    {
        // A free port is only free until someone else binds it: tests run in parallel, and a node whose port was
        // taken in between never answers. Start again on new ports rather than fail the test on that race.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(password, tls);
            }
            catch (TimeoutException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<RedisCluster> StartOnceAsync(string? password, bool tls)
    {
        var cluster = new RedisCluster(Directory.CreateTempSubdirectory("mg-redis-cluster-"), [FreePort(), FreePort(), FreePort()], password, tls);
        try
        {
            if (tls)
            {
                cluster.WriteCertificates();
            }

            foreach (var port in cluster._ports)
            {
                cluster.StartNode(port);
            }

            await cluster.CreateAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>redis-cli</c> against one node (with the cluster's credentials and TLS) and returns its output.</summary>
    public Task<string> CliAsync(int node, params string[] args) => RunAsync("redis-cli", [.. ClientArgs(), "-p", Port(node), .. args]);

    public ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }

            process.Dispose();
        }

        _processes.Clear();
        _directory.Delete(recursive: true);
        return ValueTask.CompletedTask;
    }

    private string Port(int node) => _ports[node].ToString(CultureInfo.InvariantCulture);

    private void StartNode(int port)
    {
        var node = Path.Combine(_directory.FullName, port.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(node);
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = node,
        };
        string[] args =
        [
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", node,
            "--cluster-enabled", "yes", "--cluster-config-file", Path.Combine(node, "nodes.conf"), "--cluster-node-timeout", "5000",
            // The bus port would be port + 10000, which may be past 65535 for a free ephemeral port.
            "--cluster-port", FreePort().ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var portArgs = Tls
            ? new[] { "--port", "0", "--tls-port", port.ToString(CultureInfo.InvariantCulture), "--tls-cluster", "yes", "--tls-auth-clients", "no",
                "--tls-cert-file", Path.Combine(_directory.FullName, "server.crt"), "--tls-key-file", Path.Combine(_directory.FullName, "server.key"),
                "--tls-ca-cert-file", CaCertificate }
            : ["--port", port.ToString(CultureInfo.InvariantCulture)];
        foreach (var arg in portArgs)
        {
            info.ArgumentList.Add(arg);
        }

        if (Password is not null)
        {
            // Only the ACL user may connect: the default user is off, as on a managed Redis with ACLs.
            foreach (var arg in new[] { "--user", User, "on", ">" + Password, "~*", "&*", "+@all", "--user", "default", "off" })
            {
                info.ArgumentList.Add(arg);
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start; install it (tests/run.sh does).");
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private async Task CreateAsync()
    {
        for (var node = 0; node < _ports.Length; node++)
        {
            await WaitAsync(node, "PING", "PONG");
        }

        await RunAsync("redis-cli", [.. ClientArgs(), "--cluster", "create", .. _ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "0", "--cluster-yes"]);
        for (var node = 0; node < _ports.Length; node++)
        {
            await WaitAsync(node, "CLUSTER INFO", "cluster_state:ok");
        }
    }

    private async Task WaitAsync(int node, string command, string expected)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            try
            {
                last = await CliAsync(node, command.Split(' '));
                if (last.Contains(expected, StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (InvalidOperationException ex)
            {
                last = ex.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Redis Cluster node {_ports[node]} did not answer '{command}' with '{expected}' within 20 s: {last}");
    }

    private string[] ClientArgs()
    {
        var args = new List<string> { "-h", "127.0.0.1" };
        if (Password is not null)
        {
            args.AddRange(["--user", User, "--pass", Password, "--no-auth-warning"]);
        }

        if (Tls)
        {
            args.AddRange(["--tls", "--cacert", CaCertificate]);
        }

        return [.. args];
    }

    private static async Task<string> RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited with {process.ExitCode}: {await output} {await error}");
        }

        return await output;
    }

    /// <summary>A CA and a certificate for 127.0.0.1 it signed (server and client use: the cluster bus is TLS too).</summary>
    private void WriteCertificates()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=ModelGateway test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var server = serverRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(12));

        File.WriteAllText(CaCertificate, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory.FullName, "server.crt"), server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory.FullName, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
