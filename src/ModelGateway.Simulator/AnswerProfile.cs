namespace ModelGateway.Simulator;

/// <summary>
/// How well and how fast a simulated model answers, for one model name (the <c>model</c> a request names, i.e.
/// a deployment's upstream model): so that a candidate can be made measurably worse or slower than the model it
/// shadows. Every choice is deterministic: the same prompt and <see cref="Seed"/> always get the same answer.
/// Configured under <c>Simulator:Profiles:&lt;model&gt;</c> or set at run time (<c>PUT /_sim/profiles/{model}</c>).
/// </summary>
public sealed class AnswerProfile
{
    /// <summary>Share (0 to 1) of tool-calling answers that call a different tool than the request's first (or named) one.</summary>
    public double WrongToolShare { get; set; }

    /// <summary>Share (0 to 1) of structured-output answers (<c>response_format</c> json_schema) whose JSON is cut short, so invalid.</summary>
    public double BrokenJsonShare { get; set; }

    /// <summary>Wait before the response starts (status and headers, so the first token too), in milliseconds.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Delay between streamed chunks for this model, in place of <c>Simulator:ChunkDelayMs</c>; null keeps it.</summary>
    public int? ChunkDelayMs { get; set; }

    /// <summary>Mixed into every choice, so two profiles with the same shares pick different prompts.</summary>
    public ulong Seed { get; set; }
}
