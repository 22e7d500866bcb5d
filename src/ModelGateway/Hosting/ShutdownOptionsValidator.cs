using Microsoft.Extensions.Options;

namespace ModelGateway.Hosting;

/// <summary>Refuses negative or absurd shutdown durations at start-up, with their configuration paths.</summary>
internal sealed class ShutdownOptionsValidator : IValidateOptions<ShutdownOptions>
{
    private static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, ShutdownOptions options)
    {
        var errors = new List<string>();
        Check(options.GracePeriod, "GracePeriod", errors);
        Check(options.DrainTimeout, "DrainTimeout", errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(TimeSpan value, string field, List<string> errors)
    {
        if (value < TimeSpan.Zero || value > Longest)
        {
            errors.Add($"{ShutdownOptions.SectionName}:{field} '{value}' must be between 00:00:00 and 01:00:00.");
        }
    }
}
