using System.Text.Json;
using Yarp.ReverseProxy.Forwarder;
using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Adapts one forwarded request: points it at the provider, swaps the client's key for the provider's credential,
/// and on the way back either hands a successful body to an observer or keeps an error response away from the
/// client (returning false stops YARP from copying it) so the dispatcher can fall back.
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    // Client headers that must not reach a provider: credentials for the gateway, cookies, and compression
    // (the gateway reads the response body, so it must arrive uncompressed).
    private static readonly string[] StrippedRequestHeaders =
        ["Authorization", "api-key", "x-api-key", "Cookie", "Accept-Encoding", GatewayHeaders.RequestId];

    private readonly UpstreamCall _call;
    private readonly Uri _target;
    private readonly Func<bool, ResponseObserver> _createObserver;
    private readonly CancellationTokenSource _responseTimer;
    private readonly TimeProvider _timeProvider;
    private readonly OpenAiDialect _dialect;

    /// <param name="call">The attempt being forwarded.</param>
    /// <param name="target">The full upstream URL.</param>
    /// <param name="createObserver">Makes the observer for a successful body; the argument says whether it is an event stream.</param>
    /// <param name="responseTimer">The wait-for-response-headers timer, stopped when headers arrive.</param>
    /// <param name="timeProvider">The clock, for HTTP-date retry hints.</param>
    /// <param name="dialect">How the provider's credential is presented; OpenAI's bearer token when null.</param>
    public ForwardingTransformer(
        UpstreamCall call, Uri target, Func<bool, ResponseObserver> createObserver, CancellationTokenSource responseTimer, TimeProvider timeProvider,
        OpenAiDialect? dialect = null)
    {
        _dialect = dialect ?? OpenAiDialect.Default;
        _call = call;
        _target = target;
        _createObserver = createObserver;
        _responseTimer = responseTimer;
        _timeProvider = timeProvider;
    }

    /// <summary>When the response headers arrived (a <see cref="TimeProvider"/> timestamp); 0 before.</summary>
    public long HeadersReceivedAt { get; private set; }

    /// <summary>The upstream status code, once a response arrived.</summary>
    public int? UpstreamStatus { get; private set; }

    /// <summary>The observer of a successful body.</summary>
    public ResponseObserver? Observer { get; private set; }

    /// <summary>The upstream's error, when it answered with a non-success status.</summary>
    public UpstreamErrorResponse? ErrorResponse { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = _target;

        var headers = proxyRequest.Headers;
        foreach (var name in StrippedRequestHeaders)
        {
            headers.Remove(name);
        }

        var provider = _call.Deployment.Provider;
        _dialect.Authenticate(headers, provider);

        foreach (var (name, value) in provider.Headers)
        {
            headers.Remove(name);
            headers.TryAddWithoutValidation(name, value);
        }

        headers.TryAddWithoutValidation(GatewayHeaders.RequestId, _call.RequestId);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is null)
        {
            return false;
        }

        _responseTimer.CancelAfter(Timeout.InfiniteTimeSpan);
        HeadersReceivedAt = _timeProvider.GetTimestamp();
        UpstreamStatus = (int)proxyResponse.StatusCode;
        if (!proxyResponse.IsSuccessStatusCode)
        {
            ErrorResponse = await UpstreamErrorResponse.ReadAsync(proxyResponse, MaxErrorBodyBytes, _timeProvider, cancellationToken);
            return false;
        }

        await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        var headers = httpContext.Response.Headers;
        if (headers.Remove(GatewayHeaders.RequestId, out var upstreamRequestId))
        {
            headers[GatewayHeaders.UpstreamRequestId] = upstreamRequestId;
        }

        headers.Remove("Set-Cookie");
        var isEventStream = proxyResponse.Content.Headers.ContentType?.MediaType == "text/event-stream";
        if (isEventStream)
        {
            // The observer may drop or add events, so the length is not the upstream's.
            headers.ContentLength = null;
        }

        Observer = _createObserver(isEventStream);
        proxyResponse.Content = new ObservedContent(proxyResponse.Content, Observer);
        return true;
    }
}

/// <summary>An upstream's non-success response: status, retry hint and its error message when it sent one.</summary>
internal sealed record UpstreamErrorResponse(int Status, TimeSpan? RetryAfter, string? Message, string? Type, string? Code, string? Param)
{
    public static async Task<UpstreamErrorResponse> ReadAsync(HttpResponseMessage response, int maxBytes, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var retryAfter = RetryHints.Parse(response, timeProvider);
        string? message = null, type = null, code = null, param = null;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[maxBytes];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                message = StringOrNull(error, "message");
                type = StringOrNull(error, "type");
                code = StringOrNull(error, "code");
                param = StringOrNull(error, "param");
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException)
        {
            // Not an OpenAI error envelope: the status code alone decides what happens.
        }

        return new UpstreamErrorResponse((int)response.StatusCode, retryAfter, message, type, code, param);
    }

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
