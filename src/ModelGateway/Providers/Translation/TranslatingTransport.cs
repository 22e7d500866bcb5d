using System.Runtime.CompilerServices;
using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>
/// The HTTP side shared by the translating adapters: sends the provider request on the provider's named client
/// (headers awaited, body not buffered), classifies failures before anything reaches the client, and relays a
/// translated body or stream. Until the first translated byte is ready the client response is untouched, so a
/// failure can still fall back to another deployment.
/// </summary>
internal sealed class TranslatingTransport
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _timeProvider;

    public TranslatingTransport(IHttpClientFactory clients, TimeProvider timeProvider)
    {
        _clients = clients;
        _timeProvider = timeProvider;
    }

    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Sends the request; on success the caller owns the response, on failure the outcome says why.</summary>
    public async Task<(HttpResponseMessage? Response, UpstreamOutcome? Failure)> SendAsync(
        UpstreamCall call, HttpRequestMessage request, UpstreamErrorMapper mapError)
    {
        var provider = call.Deployment.Provider;
        var aborted = call.Aborted;
        using var timer = new CancellationTokenSource(provider.ResponseTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, aborted);
        HttpResponseMessage response;
        try
        {
            response = await _clients.CreateClient(ProviderHttpClients.NameFor(provider))
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException)
        {
            return (null, aborted.IsCancellationRequested ? UpstreamOutcome.Abandoned(null)
                : timer.IsCancellationRequested ? UpstreamFailures.Timeout()
                : UpstreamFailures.Unreachable());
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            var retryAfter = RetryHints.Parse(response, _timeProvider);
            var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBodyBytes);
            try
            {
                var length = 0;
                try
                {
                    await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
                    int read;
                    while (length < MaxErrorBodyBytes && (read = await stream.ReadAsync(buffer.AsMemory(length, MaxErrorBodyBytes - length), linked.Token)) > 0)
                    {
                        length += read;
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
                {
                    if (aborted.IsCancellationRequested)
                    {
                        return (null, UpstreamOutcome.Abandoned(null));
                    }

                    // The status alone decides; the body is what we have of it.
                }

                return (null, mapError((int)response.StatusCode, retryAfter, buffer.AsSpan(0, length)));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads a whole JSON body, translates it and writes the OpenAI JSON to the client.</summary>
    public async Task<UpstreamOutcome> RelayJsonAsync(UpstreamCall call, HttpResponseMessage response, Func<JsonElement, ITranslatedBody?> translate)
    {
        var aborted = call.Aborted;
        using var timer = new CancellationTokenSource(call.Deployment.Provider.ResponseTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, aborted);
        ITranslatedBody? body;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(linked.Token);
            using var document = await JsonDocument.ParseAsync(stream, default, linked.Token);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                // A 2xx whose body is JSON but not an object (null, a number): as broken as one that is not JSON.
                return UpstreamFailures.InvalidBody();
            }

            body = translate(document.RootElement);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            return aborted.IsCancellationRequested ? UpstreamOutcome.Abandoned(null)
                : timer.IsCancellationRequested ? UpstreamFailures.Timeout()
                : UpstreamFailures.Unreachable();
        }
        catch (JsonException)
        {
            return UpstreamFailures.InvalidBody();
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            body = null;
        }

        if (body is null)
        {
            return InvalidResponse();
        }

        var sink = call.Sink;
        CopyUpstreamRequestId(response, sink);
        sink.Start(StatusCodes.Status200OK, "application/json");
        using (var json = new Utf8JsonWriter(sink.Writer, OpenAiChunkWriter.WriterOptions))
        {
            body.Write(json);
        }

        try
        {
            await sink.FlushAsync();
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return UpstreamOutcome.Abandoned(body.Usage);
        }

        return aborted.IsCancellationRequested ? UpstreamOutcome.Abandoned(body.Usage) : UpstreamOutcome.Success(body.Usage);
    }

    /// <summary>
    /// Relays a provider event stream: each upstream event is translated and its chunks flushed to the client before
    /// the next event is read. The response starts with the first translated chunk; an error before it is a failure
    /// outcome (the dispatcher may fall back), an error after it is a final <c>data: {"error":...}</c> event.
    /// </summary>
    /// <param name="call">The attempt.</param>
    /// <param name="response">The upstream's event-stream response.</param>
    /// <param name="clientWantsUsage">Whether the client asked for the usage chunk.</param>
    /// <param name="createTranslator">Makes the provider's translator over the chunk writer.</param>
    /// <param name="attemptStarted">When the attempt began (<see cref="TimeProvider.GetTimestamp"/>), for the time to first chunk.</param>
    public async Task<UpstreamOutcome> RelayStreamAsync(
        UpstreamCall call, HttpResponseMessage response, bool clientWantsUsage, Func<OpenAiChunkWriter, StreamTranslator> createTranslator, long attemptStarted)
    {
        var firstChunkAt = new StrongBox<long>();
        var outcome = await RelayStreamCoreAsync(call, response, clientWantsUsage, createTranslator, firstChunkAt);
        return outcome.WithTimings(null, firstChunkAt.Value > 0 ? _timeProvider.GetElapsedTime(attemptStarted, firstChunkAt.Value) : null);
    }

    private async Task<UpstreamOutcome> RelayStreamCoreAsync(
        UpstreamCall call, HttpResponseMessage response, bool clientWantsUsage, Func<OpenAiChunkWriter, StreamTranslator> createTranslator, StrongBox<long> firstChunkAt)
    {
        var sink = call.Sink;
        var aborted = call.Aborted;
        var idleTimeout = call.Deployment.Provider.ResponseTimeout;
        var output = new ArrayBufferWriter<byte>(4096);
        using var chunks = new OpenAiChunkWriter(output, _timeProvider.GetUtcNow().ToUnixTimeSeconds());
        var translator = createTranslator(chunks);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, aborted);
        var started = false;
        var breakKind = FailureKind.None;
        try
        {
            idle.CancelAfter(idleTimeout);
            await using var body = new BoundedEventStream(await response.Content.ReadAsStreamAsync(linked.Token), call.MaxStreamEventBytes);
            var parser = SseParser.Create(body, (type, data) =>
            {
                translator.OnEvent(type, data);
                return true;
            });
            await foreach (var _ in parser.EnumerateAsync(linked.Token))
            {
                idle.CancelAfter(idleTimeout);
                if (translator.Error is { } error && !started)
                {
                    return error;
                }

                if (output.WrittenCount > 0)
                {
                    if (!started)
                    {
                        firstChunkAt.Value = _timeProvider.GetTimestamp();
                    }

                    started = await SendAsync(sink, response, output, started);
                }

                if (translator.Error is not null || translator.Terminated)
                {
                    break;
                }
            }

            if (translator.Error is null && !translator.Terminated)
            {
                translator.OnEndOfStream();
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return UpstreamOutcome.Abandoned(translator.Usage);
        }
        catch (OperationCanceledException)
        {
            breakKind = FailureKind.UpstreamIdleTimeout;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            if (aborted.IsCancellationRequested)
            {
                return UpstreamOutcome.Abandoned(translator.Usage);
            }

            breakKind = FailureKind.UpstreamStreamInterrupted;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            breakKind = FailureKind.UpstreamInvalidEvent;
        }
        catch (UpstreamBodyRejectedException)
        {
            // One event grew past the bound; the parser's buffer goes with it and disposing the body closes the upstream.
            breakKind = FailureKind.UpstreamEventTooLarge;
        }

        GatewayError? finalError = null;
        var failureKind = FailureKind.None;
        if (breakKind == FailureKind.None && translator.Error is null && !translator.Completed)
        {
            breakKind = FailureKind.UpstreamStreamTruncated;
        }

        if (breakKind != FailureKind.None)
        {
            finalError = StreamBreaks.ErrorFor(breakKind, idleTimeout, call.MaxStreamEventBytes);
            failureKind = breakKind;
            if (!started)
            {
                // Nothing reached the client: another deployment may serve it.
                return UpstreamOutcome.Failure(finalError, retryable: true, breakKind);
            }
        }
        else if (translator.Error is { } error)
        {
            finalError = error.Error;
            failureKind = error.FailureKind;
        }

        if (finalError is not null)
        {
            chunks.Error(finalError);
        }
        else
        {
            if (clientWantsUsage && translator.Usage is { } usage)
            {
                chunks.Usage(usage);
            }

            chunks.Done();
        }

        try
        {
            await SendAsync(sink, response, output, started);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            return UpstreamOutcome.Abandoned(translator.Usage);
        }

        return UpstreamOutcome.Success(translator.Usage, failureKind);
    }

    private static async Task<bool> SendAsync(ResponseSink sink, HttpResponseMessage upstream, ArrayBufferWriter<byte> output, bool started)
    {
        if (!started)
        {
            sink.Headers.CacheControl = "no-cache";
            CopyUpstreamRequestId(upstream, sink);
            sink.Start(StatusCodes.Status200OK, "text/event-stream");
        }

        sink.Writer.Write(output.WrittenSpan);
        output.ResetWrittenCount();
        await sink.FlushAsync();
        return true;
    }

    private static void CopyUpstreamRequestId(HttpResponseMessage upstream, ResponseSink sink)
    {
        if (upstream.Headers.TryGetValues("request-id", out var values) || upstream.Headers.TryGetValues("x-request-id", out values))
        {
            sink.Headers[GatewayHeaders.UpstreamRequestId] = values.First();
        }
    }

    public static UpstreamOutcome InvalidResponse() => UpstreamOutcome.Failure(
        new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_invalid_response",
            "The upstream provider sent a response the gateway could not read.") { RetryAfter = TimeSpan.FromSeconds(1) },
        retryable: true,
        FailureKind.UpstreamInvalidResponse);

    /// <summary>A feature the provider lacks: a 400 for the client, but another deployment may serve the request.</summary>
    public static UpstreamOutcome Unsupported(string message, string? param) => UpstreamOutcome.Failure(
        GatewayError.InvalidRequest(message, param, "unsupported_by_provider"), retryable: true, FailureKind.UnsupportedByProvider);

    /// <summary>A malformed client request: every deployment would refuse it.</summary>
    public static UpstreamOutcome Rejected(GatewayError error) => UpstreamOutcome.Failure(error, retryable: false, FailureKind.InvalidRequest);
}
