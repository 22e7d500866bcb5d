namespace ModelGateway.Hosting;

/// <summary>
/// Where the text log goes instead of standard output, when registered as a service: a test reads the exact lines an
/// operator would see, through the same template, escaping and writer. The writer is locked while a batch is written.
/// </summary>
internal sealed class ConsoleLogOutput
{
    public ConsoleLogOutput(TextWriter writer) => Writer = writer;

    public TextWriter Writer { get; }
}
