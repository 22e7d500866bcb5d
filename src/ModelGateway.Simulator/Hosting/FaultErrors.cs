using ModelGateway.Simulator.Anthropic;
using ModelGateway.Simulator.Azure;
using ModelGateway.Simulator.Gemini;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Hosting;

/// <summary>Writes a simulated status fault in the envelope of the API the request speaks.</summary>
internal static class FaultErrors
{
    public static Task WriteAsync(HttpContext context, int status, string? message, int? retryAfterSeconds) =>
        WireFormats.Of(context.Request.Path) switch
        {
            WireFormat.Anthropic => AnthropicErrors.WriteAsync(context, status, message, retryAfterSeconds),
            WireFormat.Gemini => GeminiErrors.WriteAsync(context, status, message, retryAfterSeconds),
            WireFormat.Azure => AzureErrors.WriteFaultAsync(context, status, message, retryAfterSeconds),
            _ => OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.ForStatus(status, message), retryAfterSeconds),
        };

    /// <summary>A missing or wrong key, in the request's own format.</summary>
    public static Task WriteAuthenticationAsync(HttpContext context, bool missing) =>
        WireFormats.Of(context.Request.Path) switch
        {
            WireFormat.Anthropic => AnthropicErrors.WriteAsync(context, 401, missing ? "x-api-key header is required" : "invalid x-api-key", null),
            WireFormat.Gemini => GeminiErrors.WriteAsync(context, missing ? 403 : 400,
                missing ? "Method doesn't allow unregistered callers. Please use API Key or other form of API consumer identity to call this API."
                    : "API key not valid. Please pass a valid API key.", null),
            WireFormat.Azure => AzureErrors.WriteAsync(context, 401, "401",
                "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."),
            _ => OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidApiKey(missing)),
        };
}
