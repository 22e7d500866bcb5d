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

    /// <summary>
    /// The body's facts for a module that needs more than the bytes (the caller, a store of earlier turns); the
    /// front door calls this one. By default it is <see cref="Parse"/>.
    /// </summary>
    ValueTask<(ParsedBody? Parsed, GatewayError? Error)> ParseAsync(HttpContext context, Caller caller, RequestBody body)
    {
        var parsed = Parse(body.Span, out var error);
        return ValueTask.FromResult((parsed, error));
    }
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
    CanonicalRequest? Canonical = null)
{
    /// <summary>A renderer bound to this one request (it needs the request's facts to answer); the module itself when null.</summary>
    public IInboundProtocol? Protocol { get; init; }

    /// <summary>
    /// The body to use in place of the client's (a conversation expanded from stored turns), owned by the request
    /// from now on; the client's body is released. <see cref="ModelToken"/> points into this one.
    /// </summary>
    public RequestBody? Body { get; init; }

    /// <summary>A sensitivity level the request carries whatever its content (the highest of a stored conversation's turns).</summary>
    public Sensitivity.SensitivityLevel? InheritedSensitivity { get; init; }
}
