using ModelGateway.Configuration;
using ModelGateway.Hosting;

namespace ModelGateway.Cli;

/// <summary>
/// <c>validate [--config] FILE [overrides]</c>: the start-up checks of <see cref="GatewayConfiguration"/> on the same
/// sources (file, environment, command line), without starting a server or connecting anywhere.
/// </summary>
internal static class ValidateCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is [var file, .. var rest] && !file.StartsWith('-') && !file.Contains('=', StringComparison.Ordinal))
        {
            args = [$"--config={file}", .. rest];
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        var configFile = GatewayConfiguration.AddSources(builder, args);
        var problems = GatewayConfiguration.Check(builder.Configuration, configFile);
        if (problems.Count > 0)
        {
            await error.WriteLineAsync(GatewayConfigBuilder.Describe(problems));
            return GatewayCli.InvalidExitCode;
        }

        await output.WriteLineAsync("configuration is valid");
        return 0;
    }
}
