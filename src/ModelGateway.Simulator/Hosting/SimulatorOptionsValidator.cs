using Microsoft.Extensions.Options;

namespace ModelGateway.Simulator.Hosting;

/// <summary>Start-up validation of <see cref="SimulatorOptions"/>.</summary>
internal sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    public const int MaxChunks = 100_000;
    public const int MaxDimensions = 8192;

    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        List<string> failures = [];
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add("Simulator:Name must not be empty.");
        }

        if (options.DefaultChunks is < 1 or > MaxChunks)
        {
            failures.Add($"Simulator:DefaultChunks must be between 1 and {MaxChunks}.");
        }

        if (options.ChunkDelayMs < 0)
        {
            failures.Add("Simulator:ChunkDelayMs must not be negative.");
        }

        if (options.EmbeddingDimensions is < 1 or > MaxDimensions)
        {
            failures.Add($"Simulator:EmbeddingDimensions must be between 1 and {MaxDimensions}.");
        }

        if (!Dialects.SimulatedDialect.All.ContainsKey(options.Dialect ?? ""))
        {
            failures.Add($"Simulator:Dialect must be one of: {string.Join(", ", Dialects.SimulatedDialect.All.Keys)}.");
        }

        if (options.Capacity < 0)
        {
            failures.Add("Simulator:Capacity must not be negative (0 for no limit).");
        }

        if (options.MaxRecordedRequests < 1)
        {
            failures.Add("Simulator:MaxRecordedRequests must be at least 1.");
        }

        if (options.Models.Count == 0 || options.Models.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add("Simulator:Models must list at least one model and no blank names.");
        }

        foreach (var (model, profile) in options.Profiles)
        {
            if (Profiles.ProfileValidator.Validate(model, profile) is { } problem)
            {
                failures.Add("Simulator:" + problem);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
