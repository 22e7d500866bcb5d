using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary><c>POST /v1/chat/completions</c>: a deterministic reply, whole or streamed.</summary>
internal sealed class ChatCompletionsEndpoint(
    IOptions<SimulatorOptions> options, SimulatorState state, TimeProvider timeProvider, Profiles.AnswerProfiles profiles)
{
    private readonly SimulatorOptions _options = options.Value;
    private readonly Dialects.SimulatedDialect _dialect = Dialects.SimulatedDialect.All[options.Value.Dialect];

    public Task HandleAsync(HttpContext context) => HandleAsync(context, streamPreamble: null);

    /// <param name="context">The request.</param>
    /// <param name="streamPreamble">Written before the first chunk of a stream (Azure's content-filter chunk).</param>
    public async Task HandleAsync(HttpContext context, Action<System.IO.Pipelines.PipeWriter>? streamPreamble)
    {
        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidJson());
            return;
        }

        if (!ChatRequestParser.TryParse(document.RootElement, out var request, out var error)
            || (error = Dialects.DialectRequestRules.Check(_dialect, document.RootElement)) is not null
            || (error = ReadShape(context.Request.Headers, out var shape, out var chunkDelayMs)) is not null
            || (error = UsageOverride.Read(context.Request.Headers, out var usageOverride)) is not null)
        {
            await OpenAiResponses.WriteErrorAsync(context, error);
            return;
        }

        var profile = profiles.For(request.Model);
        chunkDelayMs = Profiles.AnswerProfiles.ChunkDelay(profile, context.Request.Headers, chunkDelayMs);
        var reply = usageOverride.Apply(UsageFault.Apply(ReplyPlanner.Plan(request.Prompt, shape, state.Script, profile), context));
        await Profiles.AnswerProfiles.DelayAsync(profile, timeProvider, context.RequestAborted);
        var result = new ChatCompletionResult(
            "chatcmpl-" + SimulatorRequestFeature.Get(context).RequestId,
            timeProvider.GetUtcNow().ToUnixTimeSeconds(),
            request.Model,
            reply,
            request.IncludeUsage)
        {
            Dialect = _dialect,
        };
        if (request.Stream)
        {
            await ChatStreamWriter.WriteAsync(context, result, chunkDelayMs, timeProvider, streamPreamble);
        }
        else
        {
            await OpenAiResponses.WriteJsonAsync(context, result, ChatCompletionWriter.Write);
        }
    }

    /// <summary>Reads the <c>x-sim-*</c> headers that shape the reply, falling back to the options.</summary>
    private OpenAiError? ReadShape(IHeaderDictionary headers, out ReplyShape shape, out int chunkDelayMs)
    {
        shape = default;
        chunkDelayMs = 0;
        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.Chunks, 1, SimulatorOptionsValidator.MaxChunks, _options.DefaultChunks, out var words))
        {
            return OpenAiErrors.InvalidHeader(
                SimulatorHeaders.Chunks, $"{SimulatorHeaders.Chunks} must be an integer between 1 and {SimulatorOptionsValidator.MaxChunks}.");
        }

        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.ToolCalls, 1, 128, 1, out var toolCalls))
        {
            return OpenAiErrors.InvalidHeader(SimulatorHeaders.ToolCalls, $"{SimulatorHeaders.ToolCalls} must be an integer between 1 and 128.");
        }

        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.ChunkDelayMs, 0, 60_000, _options.ChunkDelayMs, out chunkDelayMs))
        {
            return OpenAiErrors.InvalidHeader(
                SimulatorHeaders.ChunkDelayMs, $"{SimulatorHeaders.ChunkDelayMs} must be an integer between 0 and 60000.");
        }

        shape = new ReplyShape(_options.Name, words, toolCalls);
        return null;
    }
}
