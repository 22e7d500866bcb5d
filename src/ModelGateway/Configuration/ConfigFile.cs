using Microsoft.Extensions.Configuration.Json;

namespace ModelGateway.Configuration;

/// <summary>
/// The configuration file named by <c>--config</c>. A missing, unreadable or broken file is a listed problem,
/// never an exception, at start-up. While running, the file provider swallows a broken save (and empties its
/// data); the problem is held here for <see cref="GatewayConfigStore"/> to log when it rejects the reload.
/// </summary>
internal sealed class ConfigFile
{
    private string? _reloadProblem;
    private JsonConfigurationSource? _source;
    private volatile bool _loaded;

    private ConfigFile(string path) => Path = path;

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>Problems found while loading the file at start-up.</summary>
    public List<string> StartupProblems { get; } = [];

    /// <summary>Adds <paramref name="path"/> (watched for changes) to <paramref name="configuration"/>.</summary>
    public static ConfigFile Add(IConfigurationBuilder configuration, string path)
    {
        var file = new ConfigFile(System.IO.Path.GetFullPath(path));
        try
        {
            File.OpenRead(file.Path).Dispose();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            file.StartupProblems.Add(ex is FileNotFoundException or DirectoryNotFoundException
                ? $"--config: the file '{file.Path}' does not exist."
                : $"--config: the file '{file.Path}' cannot be read ({ex.GetType().Name}).");
            return file;
        }

        configuration.Add<JsonConfigurationSource>(source =>
        {
            file._source = source;
            source.Path = file.Path;
            source.Optional = false;
            source.ReloadOnChange = true;
            source.OnLoadException = file.OnLoadException;
            source.ResolveFileProvider();
        });

        // A ConfigurationManager loads a source as it is added: any later load is a reload.
        file._loaded = true;
        return file;
    }

    /// <summary>
    /// Whether the file itself has a <c>ModelGateway</c> object: environment overrides alone must not pass for a
    /// configuration, or a file that lost its section would start (or reload) with nothing configured.
    /// </summary>
    public bool HasGatewaySection(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return true;
        }

        var provider = root.Providers.OfType<JsonConfigurationProvider>().FirstOrDefault(p => p.Source == _source);
        return provider is not null && provider.GetChildKeys([], null).Contains(GatewayOptions.SectionName, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The problem of the last broken save, if it has not been reported yet.</summary>
    public string? TakeReloadProblem() => Interlocked.Exchange(ref _reloadProblem, null);

    private void OnLoadException(FileLoadExceptionContext context)
    {
        context.Ignore = true;
        // The innermost exception is the parser's, with the line and position.
        var cause = context.Exception;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }

        var problem = $"{Path}: the file is not valid JSON configuration: {cause.Message}";
        if (_loaded)
        {
            Volatile.Write(ref _reloadProblem, problem);
        }
        else
        {
            StartupProblems.Add(problem);
        }
    }
}
