namespace ModelGateway.Sensitivity;

/// <summary>The spellings of sensitivity levels in configuration, headers and explanations.</summary>
internal static class SensitivityNames
{
    public const int LevelCount = 4;

    public static bool TryParse(ReadOnlySpan<char> value, out SensitivityLevel level)
    {
        var trimmed = value.Trim();
        if (trimmed.Equals("public", StringComparison.OrdinalIgnoreCase))
        {
            level = SensitivityLevel.Public;
        }
        else if (trimmed.Equals("internal", StringComparison.OrdinalIgnoreCase))
        {
            level = SensitivityLevel.Internal;
        }
        else if (trimmed.Equals("confidential", StringComparison.OrdinalIgnoreCase))
        {
            level = SensitivityLevel.Confidential;
        }
        else if (trimmed.Equals("restricted", StringComparison.OrdinalIgnoreCase))
        {
            level = SensitivityLevel.Restricted;
        }
        else
        {
            level = default;
            return false;
        }

        return true;
    }

    public static string Name(SensitivityLevel level) => level switch
    {
        SensitivityLevel.Public => "public",
        SensitivityLevel.Internal => "internal",
        SensitivityLevel.Confidential => "confidential",
        SensitivityLevel.Restricted => "restricted",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    public static SensitivityLevel Max(SensitivityLevel a, SensitivityLevel b) => a > b ? a : b;
}
