using Serilog.Core;
using Serilog.Events;

namespace ModelGateway.Hosting;

/// <summary>Wraps the text console sink: every event passes through <see cref="LogEscaping"/> first.</summary>
internal sealed class EscapingLogSink : ILogEventSink, IDisposable
{
    private readonly ILogEventSink _inner;

    public EscapingLogSink(ILogEventSink inner) => _inner = inner;

    public void Emit(LogEvent logEvent) => _inner.Emit(LogEscaping.Escape(logEvent));

    public void Dispose() => (_inner as IDisposable)?.Dispose();
}
