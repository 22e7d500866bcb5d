using System.Buffers;
using ModelGateway.Pipeline;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// An HTTP context for the YARP forwarder when the answer does not go straight to the client (a collecting or
/// rendering sink): the request side carries the client's headers, the response side writes into the sink,
/// starting it with the upstream's status, content type and headers on the first byte.
/// </summary>
internal static class ForwarderBridge
{
    public static HttpContext Create(GatewayRequest request, ResponseSink sink)
    {
        var context = new DefaultHttpContext();
        var http = context.Request;
        http.Method = HttpMethods.Post;
        http.Scheme = "http";
        http.Host = new HostString("modelgateway.internal");
        foreach (var (name, value) in request.ClientHeaders)
        {
            http.Headers[name] = value;
        }

        context.RequestAborted = sink.Aborted;
        context.Response.Body = new SinkStream(context.Response, sink);
        return context;
    }

    private sealed class SinkStream(HttpResponse response, ResponseSink sink) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            StartOnce();
            sink.Writer.Write(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            StartOnce();
            await sink.Writer.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async Task FlushAsync(CancellationToken cancellationToken)
        {
            StartOnce();
            await sink.FlushAsync();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private void StartOnce()
        {
            if (sink.HasStarted)
            {
                return;
            }

            foreach (var (name, value) in response.Headers)
            {
                if (!name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    sink.Headers[name] = value;
                }
            }

            sink.Start(response.StatusCode, response.ContentType ?? "application/octet-stream");
        }
    }
}
