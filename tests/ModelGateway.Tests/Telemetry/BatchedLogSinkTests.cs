using System.Diagnostics;
using System.Globalization;
using System.Text;
using ModelGateway.Hosting;
using ModelGateway.Telemetry;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// The log's writer: request threads only enqueue, one thread writes batches. Lines keep their order, a slow or
/// broken output never makes the caller wait or lose count, and what is queued at shutdown is written.
/// </summary>
public sealed class BatchedLogSinkTests
{
    private static readonly ITextFormatter Text = new MessageTemplateTextFormatter("{Message:lj}{NewLine}", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Lines_arrive_in_order_and_a_burst_is_written_with_few_flushes()
    {
        var output = new CountingWriter();
        var monitor = new LogPipelineMonitor();
        using (var sink = new BatchedLogSink(Text, escape: true, output, capacity: 10_000, monitor))
        {
            for (var i = 0; i < 500; i++)
            {
                sink.Emit(Event("line {Number}", i));
            }

            await WaitUntilAsync(() => output.Lines().Length == 500);
        }

        Assert.Equal(Enumerable.Range(0, 500).Select(i => "line " + i), output.Lines());
        Assert.InRange(output.Flushes, 1, 50); // one per batch, not one per line
        Assert.Equal(0, monitor.Dropped);
    }

    [Fact]
    public void A_stuck_output_never_blocks_the_caller_and_every_drop_is_counted()
    {
        var output = new CountingWriter { Gate = new ManualResetEventSlim(false) };
        var monitor = new LogPipelineMonitor();
        var sink = new BatchedLogSink(Text, escape: true, output, capacity: 8, monitor);

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            sink.Emit(Event("line {Number}", i));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"Emit waited {clock.Elapsed}");

        // The writer holds at most one batch in its hands and 8 queued; everything else was dropped and counted.
        Assert.InRange(monitor.Dropped, 100 - 8 - 8, 100 - 8);
        output.Gate.Set();
        sink.Dispose();
        Assert.Equal(100, output.Lines().Length + monitor.Dropped);
    }

    [Fact]
    public void Events_queued_at_shutdown_are_written_and_later_ones_are_counted_as_dropped()
    {
        var output = new CountingWriter();
        var monitor = new LogPipelineMonitor();
        var sink = new BatchedLogSink(Text, escape: true, output, capacity: 100, monitor);
        for (var i = 0; i < 20; i++)
        {
            sink.Emit(Event("line {Number}", i));
        }

        sink.Dispose();
        Assert.Equal(20, output.Lines().Length);

        sink.Emit(Event("after {Number}", 1));
        Assert.Equal(1, monitor.Dropped);
        Assert.Equal(20, output.Lines().Length);
    }

    [Fact]
    public async Task An_event_that_cannot_be_written_is_counted_and_the_writer_goes_on()
    {
        var output = new CountingWriter();
        var monitor = new LogPipelineMonitor();
        using (var sink = new BatchedLogSink(new ThrowingOnce(Text), escape: false, output, capacity: 100, monitor))
        {
            sink.Emit(Event("first {Number}", 1));
            sink.Emit(Event("second {Number}", 2));
            await WaitUntilAsync(() => output.Lines().Length == 1);
        }

        Assert.Equal(["second 2"], output.Lines());
        Assert.Equal(1, monitor.Dropped);
    }

    [Fact]
    public async Task Text_lines_have_control_characters_in_values_escaped()
    {
        var output = new CountingWriter();
        using (var sink = new BatchedLogSink(Text, escape: true, output, capacity: 100, new LogPipelineMonitor()))
        {
            sink.Emit(Event("model={Model}", "x\n[00:00:00 INF] FORGED"));
            await WaitUntilAsync(() => output.Lines().Length == 1);
        }

        Assert.Equal(["model=x\\n[00:00:00 INF] FORGED"], output.Lines());
    }

    private static LogEvent Event(string template, object value)
    {
        var parsed = new MessageTemplateParser().Parse(template);
        var name = parsed.Tokens.OfType<PropertyToken>().Single().PropertyName;
        return new LogEvent(
            DateTimeOffset.UtcNow, LogEventLevel.Information, null, parsed, [new LogEventProperty(name, new ScalarValue(value))]);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>A writer that counts flushes and can be held shut (a stuck pipe).</summary>
    private sealed class CountingWriter : StringWriter
    {
        private int _flushes;

        public ManualResetEventSlim? Gate { get; init; }

        public int Flushes => Volatile.Read(ref _flushes);

        public override void Write(char value)
        {
            Gate?.Wait();
            base.Write(value);
        }

        public override void Write(string? value)
        {
            Gate?.Wait();
            base.Write(value);
        }

        public override void Flush()
        {
            Interlocked.Increment(ref _flushes);
            base.Flush();
        }

        public string[] Lines()
        {
            lock (this)
            {
                return ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r')).ToArray();
            }
        }
    }

    private sealed class ThrowingOnce(ITextFormatter inner) : ITextFormatter
    {
        private int _calls;

        public void Format(LogEvent logEvent, TextWriter output)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                throw new FormatException("cannot render");
            }

            inner.Format(logEvent, output);
        }
    }
}
