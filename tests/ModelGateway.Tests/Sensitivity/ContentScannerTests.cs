using System.Text;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Sensitivity;

namespace ModelGateway.Tests.Sensitivity;

public sealed class ContentScannerTests
{
    private static readonly DetectorSet Detectors = new(SensitivityPolicy.Default);

    [Fact]
    public void Scans_string_content_text_parts_and_tool_call_arguments_but_not_other_fields()
    {
        Assert.Equal(["email"], Fired("""{"model":"m","messages":[{"role":"user","content":"mail jane@example.com"}]}"""));
        Assert.Equal(["payment_card"], Fired("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"4111 1111 1111 1111"}]}]}"""));
        Assert.Equal(["us_ssn"], Fired("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"ssn\":\"123-45-6789\"}"}}]}]}"""));
        Assert.Empty(Fired("""{"model":"m","user":"jane@example.com","messages":[{"role":"user","name":"jane@example.com","content":"hello"}]}"""));
    }

    [Fact]
    public void Escaped_strings_are_unescaped_before_detection()
    {
        // "\u0040" is '@' and "\n" separates the key header from the body.
        Assert.Equal(["email"], Fired("""{"model":"m","messages":[{"role":"user","content":"jane\u0040example.com"}]}"""));
        Assert.Equal(["private_key"], Fired("""{"model":"m","messages":[{"role":"user","content":"-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE"}]}"""));
    }

    [Fact]
    public void Embeddings_input_strings_are_scanned()
    {
        var scan = ContentScanner.Scan(Encoding.UTF8.GetBytes("""{"model":"e","input":["ok","AKIAIOSFODNN7EXAMPLE"]}"""), Operation.Embeddings, Detectors, false);
        Assert.Equal(["cloud_key"], Detectors.NamesOf(scan.Fired));
        Assert.Equal(SensitivityLevel.Restricted, Detectors.LevelOf(scan.Fired));
    }

    [Fact]
    public void Level_is_the_highest_of_the_fired_detectors_and_metadata_is_collected_on_request()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"m","metadata":{"tier":"gold"},"messages":[{"role":"user","content":"jane@example.com 4111111111111111"}]}""");
        var scan = ContentScanner.Scan(body, Operation.ChatCompletions, Detectors, collectMetadata: true);
        Assert.Equal(SensitivityLevel.Confidential, Detectors.LevelOf(scan.Fired));
        Assert.Equal(new KeyValuePair<string, string>("tier", "gold"), Assert.Single(scan.Metadata!));
        Assert.True(scan.EstimatedPromptTokens > 0);
    }

    [Fact]
    public void Configuration_can_retune_disable_and_add_detectors_and_rejects_bad_ones()
    {
        var options = new SensitivityOptions
        {
            Detectors = { ["email"] = "off", ["phone"] = "confidential" },
            Patterns = { ["employee_id"] = new SensitivityPatternOptions { Regex = @"EMP-[0-9]{6}", Level = "restricted" } },
            KeyDefaults = { ["k1"] = "internal" },
        };
        var policy = SensitivityPolicyBuilder.Build(options, ["k1"]);
        var set = new DetectorSet(policy);
        var scan = ContentScanner.Scan(Encoding.UTF8.GetBytes("""{"messages":[{"role":"user","content":"jane@example.com EMP-123456"}]}"""), Operation.ChatCompletions, set, false);
        Assert.Equal(["employee_id"], set.NamesOf(scan.Fired));
        Assert.Equal(SensitivityLevel.Restricted, set.LevelOf(scan.Fired));
        Assert.Equal(SensitivityLevel.Internal, policy.KeyDefaults["k1"]);

        var errors = new List<string>();
        var bad = new SensitivityOptions
        {
            Levels = { ["confidential"] = new SensitivityLevelOptions { Trust = ["public"] } },
            Detectors = { ["nope"] = "internal" },
            Patterns = { ["p"] = new SensitivityPatternOptions { Regex = "(", Level = "secret" } },
            KeyDefaults = { ["ghost"] = "internal" },
        };
        Assert.Null(SensitivityPolicyBuilder.TryBuild(bad, [], [], errors));
        Assert.Contains(errors, e => e.StartsWith("Sensitivity:Levels:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Sensitivity:Detectors:nope", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Sensitivity:Patterns:p:Level", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Sensitivity:Patterns:p:Regex", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Sensitivity:KeyDefaults:ghost", StringComparison.Ordinal));
    }

    [Fact]
    public void Default_policy_keeps_confidential_data_self_hosted()
    {
        var policy = SensitivityPolicy.Default;
        Assert.Equal<TrustTier[]>([TrustTier.SelfHosted], policy.For(SensitivityLevel.Restricted).Trust.ToArray());
        Assert.Equal<TrustTier[]>([TrustTier.SelfHosted], policy.For(SensitivityLevel.Confidential).Trust.ToArray());
        Assert.Equal<TrustTier[]>([TrustTier.SelfHosted, TrustTier.Contracted], policy.For(SensitivityLevel.Internal).Trust.ToArray());
        Assert.True(policy.For(SensitivityLevel.Public).Allows(TrustTier.Public));
    }

    private static List<string> Fired(string json) =>
        Detectors.NamesOf(ContentScanner.Scan(Encoding.UTF8.GetBytes(json), Operation.ChatCompletions, Detectors, false).Fired);
}
