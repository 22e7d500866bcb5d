namespace ModelGateway.Simulator.Hosting;

/// <summary>The provider API a request speaks, told by its path; it decides the credential header and the error envelope.</summary>
internal enum WireFormat
{
    OpenAi,
    Anthropic,
    Gemini,
    Azure,
}

internal static class WireFormats
{
    public static readonly PathString AnthropicMessages = "/v1/messages";
    public static readonly PathString AnthropicCountTokens = "/v1/messages/count_tokens";
    public static readonly PathString Gemini = "/v1beta";
    public static readonly PathString Azure = "/openai";

    public static WireFormat Of(PathString path) =>
        path.StartsWithSegments(AnthropicMessages) ? WireFormat.Anthropic
        : path.StartsWithSegments(Gemini) ? WireFormat.Gemini
        : path.StartsWithSegments(Azure) ? WireFormat.Azure
        : WireFormat.OpenAi;
}
