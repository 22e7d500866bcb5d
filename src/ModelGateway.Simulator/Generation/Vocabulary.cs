namespace ModelGateway.Simulator.Generation;

/// <summary>The fixed words simulated replies are made of.</summary>
internal static class Vocabulary
{
    private static readonly string[] Words =
    [
        "alpha", "amber", "anchor", "apple", "arrow", "atlas", "autumn", "beacon",
        "birch", "bison", "bridge", "canyon", "cedar", "cobalt", "comet", "coral",
        "delta", "ember", "falcon", "fern", "fjord", "garnet", "glacier", "harbor",
        "hazel", "indigo", "island", "jasper", "juniper", "kestrel", "lagoon", "lantern",
        "maple", "meadow", "mesa", "nectar", "nova", "oasis", "onyx", "orbit",
        "pebble", "pine", "prairie", "quartz", "quill", "raven", "reef", "ripple",
        "saffron", "sierra", "summit", "tundra", "timber", "umber", "valley", "velvet",
        "willow", "zephyr", "thistle", "lumen", "cinder", "granite", "heron", "marble",
    ];

    public static string Pick(ulong value) => Words[(int)(value % (ulong)Words.Length)];
}
