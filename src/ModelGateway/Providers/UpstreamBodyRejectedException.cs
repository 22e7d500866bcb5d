namespace ModelGateway.Providers;

/// <summary>
/// Thrown by a response observer to stop YARP's copy loop when the upstream body is refused (not JSON, an
/// oversized event). Before the first byte reached the client this leaves the response untouched, so the
/// dispatcher can try another deployment; after it, YARP aborts the client connection.
/// </summary>
internal sealed class UpstreamBodyRejectedException : Exception
{
    public UpstreamBodyRejectedException()
    {
    }

    public UpstreamBodyRejectedException(string message)
        : base(message)
    {
    }

    public UpstreamBodyRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
