namespace ModelGateway.Experiments;

/// <summary>
/// The Wilson score interval of a proportion (95 %, z = 1.96): unlike the normal approximation it stays inside
/// [0, 1] and behaves at small counts and rates near 0 or 1, which judge verdicts and agreement rates often are.
/// </summary>
internal static class Wilson
{
    public const double Z95 = 1.959963984540054;

    public static (double Low, double High) Interval(long successes, long trials, double z = Z95)
    {
        if (trials <= 0)
        {
            return (0, 1);
        }

        var n = (double)trials;
        var p = successes / n;
        var z2 = z * z;
        var centre = (p + (z2 / (2 * n))) / (1 + (z2 / n));
        var half = z / (1 + (z2 / n)) * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
