using System.Diagnostics;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>The built gateway executable (<c>dotnet ModelGateway.dll ...</c>) run as its own process, as an operator runs it.</summary>
public static class GatewayProcess
{
    /// <summary>The gateway's entry assembly, copied beside the tests with its runtimeconfig.</summary>
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "ModelGateway.dll");

    public static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // The test process's own configuration must not leak into the child.
        start.Environment.Remove("MODELGATEWAY_CONFIG");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>Runs to completion (at most 60 s) and returns the exit code and both outputs.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(null, args);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(environment, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'ModelGateway {string.Join(' ', args)}' did not exit within 60 s (did it start a server?).");
        }

        return (process.ExitCode, await output, await error);
    }
}
