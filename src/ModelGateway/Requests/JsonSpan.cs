namespace ModelGateway.Requests;

/// <summary>A range of bytes in a request body.</summary>
internal readonly record struct JsonSpan(int Start, int Length)
{
    public int End => Start + Length;
}
