using System.IO.Pipelines;

namespace ModelGateway.Pipeline;

/// <summary>
/// Collects an answer in memory instead of sending it: for calls whose answer does not go to the client (a shadow
/// call to a candidate model, a capture for a dataset). Bounded: past <see cref="MaxBytes"/> it stops collecting
/// and says so, so a runaway upstream cannot exhaust memory.
/// </summary>
internal sealed class CollectingSink : ResponseSink, IDisposable
{
    private readonly MemoryStream _buffer = new();
    private readonly PipeWriter _writer;
    private readonly HeaderDictionary _headers = new();
    private readonly CancellationToken _aborted;
    private bool _started;

    public CollectingSink(CancellationToken aborted, int maxBytes = 16 * 1024 * 1024)
    {
        _aborted = aborted;
        MaxBytes = maxBytes;
        _writer = PipeWriter.Create(new BoundedStream(this), new StreamPipeWriterOptions(leaveOpen: true));
    }

    public int MaxBytes { get; }

    /// <summary>The answer grew past <see cref="MaxBytes"/>; what was collected is its beginning.</summary>
    public bool Truncated { get; private set; }

    public int Status { get; private set; }

    public string? ContentType { get; private set; }

    public override bool HasStarted => _started;

    public override CancellationToken Aborted => _aborted;

    public override PipeWriter Writer => _writer;

    public override IHeaderDictionary Headers => _headers;

    public override void Start(int status, string contentType)
    {
        Status = status;
        ContentType = contentType;
        _started = true;
    }

    public override void Reset()
    {
        if (!_started)
        {
            _headers.Clear();
        }
    }

    /// <summary>The bytes collected so far.</summary>
    public ReadOnlyMemory<byte> Body => _buffer.GetBuffer().AsMemory(0, (int)_buffer.Length);

    public void Dispose()
    {
        _writer.Complete();
        _buffer.Dispose();
    }

    private sealed class BoundedStream(CollectingSink sink) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => sink._buffer.Length;

        public override long Position
        {
            get => sink._buffer.Length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            sink._started = true;
            var room = sink.MaxBytes - (int)sink._buffer.Length;
            if (buffer.Length > room)
            {
                sink.Truncated = true;
                buffer = buffer[..Math.Max(room, 0)];
            }

            sink._buffer.Write(buffer);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
