using Microsoft.Extensions.Options;
using ModelGateway.FrontDoor;

namespace ModelGateway.Hosting;

/// <summary>Registers graceful drain: the shutdown options, the drain state <c>/readyz</c> reads, and the host's timeout.</summary>
internal static class DrainServices
{
    public static void AddGracefulDrain(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(ShutdownOptions.SectionName);
        services.AddOptions<ShutdownOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ShutdownOptions>, ShutdownOptionsValidator>();
        services.AddSingleton<DrainState>();
        services.AddHostedService<GracefulDrain>();

        // The host cancels the whole stop (grace period, then the server's drain) after ShutdownTimeout.
        services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.GracePeriod + shutdown.Value.DrainTimeout);
    }
}
