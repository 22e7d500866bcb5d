using System.Buffers;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>
/// <c>POST /v1/completions</c> (legacy text completions, as vLLM, SGLang and OpenAI's instruct models serve it): a
/// deterministic continuation of each prompt, <c>n</c> choices per prompt, whole or streamed.
/// </summary>
internal sealed class CompletionsEndpoint(IOptions<SimulatorOptions> options, TimeProvider timeProvider)
{
    private readonly SimulatorOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidJson());
            return;
        }

        OpenAiError? error = null;
        if (!CompletionsRequestParser.TryParse(document.RootElement, out var request, out error)
            || (error = UsageOverride.Read(context.Request.Headers, out var usageOverride)) is not null)
        {
            await OpenAiResponses.WriteErrorAsync(context, error);
            return;
        }

        if (ShapeHeaders.Read(context.Request.Headers, _options, out var shape, out var chunkDelayMs) is { } problem)
        {
            await OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidBody(problem));
            return;
        }

        var reply = usageOverride.Apply(UsageFault.Apply(Plan(request, shape), context));
        var result = new ChatCompletionResult(
            "cmpl-" + SimulatorRequestFeature.Get(context).RequestId.Replace("-", string.Empty, StringComparison.Ordinal),
            timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            request.Model,
            reply,
            request.IncludeUsage);
        if (!request.Stream)
        {
            await OpenAiResponses.WriteJsonAsync(context, result, CompletionWriter.WriteObject);
            return;
        }

        await using var stream = await SimulatedStream.StartAsync(context, chunkDelayMs, timeProvider);
        foreach (var chunk in CompletionWriter.Chunks(result))
        {
            await stream.WriteAsync(null, chunk);
        }

        stream.Complete();
        if (stream.Open)
        {
            context.Response.BodyWriter.Write("data: [DONE]\n\n"u8);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }

    /// <summary><c>n</c> choices per prompt, indexed prompt by prompt as OpenAI does; usage summed over all.</summary>
    private static ChatReply Plan(CompletionsRequest request, ReplyShape shape)
    {
        var choices = new List<ReplyChoice>(request.Prompts.Count * request.Choices);
        int promptTokens = 0, completionTokens = 0;
        foreach (var prompt in request.Prompts)
        {
            var planned = ReplyPlanner.Plan(
                new ChatPrompt { LastUserText = prompt.Text, PromptTokens = prompt.Tokens, MaxOutputTokens = request.MaxTokens, ChoiceCount = request.Choices },
                shape);
            foreach (var choice in planned.Choices)
            {
                choices.Add(new ReplyChoice { Index = choices.Count, Words = choice.Words, Finish = choice.Finish, OutputTokens = choice.OutputTokens });
            }

            promptTokens += planned.Usage.PromptTokens;
            completionTokens += planned.Usage.CompletionTokens;
        }

        return new ChatReply(choices, new ChatUsage(promptTokens, completionTokens, 0, 0));
    }
}
