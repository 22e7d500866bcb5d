namespace ModelGateway.Providers.Translation;

/// <summary>Maps a provider's non-success response (status, retry hint, body) to an outcome for the dispatcher.</summary>
internal delegate UpstreamOutcome UpstreamErrorMapper(int status, TimeSpan? retryAfter, ReadOnlySpan<byte> body);
