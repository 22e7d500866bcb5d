namespace ModelGateway.Tests.Ledger;

internal static class TempDirectory
{
    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
