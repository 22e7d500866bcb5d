using System.Net;
using System.Text.Json.Nodes;

namespace ModelGateway.Tests.Admin;

/// <summary>
/// Credential references written through the admin API (issue 12, finding 6): only what Admin:CredentialPolicy
/// allows, refused without reading the file or variable; the start-up file's own references stay usable.
/// </summary>
public sealed class CredentialPolicyTests : AdminFixture
{
    private const string AllowedVariable = "MG_CREDENTIAL_TEST_POLICY";
    private const string OtherVariable = "MG_TEST_POLICY_OTHER";
    private const string SecretFileContent = "TOP-SECRET-FILE-CONTENT-41d7";
    private string _outside = null!;

    public override async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(AllowedVariable, "sk-policy-env");
        Environment.SetEnvironmentVariable(OtherVariable, "TOP-SECRET-ENV-9c2a");
        _outside = Path.Combine(Directory.CreateTempSubdirectory("mg-outside-").FullName, "secret.txt");
        await File.WriteAllTextAsync(_outside, SecretFileContent);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_outside)!, recursive: true);
    }

    [Fact]
    public async Task References_outside_the_policy_are_refused_on_every_write_without_being_read()
    {
        var exported = (await GetAsync(Admin, "/admin/v1/config"))["document"]!.AsObject();
        var import = exported.DeepClone().AsObject();
        import["providers"]!["sim"]!["credential"] = "file:" + _outside;
        var attempts = new (HttpMethod Method, string Path, JsonObject Body, string Field)[]
        {
            (HttpMethod.Post, "/admin/v1/providers", Provider("p2", "file:" + _outside), "Providers:p2:Credential"),
            (HttpMethod.Post, "/admin/v1/providers", Provider("p3", "file:/etc/passwd"), "Providers:p3:Credential"),
            (HttpMethod.Put, "/admin/v1/providers/sim", Provider(null, "env:" + OtherVariable), "Providers:sim:Credential"),
            (HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = "env:PATH" }, "Providers:sim:Credential"),
            (HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = "file:/proc/self/environ" }, "Providers:sim:Credential"),
            (HttpMethod.Put, "/admin/v1/config", import, "Providers:sim:Credential"),
            (HttpMethod.Post, "/admin/v1/config/dry-run", new JsonObject
            {
                ["patch"] = new JsonObject { ["providers"] = new JsonObject { ["sim"] = new JsonObject { ["credential"] = "file:" + _outside } } },
            }, "Providers:sim:Credential"),
        };
        foreach (var (method, path, body, field) in attempts)
        {
            var problem = await SendAsync(Admin, method, path, body, HttpStatusCode.UnprocessableEntity);
            Assert.Contains(field, ErrorFields(problem));
            var text = problem.ToJsonString();
            Assert.DoesNotContain(SecretFileContent, text, StringComparison.Ordinal);
            Assert.DoesNotContain("TOP-SECRET-ENV", text, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", text, StringComparison.Ordinal);
            Assert.DoesNotContain("NotFound", text, StringComparison.Ordinal);
        }

        Assert.Equal(1, (await GetAsync(Admin, "/admin/v1/config"))["version"]!.GetValue<long>());

        // An allowed prefix is accepted, and its value is what the provider receives.
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = "env:" + AllowedVariable }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        Assert.Equal("Bearer sk-policy-env", Simulator.State.Received[^1].Headers["authorization"]);

        // The start-up file's own reference stays usable although its prefix is not in the policy.
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = "env:" + ProviderKeyVariable }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        Assert.Equal("Bearer sk-admin-sim", Simulator.State.Received[^1].Headers["authorization"]);
    }

    [Fact]
    public async Task A_configured_directory_allows_files_inside_it_and_nothing_that_escapes()
    {
        var directory = Directory.CreateTempSubdirectory("mg-secrets-").FullName;
        var store = Directory.CreateTempSubdirectory("mg-admin-store-").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "openai.key"), "sk-from-directory\n");
        Directory.CreateDirectory(Path.Combine(directory, "sub"));
        File.CreateSymbolicLink(Path.Combine(directory, "escape.key"), _outside);
        Directory.CreateSymbolicLink(Path.Combine(directory, "escape-dir"), Path.GetDirectoryName(_outside)!);
        File.CreateSymbolicLink(Path.Combine(directory, "current.key"), "openai.key");
        var gateway = await StartGatewayAsync(BaseConfig(Simulator.BaseUrl), store, $"--Admin:CredentialPolicy:FileDirectory={directory}");
        try
        {
            using var admin = AdminClient(gateway);
            var outsideName = Path.GetFileName(Path.GetDirectoryName(_outside)!);
            foreach (var reference in new[]
            {
                $"file:{directory}/sub/../../{outsideName}/secret.txt",
                $"file:{directory}/escape.key",
                $"file:{directory}/escape-dir/secret.txt",
                "file:openai.key",
                "file:" + _outside,
            })
            {
                var problem = await SendAsync(admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = reference }, HttpStatusCode.UnprocessableEntity);
                Assert.Contains("Providers:sim:Credential", ErrorFields(problem));
                Assert.DoesNotContain(SecretFileContent, problem.ToJsonString(), StringComparison.Ordinal);
            }

            await SendAsync(admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = $"file:{directory}/openai.key" }, HttpStatusCode.OK);
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway, "qwen3"));
            Assert.Equal("Bearer sk-from-directory", Simulator.State.Received[^1].Headers["authorization"]);

            // A link that stays inside the directory (as mounted Kubernetes secrets are) is fine.
            await SendAsync(admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["credential"] = $"file:{directory}/current.key" }, HttpStatusCode.OK);
        }
        finally
        {
            await gateway.DisposeAsync();
            Directory.Delete(directory, recursive: true);
            Directory.Delete(store, recursive: true);
        }
    }

    private JsonObject Provider(string? id, string credential)
    {
        var provider = new JsonObject
        {
            ["kind"] = "openai",
            ["baseUrl"] = Simulator.BaseUrl + "/v1",
            ["trust"] = "self-hosted",
            ["credential"] = credential,
        };
        if (id is not null)
        {
            provider["id"] = id;
        }

        return provider;
    }
}
