using System.Globalization;
using System.Text.Json;

namespace ModelGateway.Admin;

/// <summary>
/// The embedded store: one file per version (<c>v000000000042.json</c>) in a directory. A version is written to
/// a temporary file, flushed to disk, then moved into place without overwriting: the move is atomic, so a reader
/// sees a whole version or none, and the version that is already there wins a race.
/// </summary>
internal sealed class FileConfigDocumentStore : IConfigDocumentStore
{
    private const string Prefix = "v";
    private const string Suffix = ".json";
    private readonly string _directory;

    public FileConfigDocumentStore(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public async Task<ConfigRevision?> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        var newest = Versions().DefaultIfEmpty(0).Max();
        return newest == 0 ? null : await ReadVersionAsync(newest, cancellationToken);
    }

    public async Task<ConfigRevision?> ReadVersionAsync(long version, CancellationToken cancellationToken)
    {
        var path = PathOf(version);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<ConfigRevision>(stream, ConfigDocument.Storage, cancellationToken);
    }

    public async Task<bool> TryAppendAsync(ConfigRevision revision, CancellationToken cancellationToken)
    {
        if (Versions().DefaultIfEmpty(0).Max() != revision.Version - 1)
        {
            return false;
        }

        var temporary = Path.Combine(_directory, $".tmp-{Guid.NewGuid():N}");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await JsonSerializer.SerializeAsync(stream, revision, ConfigDocument.Storage, cancellationToken);
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, PathOf(revision.Version), overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(PathOf(revision.Version)))
        {
            return false;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long? before, int limit, CancellationToken cancellationToken)
    {
        var entries = new List<AuditEntry>();
        foreach (var version in Versions().Where(v => before is null || v < before).OrderDescending().Take(limit))
        {
            if (await ReadVersionAsync(version, cancellationToken) is { } revision)
            {
                entries.Add(revision.Audit);
            }
        }

        return entries;
    }

    public Task SubscribeAsync(Action<long> onVersion, CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }

    private string PathOf(long version) =>
        Path.Combine(_directory, Prefix + version.ToString("D12", CultureInfo.InvariantCulture) + Suffix);

    private IEnumerable<long> Versions()
    {
        foreach (var path in Directory.EnumerateFiles(_directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                yield return version;
            }
        }
    }
}
