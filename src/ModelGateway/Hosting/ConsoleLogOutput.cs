using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Display;

namespace ModelGateway.Hosting;

/// <summary>
/// Where the text log goes instead of the console, when registered as a service: a test reads the exact lines an
/// operator would see, through the same template and escaping.
/// </summary>
internal sealed class ConsoleLogOutput : ILogEventSink
{
    private readonly MessageTemplateTextFormatter _formatter = new(GatewayApp.TextLogTemplate, CultureInfo.InvariantCulture);
    private readonly TextWriter _writer;

    public ConsoleLogOutput(TextWriter writer) => _writer = writer;

    public void Emit(LogEvent logEvent)
    {
        lock (_writer)
        {
            _formatter.Format(logEvent, _writer);
            _writer.Flush();
        }
    }
}
