namespace ModelGateway.Simulator;

/// <summary>A provider call (<c>/v1/*</c>) as the simulator received it.</summary>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Request path, e.g. <c>/v1/chat/completions</c>.</param>
/// <param name="Query">Query string including the leading <c>?</c>, or empty.</param>
/// <param name="Headers">Request headers by lower-case name; repeated headers are joined with commas.</param>
/// <param name="Body">Request body as UTF-8 text.</param>
/// <param name="ReceivedAt">When the request arrived.</param>
public sealed record ReceivedRequest(
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    DateTimeOffset ReceivedAt)
{
    private volatile bool _aborted;

    /// <summary>True when the client went away before the simulator finished the response.</summary>
    public bool Aborted
    {
        get => _aborted;
        internal set => _aborted = value;
    }
}
