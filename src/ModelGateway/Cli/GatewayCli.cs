using System.Reflection;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Hosting;

namespace ModelGateway.Cli;

/// <summary>
/// The command line: a few commands, and otherwise the arguments go to the ASP.NET Core host as they are.
/// Hand-parsed on purpose: the host reads <c>--urls</c>, <c>--config</c> and any <c>--Section:Key=value</c>
/// override itself, in forms (<c>--k v</c>, <c>--k=v</c>, <c>/k v</c>, <c>k=v</c>) a general parser would have to be
/// taught to pass through untouched.
/// </summary>
internal static class GatewayCli
{
    /// <summary>Invalid configuration or command line.</summary>
    public const int InvalidExitCode = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        if (args is ["help", ..] || args.Any(a => a is "--help" or "-h" or "-?"))
        {
            await output.WriteAsync(Usage.Text);
            return 0;
        }

        if (args.Contains("--version"))
        {
            await output.WriteLineAsync($"ModelGateway {Version}");
            return 0;
        }

        switch (args)
        {
            case ["hash-key", var key]:
                await output.WriteLineAsync(ClientAuthenticationMiddleware.HashKey(key));
                return 0;
            case ["hash-key", ..]:
                return await FailAsync(error, "hash-key takes exactly one argument, the key: hash-key mg-...");
            case ["new-key"]:
                var secret = "mg-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
                await output.WriteLineAsync($"key:    {secret}");
                await output.WriteLineAsync($"sha256: {ClientAuthenticationMiddleware.HashKey(secret)}");
                return 0;
            case ["new-key", ..]:
                return await FailAsync(error, "new-key takes no arguments.");
            case ["probe", var probeUrl]:
                // The container health check: the image has no curl, so the gateway probes itself (deploy/docker/Dockerfile).
                return await HealthProbe.RunAsync(probeUrl);
            case ["validate", .. var rest]:
                return await ValidateCommand.RunAsync(rest, output, error);
            case [var first, ..] when !first.StartsWith('-') && !first.StartsWith('/') && !first.Contains('=', StringComparison.Ordinal):
                // The host would silently ignore a bare word and start serving.
                return await FailAsync(error, $"unknown command '{first}'.");
            default:
                return await ServeAsync(args, error);
        }
    }

    private static async Task<int> ServeAsync(string[] args, TextWriter error)
    {
        try
        {
            var app = GatewayApp.Build(args);
            await app.RunAsync();
            return 0;
        }
        catch (GatewayConfigException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return InvalidExitCode;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            // Sections validated as options (e.g. ModelGateway:Telemetry) fail at start-up the same way.
            await error.WriteLineAsync(GatewayConfigBuilder.Describe(ex.Failures));
            return InvalidExitCode;
        }
    }

    private static async Task<int> FailAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync($"{message} See --help.");
        return InvalidExitCode;
    }

    private static string Version =>
        typeof(GatewayCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(GatewayCli).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
