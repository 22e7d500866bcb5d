using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;
using ModelGateway.Sensitivity;

namespace ModelGateway.Experiments;

/// <summary>
/// The checks of a pair that need another model: semantic similarity (cosine of the two answers' embeddings from
/// the experiment's embeddings deployment) and a pairwise verdict from its judge deployment, with the two answers
/// in random order and the candidate's position recorded, so position bias shows in the report. Both send the
/// request's content, so both must be allowed for its sensitivity level; both count as shadow spend.
/// </summary>
internal sealed class PairJudge
{
    public const string Instructions =
        "You compare two answers to the same request. Reply with exactly one token: 1 if answer 1 is better, 2 if answer 2 is better, " +
        "TIE if they are equally good. Judge correctness first, then completeness and clarity; ignore length and style.";

    private const int MaxTextChars = 32 * 1024;

    private readonly ShadowCaller _caller;
    private readonly IShadowRequestFactory _requests;
    private readonly ExperimentSpend _spend;
    private readonly ExperimentMetrics _metrics;

    public PairJudge(ShadowCaller caller, IShadowRequestFactory requests, ExperimentSpend spend, ExperimentMetrics metrics)
    {
        _caller = caller;
        _requests = requests;
        _spend = spend;
        _metrics = metrics;
    }

    /// <summary>0 shows the candidate first, 1 second; replaceable so tests can fix the order.</summary>
    public Func<int> NextOrder { get; init; } = () => Random.Shared.Next(2);

    public async Task<PairRecord> EvaluateAsync(
        ShadowJob job, PairRecord pair, LevelPolicy level, OpenAiChat? chat, Answer live, Answer candidate, CancellationToken stopping)
    {
        var liveText = Render(live);
        var candidateText = Render(candidate);
        if (liveText.Length == 0 || candidateText.Length == 0)
        {
            return pair;
        }

        var experiment = job.Experiment;
        if (experiment.Embeddings is { } embeddings
            && await CallAsync(job, embeddings, level, "embeddings", EmbeddingsBody(embeddings, liveText, candidateText), stopping) is { } vectors)
        {
            pair = pair with { Similarity = Cosine(vectors.Body), EvaluationCostUsd = pair.EvaluationCostUsd + vectors.CostUsd };
        }

        if (experiment.Judge is { } judge)
        {
            var order = NextOrder();
            var (first, second) = order == 0 ? (candidateText, liveText) : (liveText, candidateText);
            if (await CallAsync(job, judge, level, "judge", JudgeBody(judge, LastUserText(chat), first, second), stopping) is { } verdict)
            {
                var answer = AnswerReader.Read(verdict.Body, verdict.ContentType, InboundProtocol.OpenAiChatCompletions);
                pair = pair with
                {
                    JudgeVerdict = Verdict(answer?.Text, candidatePosition: order + 1),
                    JudgeCandidatePosition = order + 1,
                    EvaluationCostUsd = pair.EvaluationCostUsd + verdict.CostUsd,
                };
            }
        }

        return pair;
    }

    /// <summary><c>candidate</c>, <c>live</c>, <c>tie</c> or <c>invalid</c> from the judge's reply.</summary>
    internal static string Verdict(string? reply, int candidatePosition)
    {
        var token = (reply ?? string.Empty).Trim().Trim('.', '"', '\'', '*').ToUpperInvariant();
        return token switch
        {
            "TIE" => "tie",
            "1" or "2" => token == (candidatePosition == 1 ? "1" : "2") ? "candidate" : "live",
            _ => "invalid",
        };
    }

    private async Task<CallResult?> CallAsync(ShadowJob job, Deployment deployment, LevelPolicy level, string role, byte[] body, CancellationToken stopping)
    {
        var experiment = job.Experiment;
        if (!level.Permits(deployment.Provider))
        {
            _metrics.Evaluation(experiment.Id, role, "skipped_sensitivity");
            return null;
        }

        if (!await _spend.TryAdmitAsync(experiment.Config, stopping))
        {
            _metrics.Evaluation(experiment.Id, role, "skipped_budget");
            return null;
        }

        var caller = new Caller("experiment:" + experiment.Id, null);
        using var request = _requests.Create(job.Request.Snapshot, caller, body, embeddings: role == "embeddings", out _);
        if (request is null)
        {
            _metrics.Evaluation(experiment.Id, role, "error");
            return null;
        }

        var result = await _caller.CallAsync(request, deployment, experiment.Config.ShadowTimeout, stopping);
        await _spend.AddAsync(experiment.Id, result.CostUsd, stopping);
        _metrics.Cost(experiment.Id, role, result.CostUsd);
        _metrics.Evaluation(experiment.Id, role, result.Served ? "ok" : "error");
        return result.Served ? result : null;
    }

    private static string Render(Answer answer)
    {
        var text = new StringBuilder(answer.Text);
        foreach (var call in answer.ToolCalls)
        {
            text.Append(text.Length > 0 ? "\n" : "").Append("[tool call] ").Append(call.Name).Append('(').Append(call.Arguments).Append(')');
        }

        return text.Length > MaxTextChars ? text.ToString(0, MaxTextChars) : text.ToString();
    }

    private static string LastUserText(OpenAiChat? chat)
    {
        var turn = chat?.Turns.LastOrDefault(t => t.Role == ChatRole.User);
        var text = turn?.Text ?? string.Empty;
        return text.Length > MaxTextChars ? text[..MaxTextChars] : text;
    }

    private static byte[] EmbeddingsBody(Deployment deployment, string live, string candidate) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["model"] = deployment.Config.Models[0],
            ["input"] = new JsonArray(live, candidate),
        }.ToJsonString());

    private static byte[] JudgeBody(Deployment deployment, string request, string first, string second) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["model"] = deployment.Config.Models[0],
            ["temperature"] = 0,
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = Instructions },
                new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = $"<request>\n{request}\n</request>\n<answer_1>\n{first}\n</answer_1>\n<answer_2>\n{second}\n</answer_2>",
                }),
        }.ToJsonString());

    /// <summary>The cosine similarity of the first two vectors of an embeddings answer; null when there are not two.</summary>
    internal static double? Cosine(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (!document.RootElement.TryGetProperty("data", out var data) || data.GetArrayLength() < 2)
            {
                return null;
            }

            var a = data[0].GetProperty("embedding");
            var b = data[1].GetProperty("embedding");
            if (a.ValueKind != JsonValueKind.Array || b.ValueKind != JsonValueKind.Array || a.GetArrayLength() != b.GetArrayLength())
            {
                return null;
            }

            double dot = 0, na = 0, nb = 0;
            using var left = a.EnumerateArray();
            using var right = b.EnumerateArray();
            while (left.MoveNext() && right.MoveNext())
            {
                var x = left.Current.GetDouble();
                var y = right.Current.GetDouble();
                dot += x * y;
                na += x * x;
                nb += y * y;
            }

            return na == 0 || nb == 0 ? null : dot / Math.Sqrt(na * nb);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return null;
        }
    }
}
