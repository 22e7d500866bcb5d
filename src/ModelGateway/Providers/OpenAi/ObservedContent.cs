using System.Net;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Replaces an upstream response's content so YARP's copy loop reads through a <see cref="ResponseObserver"/>.
/// YARP reads the response content after the transformer ran, which is what makes this swap possible.
/// </summary>
internal sealed class ObservedContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly ResponseObserver _observer;

    public ObservedContent(HttpContent inner, ResponseObserver observer)
    {
        _inner = inner;
        _observer = observer;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        _observer.Attach(await _inner.ReadAsStreamAsync(cancellationToken));
        return _observer;
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        throw new NotSupportedException("Observed content is only read as a stream.");

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _observer.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
