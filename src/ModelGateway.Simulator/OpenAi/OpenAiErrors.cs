namespace ModelGateway.Simulator.OpenAi;

/// <summary>The errors the simulator returns, worded and typed like OpenAI's.</summary>
internal static class OpenAiErrors
{
    public const string InvalidRequest = "invalid_request_error";
    public const string ServerError = "server_error";

    public static OpenAiError InvalidJson() => new(
        StatusCodes.Status400BadRequest,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library "
        + "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        InvalidRequest);

    public static OpenAiError InvalidBody(string message) => new(StatusCodes.Status400BadRequest, message, InvalidRequest);

    public static OpenAiError MissingParameter(string param) => new(
        StatusCodes.Status400BadRequest, $"Missing required parameter: '{param}'.", InvalidRequest, param, "missing_required_parameter");

    public static OpenAiError InvalidType(string param, string expected) => new(
        StatusCodes.Status400BadRequest, $"Invalid type for '{param}': expected {expected}.", InvalidRequest, param, "invalid_type");

    public static OpenAiError InvalidValue(string param, string message) => new(
        StatusCodes.Status400BadRequest, message, InvalidRequest, param, "invalid_value");

    public static OpenAiError InvalidHeader(string header, string message) => new(
        StatusCodes.Status400BadRequest, message, InvalidRequest, header, "invalid_value");

    public static OpenAiError InvalidApiKey(bool missing) => new(
        StatusCodes.Status401Unauthorized,
        missing
            ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
            : "Incorrect API key provided. (ModelGateway simulator)",
        InvalidRequest,
        Code: "invalid_api_key");

    public static OpenAiError ModelNotFound(string model) => new(
        StatusCodes.Status404NotFound,
        $"The model '{model}' does not exist or you do not have access to it.",
        InvalidRequest,
        Code: "model_not_found");

    public static OpenAiError UnknownUrl(string method, string path) => new(
        StatusCodes.Status404NotFound, $"Invalid URL ({method} {path})", InvalidRequest);

    /// <summary>The error of a simulated status fault.</summary>
    public static OpenAiError ForStatus(int status, string? message)
    {
        var (defaultMessage, type, code) = status switch
        {
            401 => ("Incorrect API key provided. (simulated fault)", InvalidRequest, "invalid_api_key"),
            403 => ("You are not allowed to use this model. (simulated fault)", InvalidRequest, "permission_denied"),
            404 => ("The requested resource does not exist. (simulated fault)", InvalidRequest, "not_found"),
            408 => ("Request timed out. (simulated fault)", InvalidRequest, "timeout"),
            409 => ("The request conflicts with another request. (simulated fault)", InvalidRequest, "conflict"),
            429 => ("Rate limit reached for requests. (simulated fault)", "requests", "rate_limit_exceeded"),
            500 => ("The server had an error while processing your request. Sorry about that! (simulated fault)", ServerError, null),
            502 => ("Bad gateway. (simulated fault)", ServerError, null),
            503 => ("The engine is currently overloaded, please try again later. (simulated fault)", ServerError, null),
            504 => ("Gateway timeout. (simulated fault)", ServerError, null),
            >= 500 => ("The server had an error. (simulated fault)", ServerError, null),
            _ => ("The request was rejected. (simulated fault)", InvalidRequest, (string?)null),
        };
        return new OpenAiError(status, message ?? defaultMessage, type, null, code);
    }
}
