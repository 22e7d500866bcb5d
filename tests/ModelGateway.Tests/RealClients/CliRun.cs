namespace ModelGateway.Tests.RealClients;

/// <summary>The outcome of one run of a real client's command line.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
{
    /// <summary>For assertion messages: everything the client printed.</summary>
    public override string ToString() => $"exit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
