using ModelGateway.Admin;
using ModelGateway.Telemetry;

namespace ModelGateway.Configuration;

/// <summary>
/// Which parts of the configuration are checked by <see cref="ConfigSchema"/>, and against which options types.
/// <c>ModelGateway</c> (with <c>ModelGateway:Telemetry</c>) and <c>Admin</c> are ours and strict. Other
/// top-level sections belong to their owners and are left to them: <c>Serilog</c>, <c>Logging</c>, <c>Kestrel</c>,
/// <c>urls</c>, <c>AllowedHosts</c>, and every environment variable (they all appear at the top level).
/// </summary>
internal static class StrictConfiguration
{
    private static readonly Dictionary<string, Type> ExtraGatewayFields = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Telemetry"] = typeof(TelemetryOptions),
        ["Shutdown"] = typeof(Hosting.ShutdownOptions),
        ["Ledger"] = typeof(Accounting.LedgerOptions),
    };

    /// <summary>Every problem of the strict sections; empty when they can be bound as they are.</summary>
    public static List<string> Check(IConfiguration configuration, ConfigFile? configFile)
    {
        var errors = CheckGateway(configuration, configFile);
        var admin = configuration.GetSection(AdminOptions.SectionName);
        ConfigSchema.Validate(admin, typeof(AdminOptions), admin.Path, errors);
        return errors;
    }

    /// <summary>The <c>ModelGateway</c> section alone (what a reload changes).</summary>
    public static List<string> CheckGateway(IConfiguration configuration, ConfigFile? configFile)
    {
        var gateway = configuration.GetSection(GatewayOptions.SectionName);
        if (!gateway.Exists() || configFile?.HasGatewaySection(configuration) == false)
        {
            return [configFile is null
                ? $"{GatewayOptions.SectionName}: no configuration was given. Pass --config FILE (or set {GatewayOptions.ConfigFileVariable}) naming a JSON file " +
                  "with a top-level \"ModelGateway\" object holding Providers, Deployments and Keys; see docs/configuration.md."
                : $"{GatewayOptions.SectionName}: the file '{configFile.Path}' has no top-level \"ModelGateway\" object. It must hold the gateway's " +
                  "Providers, Deployments and Keys, e.g. {\"ModelGateway\": {\"Providers\": {...}, \"Deployments\": {...}, \"Keys\": {...}}}; see docs/configuration.md."];
        }

        var errors = new List<string>();
        CheckGateway(gateway, errors);
        return errors;
    }

    /// <summary>The <c>ModelGateway</c> section: <see cref="GatewayOptions"/> plus the telemetry sub-section, read by its own options.</summary>
    public static void CheckGateway(IConfigurationSection gateway, List<string> errors) =>
        ConfigSchema.Validate(gateway, typeof(GatewayOptions), gateway.Path, errors, ExtraGatewayFields);
}
