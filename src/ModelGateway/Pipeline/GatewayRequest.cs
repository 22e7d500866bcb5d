using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Pipeline;

/// <summary>
/// One client request, built once by its inbound protocol module at the front door and handed to every later
/// stage: classification, routing, quotas, adapters, accounting and telemetry. It carries the configuration
/// snapshot the request runs under, the authenticated caller, the parsed facts, the one prompt-token estimate and
/// the body. No stage re-derives what an earlier one put here.
/// </summary>
internal sealed class GatewayRequest : IDisposable
{
    private readonly Lock _conversationLock = new();
    private int _holds = 1;
    private RequestClassification? _classification;
    private Conversation? _conversation;
    private GatewayError? _conversationError;
    private IHeaderDictionary _clientHeaders = null!;
    private HeaderDictionary? _ownHeaders;

    /// <summary>What the gateway records about the request as it goes (served by, usage, cost, failure), for the log line and the ledger.</summary>
    public required GatewayRequestFeature Record { get; init; }

    public string Id => Record.RequestId;

    /// <summary>The configuration in force when the request arrived; used throughout, even if a reload happens meanwhile.</summary>
    public required GatewaySnapshot Snapshot { get; init; }

    public required Caller Caller { get; init; }

    /// <summary>The module that parsed the request and renders its answers and errors.</summary>
    public required IInboundProtocol Protocol { get; init; }

    public Operation Operation => Protocol.Operation;

    /// <summary>The client's body, held for as long as any user of it (an attempt, a shadow call) needs it.</summary>
    public required RequestBody Body { get; init; }

    /// <summary>The public model name the client asked for.</summary>
    public required string Model { get; init; }

    /// <summary>Where the <c>model</c> string token sits in <see cref="Body"/>, for adapters that splice the upstream name in.</summary>
    public required JsonSpan ModelToken { get; init; }

    public bool Stream { get; init; }

    /// <summary>The OpenAI chat facts of the body when the client spoke chat completions; null otherwise.</summary>
    public ChatRequest? Chat { get; init; }

    /// <summary>
    /// The request in the canonical form (OpenAI chat completions or embeddings bytes) for adapters that do not
    /// speak the client's protocol natively: the client's own body when it spoke the canonical protocol, else what
    /// the inbound module translated it to. Passed through byte for byte only on the native path.
    /// </summary>
    public required CanonicalRequest Canonical { get; init; }

    /// <summary>What a deployment must be able to do to serve this request.</summary>
    public required ModelCapabilities Needs { get; init; }

    /// <summary>The most output tokens the client allows, when it said.</summary>
    public int? MaxOutputTokens { get; init; }

    public RequestHints Hints { get; init; }

    /// <summary>A level the request carries whatever its content says (a stored conversation's highest); classification takes the higher.</summary>
    public Sensitivity.SensitivityLevel? InheritedSensitivity { get; init; }

    /// <summary>The client's request headers, for adapters that pass some through (never the client's credential).</summary>
    public required IHeaderDictionary ClientHeaders
    {
        get => Volatile.Read(ref _clientHeaders);
        init => _clientHeaders = value;
    }

    /// <summary>The client went away, or the request was otherwise cancelled.</summary>
    public CancellationToken Aborted { get; init; }

    /// <summary>Set once by the classification step, before routing.</summary>
    public RequestClassification Classification =>
        _classification ?? throw new InvalidOperationException("The request has not been classified yet.");

    public bool IsClassified => _classification is not null;

    public int PromptTokens => Classification.PromptTokens;

    public void Classify(RequestClassification classification)
    {
        if (Interlocked.CompareExchange(ref _classification, classification, null) is not null)
        {
            throw new InvalidOperationException("A request is classified once.");
        }
    }

    /// <summary>
    /// The canonical conversation view of a chat request, read at most once however many translating attempts
    /// use it; null with <paramref name="error"/> when the body is not a conversation the translators can read.
    /// </summary>
    public Conversation? Conversation(out GatewayError? error)
    {
        lock (_conversationLock)
        {
            if (_conversation is null && _conversationError is null)
            {
                _conversation = Requests.Conversation.Read(Canonical.Body.Memory, out _conversationError);
            }

            error = _conversationError;
            return _conversation;
        }
    }

    /// <summary>
    /// Takes a hold on the request's buffers (the body and the parsed conversation) for a user that may outlive the
    /// client's response, such as a shadow call. The buffers go back to the pool when the last hold is released.
    /// Call it while the client's request is in progress: the client's headers, which the server reuses once the
    /// request ends, are copied here so that the holder can still read them.
    /// </summary>
    public GatewayRequest Retain()
    {
        if (Interlocked.Increment(ref _holds) <= 1)
        {
            throw new ObjectDisposedException(nameof(GatewayRequest), "The request's buffers were already released.");
        }

        var headers = ClientHeaders;
        if (!ReferenceEquals(headers, _ownHeaders))
        {
            var copy = new HeaderDictionary();
            foreach (var (name, value) in headers)
            {
                copy[name] = value;
            }

            _ownHeaders = copy;
            Volatile.Write(ref _clientHeaders, copy);
        }

        return this;
    }

    /// <summary>Releases one hold (the front door's is released when the client's request ends).</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _holds) != 0)
        {
            return;
        }

        lock (_conversationLock)
        {
            _conversation?.Dispose();
        }

        if (!ReferenceEquals(Canonical.Body, Body))
        {
            Canonical.Body.Dispose();
        }

        Body.Dispose();
    }
}
