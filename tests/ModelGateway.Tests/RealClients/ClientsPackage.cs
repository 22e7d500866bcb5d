using System.Diagnostics;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// The npm package in tests/clients (Codex CLI, Claude Code, the Agents SDK, the OpenAI and Anthropic SDKs),
/// installed once per test run with <c>npm ci</c> from its committed lock file when it is missing or stale.
/// </summary>
internal static class ClientsPackage
{
    private static readonly SemaphoreSlim Install = new(1, 1);

    public static string Directory { get; } = Find();

    /// <summary>An executable of <c>node_modules/.bin</c>, installing the package first when needed.</summary>
    public static async Task<string> BinAsync(string name)
    {
        await EnsureInstalledAsync();
        var path = Path.Combine(Directory, "node_modules", ".bin", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not in tests/clients/node_modules/.bin after npm ci", path);
    }

    private static async Task EnsureInstalledAsync()
    {
        await Install.WaitAsync();
        try
        {
            var marker = Path.Combine(Directory, "node_modules", ".package-lock.json");
            if (File.Exists(marker) && File.GetLastWriteTimeUtc(marker) >= File.GetLastWriteTimeUtc(Path.Combine(Directory, "package-lock.json")))
            {
                return;
            }

            var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
            {
                WorkingDirectory = Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in tests/clients failed ({process.ExitCode}):\n{await output}{await error}");
            }
        }
        finally
        {
            Install.Release();
        }
    }

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "clients");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("tests/clients not found above " + AppContext.BaseDirectory);
    }
}
