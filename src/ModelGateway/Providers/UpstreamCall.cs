using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>One attempt to serve a client request with one deployment.</summary>
internal sealed class UpstreamCall
{
    public required HttpContext HttpContext { get; init; }

    public required Operation Operation { get; init; }

    public required RequestBody Body { get; init; }

    public required Deployment Deployment { get; init; }

    /// <summary>Set for chat completions.</summary>
    public ChatRequest? Chat { get; init; }

    /// <summary>Where the public model name sits in <see cref="Body"/>, for adapters that rewrite it.</summary>
    public required JsonSpan ModelToken { get; init; }

    public required string RequestId { get; init; }

    /// <summary>The largest single streamed event the adapter accepts (<c>Limits:MaxStreamEventBytes</c>).</summary>
    public int MaxStreamEventBytes { get; init; } = GatewayConfig.DefaultMaxStreamEventBytes;

    /// <summary>The operator enabled content logging (prompts and completions at Trace level).</summary>
    public bool LogContent { get; init; }
}
