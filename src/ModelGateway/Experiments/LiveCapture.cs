using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace ModelGateway.Experiments;

/// <summary>
/// Copies the first bytes of a sampled request's answer as they go to the client, for the comparison with the
/// candidates'. Installed only on sampled requests, in place of the response body feature (as the HTTP logging
/// middleware does), so it sees the answer whichever adapter or renderer writes it, in the client's protocol.
/// Past <see cref="MaxBytes"/> it stops copying and says so; the client's bytes are never held back.
/// </summary>
internal sealed class LiveCapture : Stream, IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    private readonly MemoryStream _copy = new();
    private PipeWriter? _writer;

    private LiveCapture(IHttpResponseBodyFeature inner, int maxBytes)
    {
        _inner = inner;
        MaxBytes = maxBytes;
    }

    public int MaxBytes { get; }

    /// <summary>The answer was longer than <see cref="MaxBytes"/>; what was copied is its beginning.</summary>
    public bool Truncated { get; private set; }

    Stream IHttpResponseBodyFeature.Stream => this;

    /// <summary>
    /// The server's own writer with a copy taken at each <c>Advance</c>: nothing is buffered here, so what a writer
    /// leaves unflushed is sent by the server at the end of the response exactly as without the capture.
    /// </summary>
    PipeWriter IHttpResponseBodyFeature.Writer => _writer ??= new TeeWriter(_inner.Writer, this);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static LiveCapture Install(HttpContext context, int maxBytes)
    {
        var inner = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        var capture = new LiveCapture(inner, maxBytes);
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        return capture;
    }

    /// <summary>The bytes copied; read once the answer is complete.</summary>
    public byte[] ToArray() => _copy.ToArray();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Copy(buffer);
        _inner.Stream.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Copy(buffer.Span);
        return _inner.Stream.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => _inner.Stream.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.Stream.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public void DisableBuffering() => _inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        _inner.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    internal void Copy(ReadOnlySpan<byte> bytes)
    {
        var room = MaxBytes - (int)_copy.Length;
        if (bytes.Length > room)
        {
            Truncated = true;
            bytes = bytes[..Math.Max(room, 0)];
        }

        _copy.Write(bytes);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _copy.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class TeeWriter(PipeWriter inner, LiveCapture capture) : PipeWriter
    {
        private Memory<byte> _last;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            capture.Copy(_last.Span[..bytes]);
            _last = default;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
