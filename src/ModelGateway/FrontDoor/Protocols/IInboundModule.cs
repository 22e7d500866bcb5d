using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols;

/// <summary>
/// An inbound protocol as the front door uses it: the rendering side (<see cref="IInboundProtocol"/>) plus the
/// parser that reads the client's body, once, into the facts every later stage needs.
/// </summary>
internal interface IInboundModule : IInboundProtocol
{
    /// <summary>The body's facts, or null with the error to send (in this protocol's envelope).</summary>
    ParsedBody? Parse(ReadOnlySpan<byte> body, out GatewayError? error);
}

/// <summary>What an inbound module read from a body.</summary>
/// <param name="Canonical">
/// The body in the canonical form for translating adapters, when the module's protocol is not canonical itself;
/// null means the client's body is already canonical.
/// </param>
internal sealed record ParsedBody(
    string Model,
    JsonSpan ModelToken,
    bool Stream,
    ChatRequest? Chat,
    ModelCapabilities Needs,
    int? MaxOutputTokens,
    CanonicalRequest? Canonical = null);
