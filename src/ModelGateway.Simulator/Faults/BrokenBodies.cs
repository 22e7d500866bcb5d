namespace ModelGateway.Simulator.Faults;

/// <summary>The 200 bodies a <see cref="FaultKind.BrokenBody"/> fault answers with: what a broken upstream or a proxy in front of it sends.</summary>
internal static class BrokenBodies
{
    public static bool IsKnown(string? body) => body is "truncated" or "html" or "random" or "null" or "empty";

    /// <summary>Answers 200 with the named body; the same bytes whatever wire format the request spoke.</summary>
    public static async Task WriteAsync(HttpContext context, string body)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = body == "html" ? "text/html; charset=utf-8" : "application/json";
        var bytes = body switch
        {
            "truncated" => """{"id":"chatcmpl-broken","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"cut of"""u8.ToArray(),
            "html" => "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n"u8.ToArray(),
            "random" => RandomBytes(),
            "null" => "null"u8.ToArray(),
            _ => [],
        };
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static byte[] RandomBytes()
    {
        // Deterministic noise that is certainly not JSON (starts with a byte no JSON value starts with).
        var bytes = new byte[512];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 151) + 0xFF);
        }

        return bytes;
    }
}
