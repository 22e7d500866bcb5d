namespace ModelGateway.Simulator.Hosting;

/// <summary>Which paths are provider API calls (recorded, authenticated, faulted) and which are control calls.</summary>
internal static class SimulatorPaths
{
    public static readonly PathString OpenAi = "/v1";
    public static readonly PathString Control = "/_sim";

    public static bool IsProviderApi(PathString path) =>
        path.StartsWithSegments(OpenAi) || path.StartsWithSegments(WireFormats.Gemini) || path.StartsWithSegments(WireFormats.Azure);
}
