namespace ModelGateway.Cli;

/// <summary>What <c>--help</c> prints.</summary>
internal static class Usage
{
    public const string Text = """
        ModelGateway: an OpenAI-compatible LLM gateway.

        Usage:
          ModelGateway --config FILE [--urls URLS] [--Section:Key=VALUE ...]   run the gateway
          ModelGateway validate [--config] FILE [--Section:Key=VALUE ...]      check a configuration without starting
          ModelGateway new-key                                                 make a client key; prints it and its sha256
          ModelGateway hash-key KEY                                            print the sha256 of an existing key
          ModelGateway probe URL                                               health check: exit 0 when URL answers 2xx
          ModelGateway --help | --version

        Options:
          --config FILE          the JSON configuration file (or the MODELGATEWAY_CONFIG environment variable)
          --urls URLS            where to listen, e.g. http://127.0.0.1:8080 (or ASPNETCORE_URLS)
          --config-reset=true    with the admin API on: import the file as a new version at start-up
          --Section:Key=VALUE    override one configuration value, e.g. --ModelGateway:Limits:MaxRequestBodyBytes=1048576
                                 (environment variables work too: ModelGateway__Limits__MaxRequestBodyBytes=1048576)

        Exit codes: 0 success; 2 invalid configuration or command line (every problem is printed, one per line).
        Documentation: docs/configuration.md

        """;
}
