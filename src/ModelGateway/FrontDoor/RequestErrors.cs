using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>The 400 errors of request validation, worded like OpenAI's.</summary>
internal static class RequestErrors
{
    public static GatewayError InvalidJson() =>
        GatewayError.InvalidRequest("We could not parse the JSON body of your request. The body must be valid JSON.");

    public static GatewayError InvalidText() =>
        GatewayError.InvalidRequest("The request body contains a string that is not valid UTF-8 (or an unpaired surrogate escape such as \\ud800).", code: "invalid_encoding");

    public static GatewayError TrailingData() =>
        GatewayError.InvalidRequest("The request body has data after the JSON object. Send exactly one JSON object.", code: "trailing_data");

    public static GatewayError NotAnObject() =>
        GatewayError.InvalidRequest("The request body must be a JSON object.");

    public static GatewayError Missing(string param) =>
        GatewayError.InvalidRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    public static GatewayError WrongType(string param, string expected) =>
        GatewayError.InvalidRequest($"Invalid type for '{param}': expected {expected}.", param, "invalid_type");
}
