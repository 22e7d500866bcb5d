using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>Everything routing may look at: the configuration in force, the caller and the parsed request.</summary>
internal sealed class RouteRequest
{
    public required GatewaySnapshot Snapshot { get; init; }

    public required HttpContext HttpContext { get; init; }

    public required Operation Operation { get; init; }

    public required string Model { get; init; }

    public required string KeyId { get; init; }

    /// <summary>The team of the client key, when it belongs to one.</summary>
    public string? TeamId { get; init; }

    /// <summary>The client's request body, for content inspection.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Set for chat completions.</summary>
    public ChatRequest? Chat { get; init; }
}
