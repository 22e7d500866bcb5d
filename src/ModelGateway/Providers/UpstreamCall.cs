using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>One attempt to serve a request with one deployment, writing the answer to <see cref="Sink"/>.</summary>
internal sealed class UpstreamCall
{
    public required GatewayRequest Request { get; init; }

    public required Deployment Deployment { get; init; }

    /// <summary>Where the answer goes: the client's response, a collector, or a renderer for another protocol.</summary>
    public required ResponseSink Sink { get; init; }

    /// <summary>
    /// The adapter serves the client's protocol natively: it sends the client's own bytes (model spliced) and its
    /// answer goes to the client as the upstream wrote it. Otherwise it gets the canonical form and answers in it.
    /// </summary>
    public bool Native { get; init; }

    /// <summary>What the upstream is asked to do: a translated Responses request is a chat completion.</summary>
    public Operation Operation => !Native && Request.Operation == Operation.Responses ? Operation.ChatCompletions : Request.Operation;

    /// <summary>The bytes to send: the client's own on the native path, the canonical form otherwise.</summary>
    public RequestBody Body => Native ? Request.Body : Request.Canonical.Body;

    /// <summary>The chat facts of <see cref="Body"/>; null when it is not an OpenAI chat body.</summary>
    public ChatRequest? Chat => Native ? Request.Chat : Request.Canonical.Chat;

    /// <summary>Where the public model name sits in <see cref="Body"/>, for adapters that rewrite it.</summary>
    public JsonSpan ModelToken => Native ? Request.ModelToken : Request.Canonical.ModelToken;

    public string RequestId => Request.Id;

    /// <summary>The reader of the answer went away.</summary>
    public CancellationToken Aborted => Sink.Aborted;

    /// <summary>The largest single streamed event the adapter accepts (<c>Limits:MaxStreamEventBytes</c>).</summary>
    public int MaxStreamEventBytes => Request.Snapshot.Config.MaxStreamEventBytes;

    /// <summary>The operator enabled content logging (prompts and completions at Trace level).</summary>
    public bool LogContent => Request.Snapshot.Config.LogContent;
}
