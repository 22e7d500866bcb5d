using System.IO.Pipelines;

namespace ModelGateway.Pipeline;

/// <summary>The client's own HTTP response. The forwarder may write to it directly (pass-through).</summary>
internal sealed class ClientResponseSink : ResponseSink
{
    private readonly HttpContext _context;

    public ClientResponseSink(HttpContext context) => _context = context;

    public override bool HasStarted => _context.Response.HasStarted;

    public override CancellationToken Aborted => _context.RequestAborted;

    public override PipeWriter Writer => _context.Response.BodyWriter;

    public override IHeaderDictionary Headers => _context.Response.Headers;

    public override HttpContext ForwardingContext => _context;

    public override void Start(int status, string contentType)
    {
        _context.Response.StatusCode = status;
        _context.Response.ContentType = contentType;
    }

    public override void Reset() => _context.Response.Clear();
}
