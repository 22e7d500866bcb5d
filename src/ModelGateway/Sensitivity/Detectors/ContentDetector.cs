namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// Looks for one kind of sensitive data in one text part (UTF-8, already unescaped). Detectors report whether
/// they found something, never what: matched text must not reach logs, errors or explanations.
/// </summary>
internal abstract class ContentDetector
{
    protected ContentDetector(string name)
    {
        Name = name;
    }

    /// <summary>The stable name reported in explanations and logs, e.g. <c>payment_card</c>.</summary>
    public string Name { get; }

    public abstract bool IsMatch(ReadOnlySpan<byte> utf8);
}
