using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.Simulator;

/// <summary>
/// Per-model answer profiles (issue 17, point 8): a candidate that calls the wrong tool or breaks its JSON in a set
/// share of answers, deterministically, or answers later, through the real wire formats.
/// </summary>
public sealed class AnswerProfileTests
{
    private const string Tools = """
        [{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}},
         {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}}}}}]
        """;

    private const string Schema = """
        {"type":"object","properties":{"label":{"type":"string","enum":["spam","ham"]},"score":{"type":"number"},
         "tags":{"type":"array","items":{"type":"string"}},"source":{"type":"object","properties":{"name":{"type":"string"}}}},
         "required":["label","score","tags","source"],"additionalProperties":false}
        """;

    [Fact]
    public async Task A_wrong_tool_share_picks_another_offered_tool_in_that_share_of_prompts_and_always_the_same_ones()
    {
        await using var sim = await SimulatorHost.StartAsync(o =>
        {
            o.Profiles["bad-tools"] = new AnswerProfile { WrongToolShare = 0.3, Seed = 7 };
        });
        using var http = sim.HttpClient();
        const int Prompts = 400;
        var wrong = 0;
        for (var i = 0; i < Prompts; i++)
        {
            var tool = await ToolCalledAsync(http, "bad-tools", i);
            wrong += tool == "get_time" ? 1 : 0;
            Assert.Contains(tool, new[] { "get_weather", "get_time" });
        }

        // Binomial(400, 0.3): standard deviation 2.3 points; 4 deviations either side.
        Assert.InRange(wrong / (double)Prompts, 0.21, 0.39);

        // Deterministic: the same prompt gets the same tool again; a model without a profile never errs.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(await ToolCalledAsync(http, "bad-tools", i), await ToolCalledAsync(http, "bad-tools", i));
            Assert.Equal("get_weather", await ToolCalledAsync(http, "sim-small", i));
        }
    }

    [Fact]
    public async Task A_broken_json_share_cuts_that_share_of_structured_answers_and_the_rest_match_the_schema()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Profiles["bad-json"] = new AnswerProfile { BrokenJsonShare = 0.5 });
        var good = sim.OpenAiClient().GetChatClient("sim-small");
        var bad = sim.OpenAiClient().GetChatClient("bad-json");
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("verdict", BinaryData.FromString(Schema), jsonSchemaIsStrict: true),
        };

        ChatCompletion answer = await good.CompleteChatAsync([new UserChatMessage("classify this")], options);
        using (var parsed = JsonDocument.Parse(answer.Content[0].Text))
        {
            Assert.Equal("""{"label":"spam","score":42,"tags":[],"source":{"name":"sim-name"}}""", parsed.RootElement.GetRawText());
        }

        var broken = 0;
        const int Prompts = 200;
        for (var i = 0; i < Prompts; i++)
        {
            ChatCompletion reply = await bad.CompleteChatAsync([new UserChatMessage("classify " + i.ToString(CultureInfo.InvariantCulture))], options);
            broken += IsJson(reply.Content[0].Text) ? 0 : 1;
        }

        // Binomial(200, 0.5): standard deviation 3.5 points.
        Assert.InRange(broken / (double)Prompts, 0.36, 0.64);
    }

    [Fact]
    public async Task A_profile_set_at_run_time_delays_the_first_token_and_can_be_removed()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        using (var set = await http.PutAsync("/_sim/profiles/slow", JsonContent("""{"latencyMs":400}""")))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        }

        using (var invalid = await http.PutAsync("/_sim/profiles/slow", JsonContent("""{"wrongToolShare":1.5}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }

        var clock = Stopwatch.StartNew();
        using (var slow = await http.PostAsync("/v1/chat/completions", """{"model":"slow","stream":true,"messages":[{"role":"user","content":"hi"}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
            Assert.True(clock.ElapsedMilliseconds >= 390, $"headers after {clock.ElapsedMilliseconds} ms");
            Assert.Contains("data: [DONE]", await slow.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/_sim/profiles/slow")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/_sim/profiles/slow")).StatusCode);
    }

    private static async Task<string> ToolCalledAsync(HttpClient http, string model, int prompt)
    {
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"weather please, case {{prompt}}"}],"tools":{{Tools}}}""";
        using var response = await http.PostAsync("/v1/chat/completions", body);
        var json = await response.JsonAsync();
        return json.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString()!;
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
