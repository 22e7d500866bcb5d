using System.Text;
using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Sensitivity;

public sealed class ContentScannerTests
{
    private static readonly DetectorSet Detectors = new(SensitivityPolicy.Default);

    [Fact]
    public void Scans_string_content_text_parts_and_tool_call_arguments()
    {
        Assert.Equal(["email"], Fired("""{"model":"m","messages":[{"role":"user","content":"mail jane@example.com"}]}"""));
        Assert.Equal(["payment_card"], Fired("""{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"4111 1111 1111 1111"}]}]}"""));
        Assert.Equal(["us_ssn"], Fired("""{"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"ssn\":\"123-45-6789\"}"}}]}]}"""));
        Assert.Empty(Fired("""{"model":"m","user":"jane","seed":4111111111111111,"messages":[{"role":"user","name":"jane","content":"hello"}]}"""));
    }

    [Theory]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":["x"]},{"role":"user","content":"pay with 4111 1111 1111 1111"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[1,null,true,{"type":"text","text":"ok"}]},{"role":"user","content":"4111 1111 1111 1111"}]}""")]
    [InlineData("""{"model":"m","messages":["x",{"role":"user","content":"4111 1111 1111 1111"}]}""")]
    [InlineData("""{"model":"m","messages":{"role":"user","content":"4111 1111 1111 1111"}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"pay","description":"Card 4111 1111 1111 1111"}}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"pay","parameters":{"type":"object","properties":{"card":{"type":"string","description":"use 4111 1111 1111 1111"}}}}}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"pay","parameters":{"type":"object","properties":{"4111 1111 1111 1111":{"type":"string"}}}}}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","name":"4111 1111 1111 1111","content":"hi"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"assistant","refusal":"not 4111 1111 1111 1111"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"prediction":{"type":"content","content":"4111 1111 1111 1111"}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"r","schema":{"const":"4111 1111 1111 1111"}}}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"user":"4111 1111 1111 1111"}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"unknown":{"deep":[[[{"x":"4111 1111 1111 1111"}]]]}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"metadata":{"note":"4111 1111 1111 1111"}}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"hi"}],"extra":4111111111111111}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"4111\u00a01111\u00a01111\u00a01111"}]}""")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x.example/4111-1111-1111-1111.png"}}]}]}""")]
    public void Every_string_in_any_shape_is_scanned(string json) => Assert.Equal(["payment_card"], Fired(json));

    [Fact]
    public void Model_and_role_strings_are_scanned_too_and_every_operation_scans_everything()
    {
        const string Body = """{"model":"4111 1111 1111 1111","messages":[{"role":"-----BEGIN PRIVATE KEY-----","content":"hi"}]}""";
        Assert.Equal(["payment_card", "private_key"], Fired(Body));
        Assert.Equal(["payment_card", "private_key"], Detectors.NamesOf(ContentScanner.Scan(Encoding.UTF8.GetBytes(Body), Operation.Embeddings, Detectors, false).Fired));
    }

    [Fact]
    public void Image_data_urls_are_not_scanned_as_text_but_anything_else_in_them_is()
    {
        var pixels = Convert.ToBase64String(Enumerable.Range(0, 3000).Select(i => (byte)(i * 7)).ToArray());
        Assert.Empty(Fired("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + pixels + "\"}}]}]}"));
        Assert.Equal(["payment_card"], Fired("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64," + pixels + " 4111 1111 1111 1111\"}}]}]}"));
        Assert.Equal(["payment_card"], Fired("""{"messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/plain;base64,4111 1111 1111 1111"}}]}]}"""));
    }

    [Fact]
    public void Embeddings_token_arrays_cannot_be_read_so_the_scan_fails_closed()
    {
        var tokens = ContentScanner.Scan("""{"model":"e","input":[[1,2,3],[4]]}"""u8, Operation.Embeddings, Detectors, false);
        var single = ContentScanner.Scan("""{"model":"e","input":[1,2,3]}"""u8, Operation.Embeddings, Detectors, false);
        var text = ContentScanner.Scan("""{"model":"e","input":["a","b"],"dimensions":256}"""u8, Operation.Embeddings, Detectors, false);
        Assert.True(tokens.Unreadable);
        Assert.True(single.Unreadable);
        Assert.False(text.Unreadable);
    }

    [Fact]
    public void Completions_token_id_prompts_cannot_be_read_so_the_scan_fails_closed_and_text_prompts_are_scanned()
    {
        Assert.True(ContentScanner.Scan("""{"model":"t","prompt":[15339,11]}"""u8, Operation.Completions, Detectors, false).Unreadable);
        Assert.True(ContentScanner.Scan("""{"model":"t","prompt":[[15339],[11]]}"""u8, Operation.Completions, Detectors, false).Unreadable);
        var text = ContentScanner.Scan("""{"model":"t","prompt":["hi","pay 4111 1111 1111 1111"],"max_tokens":16,"logit_bias":{"50256":-100}}"""u8, Operation.Completions, Detectors, false);
        Assert.False(text.Unreadable);
        Assert.Equal(["payment_card"], Detectors.NamesOf(text.Fired));
        Assert.True(text.TextBytes > 0);

        // A Responses body's "prompt" (a stored prompt reference) holds no token ids.
        Assert.False(ContentScanner.Scan("""{"model":"m","input":"hi","prompt":{"id":"pmpt_1","version":2}}"""u8, Operation.Responses, Detectors, false).Unreadable);
    }

    [Fact]
    public void Broken_or_invalid_text_is_unreadable()
    {
        Assert.True(ContentScanner.Scan("""{"messages":[{"role":"user","content":"\ud800"}]}"""u8, Operation.ChatCompletions, Detectors, false).Unreadable);
        Assert.True(ContentScanner.Scan("""{"messages":[{"role":"user","content":"hi"}"""u8, Operation.ChatCompletions, Detectors, false).Unreadable);
    }

    [Fact]
    public void Custom_patterns_anchor_at_the_start_of_each_string()
    {
        var options = new SensitivityOptions { Patterns = { ["ticket"] = new SensitivityPatternOptions { Regex = "^TICKET-[0-9]+$", Level = "internal" } } };
        var set = new DetectorSet(SensitivityPolicyBuilder.Build(options, []));
        var scan = ContentScanner.Scan("""{"model":"m","messages":[{"role":"user","content":"hello"},{"role":"user","content":"TICKET-42"}]}"""u8, Operation.ChatCompletions, set, false);
        Assert.Equal(["ticket"], set.NamesOf(scan.Fired));
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
