namespace ModelGateway.Experiments;

/// <summary>
/// The share of an experiment's sampled requests that were lately shadowed rather than dropped (busy gateway,
/// full queue), as a moving average over roughly the last 256 decisions. A pair then stands for
/// 1 / (sample rate × share) matching requests, so the report's projections stay right while shadowing sheds.
/// </summary>
internal sealed class AdmissionShare
{
    private const double Weight = 1.0 / 256;
    private double _share = 1;

    public double Share => Volatile.Read(ref _share);

    /// <summary>Adds one decision. Concurrent updates may lose one another's step; the average stays close enough.</summary>
    public void Record(bool shadowed)
    {
        var share = Volatile.Read(ref _share);
        Volatile.Write(ref _share, share + (((shadowed ? 1 : 0) - share) * Weight));
    }
}
