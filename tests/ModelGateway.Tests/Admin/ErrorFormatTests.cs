using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelGateway.Tests.Admin;

/// <summary>
/// Every admin error is RFC 9457 problem details (issue 12, finding 10): unknown routes and methods, values that do
/// not bind, and bodies with invalid UTF-8, lone surrogates or trailing data (400, never 500).
/// </summary>
public sealed class ErrorFormatTests : AdminFixture
{
    public static TheoryData<string, string, int> Unroutable => new()
    {
        { "GET", "/admin/v1/nothing-here", 404 },
        { "DELETE", "/admin/v1/config", 405 },
        { "GET", "/admin/v1/config/versions/abc", 404 },
        { "GET", "/admin/v1/audit?limit=abc", 400 },
        { "GET", "/admin/v1/audit?before=x", 400 },
        { "POST", "/admin/v1/config/versions/abc/restore", 404 },
        { "GET", "/admin", 404 },
    };

    public static TheoryData<string, string> Writes => new()
    {
        { "POST", "/admin/v1/providers" },
        { "PUT", "/admin/v1/providers/sim" },
        { "PATCH", "/admin/v1/deployments/qwen-sim" },
        { "POST", "/admin/v1/routes" },
        { "POST", "/admin/v1/keys" },
        { "PUT", "/admin/v1/teams/t1" },
        { "PATCH", "/admin/v1/sensitivity" },
        { "PUT", "/admin/v1/fallback" },
        { "PUT", "/admin/v1/config" },
        { "POST", "/admin/v1/config/dry-run" },
    };

    [Theory]
    [MemberData(nameof(Unroutable))]
    public async Task Unknown_routes_methods_and_unbindable_values_are_problem_details(string method, string path, int status)
    {
        using var response = await Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await AssertProblemAsync(response, status);
    }

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task Invalid_utf8_lone_surrogates_and_trailing_data_are_400_problem_details(string method, string path)
    {
        byte[][] bodies =
        [
            [.. "{\"id\":\"x1\",\"region\":\""u8, 0xFF, 0xFE, .. "\"}"u8],
            [.. "{\"id\":\"x1\",\"region\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8],
            "{\"id\":\"x1\",\"region\":\"\\ud800\"}"u8.ToArray(),
            "{\"id\":\"x1\",\"\\udc00\":1}"u8.ToArray(),
            "{\"patch\":{\"aliases\":{\"a\":\"\\ud800x\"}}}"u8.ToArray(),
            "{\"id\":\"x1\"} trailing"u8.ToArray(),
            "{\"id\":\"x1\"}{}"u8.ToArray(),
        ];
        foreach (var body in bodies)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            using var response = await Admin.SendAsync(request);
            await AssertProblemAsync(response, 400, Encoding.UTF8.GetString(body));
        }
    }

    [Fact]
    public async Task A_dry_run_sample_with_a_lone_surrogate_or_a_non_string_key_is_a_client_error()
    {
        var surrogate = "{\"samples\":[{\"body\":{\"model\":\"qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}}]}";
        using var first = await Admin.PostAsync("/admin/v1/config/dry-run", new StringContent(surrogate, Encoding.UTF8, "application/json"));
        await AssertProblemAsync(first, 400);

        var numericKey = new JsonObject
        {
            ["samples"] = new JsonArray(new JsonObject
            {
                ["key"] = 5,
                ["body"] = new JsonObject { ["model"] = "qwen3", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) },
            }),
        };
        using var second = await Admin.PostAsync("/admin/v1/config/dry-run", Json(numericKey));
        await AssertProblemAsync(second, 422);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string? what = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{what}: expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.NotNull(problem["title"]);
        Assert.Null(problem["error"]);
    }
}
