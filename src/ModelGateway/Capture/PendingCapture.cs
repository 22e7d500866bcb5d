using System.Buffers;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;

namespace ModelGateway.Capture;

/// <summary>
/// A served pair waiting for the background writer: a hold on the request (its body and conversation stay
/// readable), the deployment that served it, and the pooled copy of the answer. <see cref="Dispose"/> gives both back.
/// </summary>
internal sealed class PendingCapture : IDisposable
{
    private byte[] _answer;
    private int _disposed;

    public PendingCapture(GatewayRequest request, Deployment servedBy, byte[] answer, int answerLength, bool eventStream, DateTimeOffset capturedAt)
    {
        Request = request;
        ServedBy = servedBy;
        _answer = answer;
        AnswerLength = answerLength;
        EventStream = eventStream;
        CapturedAt = capturedAt;
        Bytes = (long)request.Canonical.Body.Length + answerLength;
    }

    /// <summary>A retained hold on the request, released by <see cref="Dispose"/>.</summary>
    public GatewayRequest Request { get; }

    public Deployment ServedBy { get; }

    public int AnswerLength { get; }

    public ReadOnlySpan<byte> Answer => _answer.AsSpan(0, AnswerLength);

    public bool EventStream { get; }

    public DateTimeOffset CapturedAt { get; }

    /// <summary>What it holds in memory, for the writer's byte bound.</summary>
    public long Bytes { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var answer = Interlocked.Exchange(ref _answer, []);
        if (answer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(answer);
        }

        Request.Dispose();
    }
}
