namespace ModelGateway.Routing.Canaries;

/// <summary>A breached guard: its name (as configured, e.g. <c>maxErrorRate</c>), the window's figure, the limit, and how many requests (or pairs) the figure is over.</summary>
internal sealed record CanaryBreach(string Guard, double Figure, double Limit, int Count)
{
    public string Describe() => FormattableString.Invariant($"{Guard}: {Figure:0.####} against a limit of {Limit:0.####} over {Count}");
}
