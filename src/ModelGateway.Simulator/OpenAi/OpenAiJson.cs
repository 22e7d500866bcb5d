using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Shared constants of the OpenAI wire format as the simulator writes it.</summary>
internal static class OpenAiJson
{
    public const string SystemFingerprint = "fp_simulator";

    /// <summary>Non-ASCII text is written as is, like OpenAI does; the output is JSON, never HTML.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
