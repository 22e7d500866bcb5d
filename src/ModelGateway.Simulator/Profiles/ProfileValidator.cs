namespace ModelGateway.Simulator.Profiles;

/// <summary>Checks an <see cref="AnswerProfile"/>; the message names the field, or null when it is valid.</summary>
internal static class ProfileValidator
{
    public const int MaxDelayMs = 600_000;

    public static string? Validate(string model, AnswerProfile? profile)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            return "A profile needs a model name.";
        }

        if (profile is null)
        {
            return $"Profiles:{model} must be an object.";
        }

        if (!IsShare(profile.WrongToolShare) || !IsShare(profile.BrokenJsonShare))
        {
            return $"Profiles:{model}: WrongToolShare and BrokenJsonShare must be between 0 and 1.";
        }

        if (profile.LatencyMs is < 0 or > MaxDelayMs || profile.ChunkDelayMs is < 0 or > MaxDelayMs)
        {
            return $"Profiles:{model}: LatencyMs and ChunkDelayMs must be between 0 and {MaxDelayMs}.";
        }

        return null;
    }

    private static bool IsShare(double value) => double.IsFinite(value) && value is >= 0 and <= 1;
}
