using Microsoft.Extensions.Options;
using ModelGateway.Admin;
using ModelGateway.Configuration;
using ModelGateway.Telemetry;

namespace ModelGateway.Hosting;

/// <summary>
/// Where the configuration comes from, and the one check of all of it that both start-up and the
/// <c>validate</c> command run: the file loads, every key is known and well-typed (<see cref="StrictConfiguration"/>),
/// and the bound options pass <see cref="GatewayConfigBuilder"/> and the telemetry and admin checks.
/// </summary>
internal static class GatewayConfiguration
{
    /// <summary>Adds the <c>--config</c> file, then environment variables and the command line, which override it.</summary>
    public static ConfigFile? AddSources(WebApplicationBuilder builder, string[] args)
    {
        var path = builder.Configuration["config"] ?? Environment.GetEnvironmentVariable(GatewayApp.ConfigFileVariable);
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var file = ConfigFile.Add(builder.Configuration, path);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        builder.Services.AddSingleton(file);
        return file;
    }

    /// <summary>Every problem of the configuration, one line each; empty when the gateway can start with it.</summary>
    /// <param name="includeTelemetryOptions">Runs the telemetry options validator too. A starting host leaves it
    /// to <c>ValidateOnStart</c>, which reports it as an <see cref="OptionsValidationException"/> (also exit code 2).</param>
    public static List<string> Check(IConfiguration configuration, ConfigFile? file, bool includeTelemetryOptions = true)
    {
        if (file is { StartupProblems.Count: > 0 })
        {
            return [.. file.StartupProblems];
        }

        var errors = StrictConfiguration.Check(configuration, file);
        if (errors.Count > 0)
        {
            // The values would not bind as written; checking them further would only repeat the same problems.
            return errors;
        }

        var options = configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
        GatewayConfigBuilder.TryBuild(options, Environment.GetEnvironmentVariable, errors);

        var telemetry = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (includeTelemetryOptions && new TelemetryOptionsValidator().Validate(null, telemetry) is { Failed: true } failed)
        {
            errors.AddRange(failed.Failures ?? []);
        }

        try
        {
            // Registers nothing that connects anywhere; it refuses an unusable Admin:Store.
            new ServiceCollection().AddAdminApi(configuration);
        }
        catch (GatewayConfigException ex)
        {
            errors.AddRange(ex.Errors);
        }

        return errors;
    }
}
