using System.Text;
using BenchmarkDotNet.Attributes;
using ModelGateway.Sensitivity;

namespace ModelGateway.Benchmarks;

/// <summary>Each enabled detector over the same 4 KB of prose with nothing to find (the worst case: a full scan).</summary>
[MemoryDiagnoser]
public class DetectorBenchmarks
{
    private byte[] _text = [];
    private DetectorSet _detectors = null!;

    [Params(0, 1, 2, 3, 4, 5, 6, 7, 8)]
    public int Detector { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new SensitivityOptions { Patterns = { ["employee_id"] = new SensitivityPatternOptions { Regex = @"\bEMP-[0-9]{6}\b", Level = "confidential" } } };
        _detectors = new DetectorSet(SensitivityPolicyBuilder.Build(options, []));
        _text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("The quarterly report covers revenue, churn and the 2024 roadmap for team 12. ", 52))[..4000]);
    }

    [Benchmark]
    public bool Scan() => _detectors.Detectors[Detector].IsMatch(_text);
}
