using System.Text.Json;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Reads the request body as JSON, reusing the bytes the recording middleware already read.</summary>
internal static class RequestJson
{
    /// <summary>The parsed body, or null when it is not valid JSON.</summary>
    public static async Task<JsonDocument?> ReadAsync(HttpContext context)
    {
        var feature = SimulatorRequestFeature.Get(context);
        try
        {
            return feature.BufferedBody is { } body
                ? JsonDocument.Parse(body)
                : await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
