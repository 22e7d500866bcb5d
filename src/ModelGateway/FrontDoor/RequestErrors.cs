namespace ModelGateway.FrontDoor;

/// <summary>The 400 errors of request validation, worded like OpenAI's.</summary>
internal static class RequestErrors
{
    public static GatewayError InvalidJson() =>
        GatewayError.InvalidRequest("We could not parse the JSON body of your request. The body must be valid JSON.");

    public static GatewayError NotAnObject() =>
        GatewayError.InvalidRequest("The request body must be a JSON object.");

    public static GatewayError Missing(string param) =>
        GatewayError.InvalidRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    public static GatewayError WrongType(string param, string expected) =>
        GatewayError.InvalidRequest($"Invalid type for '{param}': expected {expected}.", param, "invalid_type");
}
