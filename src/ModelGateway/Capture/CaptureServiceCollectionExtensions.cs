namespace ModelGateway.Capture;

/// <summary>Registers dataset capture: the policy the dispatcher asks, the background writer, the retention sweeper and the store.</summary>
internal static class CaptureServiceCollectionExtensions
{
    /// <summary>After the ledger: the writer and sweeper start once the ledger's schema is in place.</summary>
    public static IServiceCollection AddDatasetCapture(this IServiceCollection services)
    {
        services.AddSingleton<CaptureMetrics>();
        services.AddSingleton<CaptureStore>();
        services.AddSingleton<CaptureWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<CaptureWriter>());
        services.AddSingleton<CaptureSweeper>();
        services.AddHostedService(provider => provider.GetRequiredService<CaptureSweeper>());
        services.AddSingleton<CapturePolicy>();
        return services;
    }
}
