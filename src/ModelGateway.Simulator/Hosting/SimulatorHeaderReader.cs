using System.Globalization;

namespace ModelGateway.Simulator.Hosting;

/// <summary>Reads the <c>x-sim-*</c> request headers that override options for one request.</summary>
internal static class SimulatorHeaderReader
{
    /// <summary>The header's integer value, or <paramref name="fallback"/> when absent; false when out of range or not a number.</summary>
    public static bool TryReadInt(IHeaderDictionary headers, string name, int min, int max, int fallback, out int value)
    {
        value = fallback;
        if (!headers.TryGetValue(name, out var raw))
        {
            return true;
        }

        return int.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value >= min
            && value <= max;
    }
}
